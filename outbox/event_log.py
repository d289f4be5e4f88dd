"""What the hook endpoint received, for the dashboard's events page: accepted events with
the commands each made, and refused requests with the reason.

The events table is the outbox's; refusals have a table of their own that only the
listener writes and ``opbridge purge`` trims. Pages go by id, newest first.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert, select

from outbox.models import Command, Event, RefusedEvent

events = Event.__table__
commands = Command.__table__
refusals = RefusedEvent.__table__
MESSAGE_KEPT = 500  # characters of a refusal's sentence: it may quote what the sender sent


def accepted(engine: Engine, limit: int, before: int | None = None) -> list[dict[str, Any]]:
    """Events newest first, each with its commands' ids, types and statuses (never the body)."""
    query = (select(events.c.id, events.c.webhook_id, events.c.type, events.c.received_at)
             .order_by(events.c.id.desc()).limit(limit))
    if before:
        query = query.where(events.c.id < before)
    with engine.connect() as conn:
        rows = [dict(row._mapping) | {"commands": []} for row in conn.execute(query)]
        by_id = {row["id"]: row for row in rows}
        if by_id:
            made = conn.execute(select(commands.c.event_id, commands.c.id, commands.c.type, commands.c.status)
                                .where(commands.c.event_id.in_(list(by_id))).order_by(commands.c.id))
            for command in made:
                by_id[command.event_id]["commands"].append(dict(command._mapping))
    return rows


def refused(engine: Engine, limit: int, before: int | None = None) -> list[dict[str, Any]]:
    query = select(refusals).order_by(refusals.c.id.desc()).limit(limit)
    if before:
        query = query.where(refusals.c.id < before)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def record_refusal(engine: Engine, now: datetime, status: int, error: str, message: str,
                   webhook_id: str | None, event_type: str | None) -> None:
    with engine.begin() as conn:
        conn.execute(insert(refusals).values(received_at=now, status=status, error=error,
                                             message=message[:MESSAGE_KEPT], webhook_id=webhook_id, type=event_type))


def purge_refusals(engine: Engine, now: datetime, older_than_days: int) -> int:
    with engine.begin() as conn:
        return conn.execute(delete(refusals).where(refusals.c.received_at < now - timedelta(days=older_than_days))).rowcount
