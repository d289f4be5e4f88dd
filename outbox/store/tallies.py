"""The command tallies: counts by status and type kept beside the commands, so that no
read counts a million rows. Every change of status adds its moves here, last in its transaction."""
from __future__ import annotations

import collections
import random
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection

from outbox.models import STATUSES, TALLY_SLOTS, CommandTally
from outbox.store.schema import queues

tallies = CommandTally.__table__
_tally_postgresql, _tally_sqlite, _tally_mysql = postgresql.insert(tallies), sqlite.insert(tallies), mysql.insert(tallies)
_TALLY_KEY = [tallies.c.status, tallies.c.type, tallies.c.slot]
ADD_TO_TALLY = {
    "postgresql": _tally_postgresql.on_conflict_do_update(
        index_elements=_TALLY_KEY, set_={"n": tallies.c.n + _tally_postgresql.excluded.n}),
    "sqlite": _tally_sqlite.on_conflict_do_update(index_elements=_TALLY_KEY, set_={"n": tallies.c.n + _tally_sqlite.excluded.n}),
    "mysql": _tally_mysql.on_duplicate_key_update(n=tallies.c.n + _tally_mysql.inserted.n),
}
# A change of status as the tallies count it: (status, type, +1 or -1).
Move = tuple[str, str, int]


def moved(type_: str, before: str, after: str) -> list[Move]:
    return [(before, type_, -1), (after, type_, 1)]


class Tallies:
    def _tally(self, conn: Connection, moves: Iterable[Move]) -> None:
        """Add changes of status to the tallies: a transaction's last writes, in key order.

        Last, so that no transaction waits for a tally row while holding a lock another
        one needs first; in key order, so that two never wait for each other's rows.
        """
        summed: collections.Counter[tuple[str, str]] = collections.Counter()
        for status, type_, n in moves:
            summed[status, type_] += n
        slot = random.randrange(TALLY_SLOTS)
        rows = [dict(status=status, type=type_, slot=slot, n=n) for (status, type_), n in sorted(summed.items()) if n]
        if rows:
            conn.execute(ADD_TO_TALLY[self.backend], rows)

    def counts_by_type(self, statuses: Sequence[str] = STATUSES,
                       tallied: dict[tuple[str, str], int] | None = None) -> dict[str, dict[str, int]]:
        """{type: {status: n}} over commands of ``statuses``, for every type that has any, from the tallies
        (or from ``tallied``, what ``command_counts()`` returned, when a page reads them once for both counts)."""
        counted: dict[str, dict[str, int]] = {}
        for (status, type_), n in (self.command_counts() if tallied is None else tallied).items():
            if status in statuses:
                counted.setdefault(type_, dict.fromkeys(statuses, 0))[status] = n
        return dict(sorted(counted.items()))

    def command_counts(self) -> dict[tuple[str, str], int]:
        """{(status, type): n} for every pair with commands, from the tallies: a few rows, never the table."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(tallies.c.status, tallies.c.type, func.sum(tallies.c.n)).group_by(tallies.c.status, tallies.c.type)
            ).all()
        return {(status, type_): int(n) for status, type_, n in rows if n}

    def oldest_due(self) -> datetime | None:
        """When the longest-waiting domain's next command became runnable; None when none waits.

        The minimum of an index: a domain's commands queued behind its running or
        backed-off head do not count, since they cannot run yet.
        """
        with self.engine.connect() as conn:
            return conn.scalar(select(func.min(queues.c.ready_at)))

    def counts(self, tallied: dict[tuple[str, str], int] | None = None) -> dict[str, int]:
        """{status: n} for every status, from the tallies (or ``tallied``, as in ``counts_by_type``)."""
        counted = dict.fromkeys(STATUSES, 0)
        for (status, _), n in (self.command_counts() if tallied is None else tallied).items():
            counted[status] += n
        return counted
