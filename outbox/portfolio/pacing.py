"""Openprovider calls paced across every worker process, through one row of ``rate_slots``.

Each unit of paced work reserves the next free slot for the calls it will make and
waits for it, so however many threads and workers run, the calls of that kind start no
faster than the configured rate: a bulk transfer of thousands of domains meets no
"calls limit" answers rather than retrying through a storm of them. A worker that dies
after reserving leaves a gap, never a burst.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from outbox.models import RateSlot
from outbox.values import utcnow

slots = RateSlot.__table__
RACES = 3  # first reservations that may collide inserting the row


def reserve(engine: Engine, name: str, calls: int, per_second: float,
            clock: Callable[[], datetime] = utcnow) -> float:
    """Reserve room for ``calls`` calls; returns the seconds to wait before making them."""
    length = timedelta(seconds=calls / per_second)
    for _ in range(RACES):
        try:
            with engine.begin() as conn:
                query = select(slots.c.next_at).where(slots.c.name == name).with_for_update()
                booked = conn.scalar(query)
                now = clock()
                start = max(booked, now) if booked is not None else now
                if booked is None:
                    conn.execute(insert(slots).values(name=name, next_at=start + length))
                else:
                    conn.execute(update(slots).where(slots.c.name == name).values(next_at=start + length))
                return (start - now).total_seconds()
        except IntegrityError:
            continue  # another process made the row first: read it now
    raise RuntimeError(f"could not reserve a rate slot of {name!r}")


def pace(engine: Engine, name: str, calls: int, per_second: float) -> None:
    """Wait for this process's turn to make ``calls`` calls."""
    wait = reserve(engine, name, calls, per_second)
    if wait > 0:
        time.sleep(wait)
