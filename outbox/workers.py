"""The workers running now, as their heartbeats tell (the ``workers`` table).

Each worker writes its row at start, refreshes it with every heartbeat and removes it
when it stops. A row whose heartbeat is older than a lease belongs to a worker that died
without a word: the heartbeat of any worker removes it, as it puts back its commands.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from outbox.models import RUNNING, Command, WorkerRecord

workers = WorkerRecord.__table__
commands = Command.__table__
HELD_SHOWN = 50  # per worker on the page: a batch is at most a few dozen


def register(engine: Engine, name: str, threads: int, now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(insert(workers).values(name=name, threads=threads, started_at=now, heartbeat_at=now))


def beat(engine: Engine, name: str, now: datetime, lease: timedelta) -> None:
    """This worker is alive; a worker silent for longer than a lease is not."""
    with engine.begin() as conn:
        conn.execute(update(workers).where(workers.c.name == name).values(heartbeat_at=now))
        conn.execute(delete(workers).where(workers.c.heartbeat_at < now - lease))


def unregister(engine: Engine, name: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(workers).where(workers.c.name == name))


def live(engine: Engine) -> list[dict[str, Any]]:
    """Every worker with a row, newest first, each with the commands it holds a lease on.

    Held commands are read by their owner through the commands' lease column, which no
    index covers: so one query per worker, bounded, on the few running rows.
    """
    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(select(workers).order_by(workers.c.started_at.desc()))]
        for row in rows:
            row["held"] = [dict(held._mapping) for held in conn.execute(
                select(commands.c.id, commands.c.type, commands.c.aggregate_key, commands.c.claimed_at,
                       commands.c.lease_expires_at)
                .where(commands.c.status == RUNNING, commands.c.lease_owner == row["name"])
                .order_by(commands.c.id).limit(HELD_SHOWN))]
    return rows
