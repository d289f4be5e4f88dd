"""Following a bulk transfer: how many are still being sent, and fresh statuses read back
from the account for the transfers still under way."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from outbox import mirror
from outbox.portfolio.transfer_batch import batch_counts, item_rows
from outbox.values import utcnow
from outbox.sync.reading import list_account, openprovider_side

UNDER_WAY = ("queued", "sending", "retrying")
AWAITING_REGISTRY = ("requested",)


def sent_so_far(engine: Engine, batch_id: int, total: int) -> tuple[int, dict[str, int]]:
    """How many of the batch's ``total`` transfers have left the queue, and the batch's counts."""
    counts = batch_counts(engine, batch_id)
    return total - sum(counts.get(state, 0) for state in UNDER_WAY), counts


def refresh(engine: Engine, client: Any, batch_id: int) -> int:
    """Read the account's status of the batch's requested transfers into the mirror; returns how many changed."""
    waiting = {row["domain"] for row in item_rows(engine, batch_id=batch_id) if row["state"] in AWAITING_REGISTRY}
    if not waiting:
        return 0
    sides, _ = list_account(client, lambda domain: openprovider_side(domain, "expiration_date"), waiting.__contains__)
    rows = [{"key": name, "op_status": side.status, "op_domain_id": side.domain_id, "updated_at": utcnow()}
            for name, side in sides.items() if side.status != "REQ"]
    if rows:
        with engine.begin() as conn:
            mirror.update_by_name(conn, rows)
    return len(rows)
