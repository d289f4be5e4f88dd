"""Purging: done and discarded commands past the retention, then the events left without any."""
from __future__ import annotations

import collections
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, select, text
from sqlalchemy.engine import Connection

from outbox.models import DISCARDED, DONE
from outbox.store.schema import attempts, commands, events, first_id_written

# One id range of a purge on PostgreSQL, in one statement: the done commands of the range
# (a command being replayed is locked and stays), deleted with their attempts by the
# foreign key's cascade, counted by type for the tallies. The server does the work; no
# list of ids travels to Python and back, which cost more than the deletes.
PURGE_RANGE_POSTGRESQL = text("""
WITH doomed AS (
    SELECT id FROM commands
    WHERE id >= :start AND id < :end AND status IN ('done', 'discarded') AND finished_at < :cutoff
    FOR UPDATE SKIP LOCKED
), gone AS (
    DELETE FROM commands WHERE id IN (SELECT id FROM doomed) RETURNING status, type
)
SELECT status, type, count(*) AS n FROM gone GROUP BY status, type
""")


class Purging:
    def purge(self, older_than_days: int, batch: int = 2000, pause: float = 0.03) -> int:
        """Delete done and discarded commands finished before the retention period, then the events left without commands.

        Both tables are walked by id, ``batch`` ids a transaction, with a pause between
        transactions: each is a range of the primary key, holds its locks for a few
        milliseconds, and leaves the workers' rounds room between them. Nothing here
        depends on the planner's statistics being current, which a purge makes stale.
        """
        cutoff = self.clock() - timedelta(days=older_than_days)
        removed = 0
        for start, end in self._id_ranges(commands, batch):
            with self.engine.begin() as conn:
                gone = self._purge_range(conn, start, end, cutoff)
                self._tally(conn, [(status, type_, -n) for (status, type_), n in gone.items()])
                removed += sum(gone.values())
            time.sleep(pause)
        with self.engine.connect() as conn:
            last = first_id_written(conn, events, events.c.received_at, cutoff)
        for start, end in self._id_ranges(events, batch, last):
            with self.engine.begin() as conn:
                # One probe of ix_commands_event per event of the range.
                conn.execute(delete(events).where(
                    events.c.id >= start, events.c.id < end, events.c.received_at < cutoff,
                    ~exists().where(commands.c.event_id == events.c.id),
                ))
            time.sleep(pause)
        return removed

    def _purge_range(self, conn: Connection, start: int, end: int, cutoff: datetime) -> dict[tuple[str, str], int]:
        """Delete the finished commands of ids [start, end) finished before ``cutoff``; how many of each status and type."""
        if self.backend == "postgresql":
            found = conn.execute(PURGE_RANGE_POSTGRESQL, dict(start=start, end=end, cutoff=cutoff)).all()
            return {(row.status, row.type): row.n for row in found}
        rows = conn.execute(
            select(commands.c.id, commands.c.status, commands.c.type)
            .where(commands.c.id >= start, commands.c.id < end, commands.c.status.in_((DONE, DISCARDED)),
                   commands.c.finished_at < cutoff)
            .with_for_update(skip_locked=True)  # one being replayed stays
        ).all()
        if rows:
            ids = [row.id for row in rows]
            conn.execute(delete(attempts).where(attempts.c.command_id.in_(ids)))
            conn.execute(delete(commands).where(commands.c.id.in_(ids)))
        return dict(collections.Counter((row.status, row.type) for row in rows))

    def _id_ranges(self, table: Any, size: int, end: int | None = None) -> Iterator[tuple[int, int]]:
        """[start, end) ranges of ``size`` ids covering the table's ids below ``end``."""
        with self.engine.connect() as conn:
            low, high = conn.execute(select(func.min(table.c.id), func.max(table.c.id))).one()
        if low is None:
            return
        stop = high + 1 if end is None else min(end, high + 1)
        for start in range(low, stop, size):
            yield start, min(start + size, stop)

    # -- reads ---------------------------------------------------------------
    # What operators read, so every row leaves here with its secrets masked
    # (outbox.redaction); handlers get their payloads through claims, never from here.
