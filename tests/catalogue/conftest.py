"""The catalogue's world: the Openprovider sandbox over HTTP and a migrated database."""
from tests.dispatch.conftest import sandbox, sandbox_server  # noqa: F401 - the sandbox fixtures, shared
