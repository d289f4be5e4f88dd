"""A stateful simulator of the WHMCS external API, for tests, the demo and benchmarks."""
from whmcssandbox.app import create_app
from whmcssandbox.faults import Faults
from whmcssandbox.seeding import SeedError, demo_spec, seed
from whmcssandbox.state import DEFAULT_IDENTIFIER, DEFAULT_SECRET, SandboxState

__all__ = [
    "DEFAULT_IDENTIFIER",
    "DEFAULT_SECRET",
    "Faults",
    "SandboxState",
    "SeedError",
    "create_app",
    "demo_spec",
    "seed",
]
