"""The tables the store writes, its notification channels, and what every part of it shares."""
from __future__ import annotations

import contextlib
import functools
import threading
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, column, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, DBAPIError, StatementError

from outbox.models import AggregateLock, Attempt, Command, Event

DEFAULT_SCHEDULE = (10, 60, 300, 900, 3600, 10800, 21600, 43200, 86400, 86400)
NOTIFY_CHANNEL = "opbridge_commands"
# Sent when commands end (done or dead) or a try fails: wakes whoever waits for an outcome.
OUTCOMES_CHANNEL = "opbridge_outcomes"
JITTER = 0.2

commands = Command.__table__
attempts = Attempt.__table__
events = Event.__table__
queues = AggregateLock.__table__

# MariaDB's answers to a value it cannot take, which its driver reports as OperationalError:
# incorrect string value, invalid character string, a failed CHECK (JSON_VALID), invalid JSON.
_MYSQL_REFUSED_VALUE = {1300, 1366, 3140, 4025}
# SQLite takes one writer at a time. Threads of one process queue here instead of in
# SQLite's busy handler, which sleeps 1, 2, 5, 10 ms... and so leaves the lock idle.
_SQLITE_WRITES = threading.Lock()


def one_writer(backend: str) -> contextlib.AbstractContextManager[Any]:
    return _SQLITE_WRITES if backend == "sqlite" else contextlib.nullcontext()


def refused_value(error: BaseException) -> bool:
    """True when the database or its driver refused a value it was given, and would again.

    False for a server out of reach, a lost connection, a lock or a deadlock: trying the
    same write later can succeed.
    """
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return False
        code = error.orig.args[0] if error.orig is not None and error.orig.args else None
        return isinstance(error, DataError) or (isinstance(code, int) and code in _MYSQL_REFUSED_VALUE)
    if isinstance(error, StatementError):  # a parameter the driver could not convert
        error = error.orig
    return isinstance(error, (UnicodeError, ValueError, TypeError))


def first_id_written(conn: Connection, table: Any, written_at: Any, moment: datetime) -> int:
    """The lowest id of a row written at or after ``moment``, found on the primary key.

    Ids are handed out as rows are written, so they follow ``written_at`` (up to the
    transactions in flight at one moment). A bound on the id is a range of every index
    the table has, where a bound on the time column has no index to use. Galloping back
    from the newest row and then bisecting costs a few point lookups, growing with the
    log of the rows written since ``moment``. The lookups go in batches, each one
    statement: every step of the gallop at once, then the midpoints of the next
    ``BISECT_LEVELS`` halvings whichever way each goes, so an hour of 20,000 tries costs
    5 statements rather than 24, with the same answer.
    """
    newest = conn.scalar(select(func.max(table.c.id)))
    if newest is None:
        return 0

    def written_from(row_ids: list[int]) -> list[datetime]:
        probes = _probes(table.name, written_at.name, len(row_ids))
        return list(conn.execute(probes, {f"p{index}": row_id for index, row_id in enumerate(row_ids)}).one())

    if written_from([newest])[0] < moment:
        return newest + 1  # a quiet spell: nothing since ``moment``
    # Rows from ``high`` on were written at or after ``moment``; the row at or after ``low``, before it.
    low, high, steps = 0, newest, []
    while newest - 64 * 2 ** len(steps) > 0:
        steps.append(newest - 64 * 2 ** len(steps))
    for probe, written in zip(steps, written_from(steps) if steps else []):
        if written < moment:
            low = probe
            break
        high = probe
    while high - low > 1:
        midpoints, ranges = [], [(low, high)]
        for _ in range(BISECT_LEVELS):
            ranges = [part for lower, upper in ranges if upper - lower > 1
                      for part in ((lower, (lower + upper) // 2), ((lower + upper) // 2, upper))]
            midpoints += [upper for lower, upper in ranges[::2]]
        written = dict(zip(midpoints, written_from(midpoints)))
        for _ in range(BISECT_LEVELS):
            if high - low <= 1:
                break
            middle = (low + high) // 2
            if written[middle] < moment:
                low = middle
            else:
                high = middle
    return high


BISECT_LEVELS = 5  # 31 lookups a statement


@functools.lru_cache(maxsize=256)
def _probes(table: str, written_at: str, count: int) -> Any:
    """One statement of ``count`` lookups: when the first row with an id of at least each parameter was written.

    Text, built once for each size: composing it from SQLAlchemy's constructs on every
    call cost more Python than the round trips it saves.
    """
    lookups = ", ".join(f"(SELECT {written_at} FROM {table} WHERE id >= :p{index} ORDER BY id LIMIT 1) AS w{index}"
                        for index in range(count))
    return text(f"SELECT {lookups}").columns(*(column(f"w{index}", DateTime()) for index in range(count)))
