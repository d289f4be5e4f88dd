"""Both sandboxes over real HTTP and a migrated database: the sync tests' harness."""
from tests.sync.conftest import harness, make_harness, openprovider_side, whmcs_side  # noqa: F401 - fixtures
