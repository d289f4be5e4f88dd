"""The command handlers. Importing this package registers every one of them."""
from outbox.handlers import contacts, dns, dnssec, domains, glue, renewal, toggles, verification  # noqa: F401 - registration
from outbox.handlers import whmcs  # noqa: F401 - the WHMCS writes of the pull-sync
from outbox.handlers import sync  # noqa: F401 - a sync asked for through the admin API
from outbox.handlers import late_outcome  # noqa: F401 - outcomes WHMCS was told were pending
from outbox.portfolio import drift_mail, transfer_handler, whmcs_rows  # noqa: F401 - portfolio work
from outbox.registry import Context, registry


@registry.register("noop")
def noop(context: Context) -> str | None:
    """Does nothing: for tests and benchmarks of the queue itself."""
    return None
