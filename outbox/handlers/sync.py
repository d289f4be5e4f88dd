"""``run_sync``: a pull-sync asked for through the admin API, run by a worker.

Going through the outbox keeps a long run out of the HTTP request and gives it the
same retries, lease and history as any other command.
"""
from __future__ import annotations

from outbox.registry import Context, TransientFailure, registry
from outbox.sync import SyncBusy, run_sync

BUSY_RETRY_SECONDS = 60


@registry.register("run_sync")
def run_requested_sync(context: Context) -> str:
    try:
        run_id = run_sync(context.services, context.outbox, trigger="api", dry_run=bool(context.payload.get("dry_run")))
    except SyncBusy as busy:
        raise TransientFailure(str(busy), "sync_busy", retry_after=BUSY_RETRY_SECONDS) from None
    return f"sync run {run_id}"
