"""Following a bulk transfer: a progress bar while the workers send it, and fresh
statuses read back from the account for the transfers still under way."""
from __future__ import annotations

import sys
import time
from typing import Any

import click
from sqlalchemy import Engine, bindparam, update

from outbox.models import Domain
from outbox.portfolio.transfer_batch import batch_counts, item_rows
from outbox.store import utcnow
from outbox.sync.reading import list_account, openprovider_side

UNDER_WAY = ("queued", "sending", "retrying")
AWAITING_REGISTRY = ("requested",)
POLL_SECONDS = 1.0
mirror = Domain.__table__


def follow(engine: Engine, batch_id: int, total: int) -> dict[str, int]:
    """Show the batch's progress on stderr until no transfer is waiting to be sent."""
    with click.progressbar(length=total, label=f"Batch {batch_id}", file=sys.stderr) as bar:
        shown = 0
        while True:
            counts = batch_counts(engine, batch_id)
            sent = total - sum(counts.get(state, 0) for state in UNDER_WAY)
            bar.update(sent - shown)
            shown = sent
            if sent >= total:
                return counts
            time.sleep(POLL_SECONDS)


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
            conn.execute(update(mirror).where(mirror.c.name == bindparam("key")).values(
                op_status=bindparam("op_status"), op_domain_id=bindparam("op_domain_id"),
                updated_at=bindparam("updated_at")), rows)
    return len(rows)
