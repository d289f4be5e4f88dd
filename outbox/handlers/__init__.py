"""The command handlers. Importing this package registers every one of them."""
from outbox.registry import Context, registry


@registry.register("noop")
def noop(context: Context) -> str | None:
    """Does nothing: for tests and benchmarks of the queue itself."""
    return None
