"""A stateful stand-in for the Openprovider v1beta REST API, for tests and demos."""
from .app import create_app
from .clock import Clock
from .state import SandboxState

__all__ = ["Clock", "SandboxState", "create_app"]
