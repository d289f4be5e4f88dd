"""The reliability suite reuses the listener's fixtures: the real app over real HTTP."""
from tests.listener.conftest import client, settings  # noqa: F401
