"""A stateful simulator of the WHMCS external API, for tests, the demo and benchmarks."""
from whmcsapi.sandbox.app import create_app
from whmcsapi.sandbox.faults import Faults
from whmcsapi.sandbox.seeding import SeedError, demo_spec, seed
from whmcsapi.sandbox.state import DEFAULT_IDENTIFIER, DEFAULT_SECRET, SandboxState

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
