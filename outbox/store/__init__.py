"""The outbox store: the only module that writes command state.

All of the queue's SQL is here. A command moves pending -> running -> done, or back to
pending after a transient failure, or to dead when it fails for good or runs out of
attempts. Claims are per-domain FIFO: a command waits while an older command of its
aggregate key is pending or running, or while any command of that key is running.

Each aggregate key's row in aggregate_locks (its queue) keeps ``ready_at``: from when
its oldest pending command may run, or NULL while one of its commands runs. Every
change of a command's status updates that row in the same transaction, so a claim
range-scans the due queues and never walks the commands that cannot run.
"""
from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text

from core.settings import Settings
from outbox.db import backend
from outbox.store.changes import Changes
from outbox.store.claiming import Claiming
from outbox.store.enqueueing import Enqueueing
from outbox.store.purging import Purging
from outbox.store.reads import FAILED_OUTCOMES, Reads
from outbox.store.schema import (
    DEFAULT_SCHEDULE, NOTIFY_CHANNEL, OUTCOMES_CHANNEL, first_id_written, one_writer, refused_value,
)
from outbox.store.tallies import Tallies
from outbox.values import utcnow

# What autovacuum's analyze threshold says (autovacuum_analyze_threshold 50, scale factor 0.1).
STATISTICS_STALE = text(
    "SELECT c.reltuples < 0 OR s.n_mod_since_analyze >= 50 + 0.1 * c.reltuples"
    " FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = 'commands'::regclass"
)

__all__ = ["DEFAULT_SCHEDULE", "FAILED_OUTCOMES", "NOTIFY_CHANNEL", "OUTCOMES_CHANNEL", "Outbox", "first_id_written",
           "refused_value"]


class Outbox(Enqueueing, Claiming, Changes, Purging, Reads, Tallies):
    """The queue, one concern per base class; each keeps its statements beside its code."""

    def __init__(
        self,
        engine: Engine,
        retry_schedule: Sequence[int] = DEFAULT_SCHEDULE,
        lease_seconds: int = 120,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.retry_schedule = tuple(retry_schedule)
        self.max_attempts = len(self.retry_schedule) + 1
        self.lease = timedelta(seconds=lease_seconds)
        self.clock = clock
        self.rng = rng or random.Random()
        self.backend = backend(engine)

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings, **kwargs: Any) -> Outbox:
        return cls(engine, settings.retry_schedule, settings.lease_seconds, **kwargs)

    def _one_writer(self) -> contextlib.AbstractContextManager[Any]:
        return one_writer(self.backend)

    def refresh_statistics(self) -> None:
        """Let the server's planner see the queue as it is now.

        Without statistics (a new table, or a burst since the last auto-analyze) PostgreSQL
        may probe a domain's older work through the (status, id) index instead of the
        per-domain one, and a claim over a few thousand pending commands takes seconds.

        On PostgreSQL only when the statistics are stale by autovacuum's own measure (never
        gathered, or 50 + 10% of the rows changed since): ANALYZE reads a sample of 30,000
        pages, all of a table of a million finished commands, and a worker starting beside
        one spent 0.2-0.4 s on it before its first claim however fresh they were.
        """
        statement = {"postgresql": "ANALYZE commands", "mysql": "ANALYZE TABLE commands"}.get(self.backend)
        if self.backend == "postgresql":
            with self.engine.connect() as conn:
                if conn.scalar(STATISTICS_STALE) is False:  # None (no counts kept): gather them
                    return
        if statement:
            with self.engine.begin() as conn:
                conn.exec_driver_sql(statement)
