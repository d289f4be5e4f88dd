"""What operators read of the queue: every row leaves here with its secrets masked
(outbox.redaction); handlers get their payloads through claims, never from here."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, cast, func, literal_column, select

from outbox.models import DEAD, DISCARDED, DONE
from outbox.redaction import redact_command, redact_event
from outbox.store.schema import attempts, commands, events, first_id_written
from outbox.values import MinuteOfTries

# Tries that count as failures on the dashboard: retried, given up, or lost with their worker.
FAILED_OUTCOMES = ("retry", DEAD, "lease_expired")
# Whole minutes from ``start`` to a timestamp column, per backend.
MINUTES_SINCE = {
    # date_part's double precision, not EXTRACT's numeric (PostgreSQL 14 on): the chart computes
    # this for every try of the last hour, and numeric arithmetic made that a third of its time.
    "postgresql": lambda column, start: cast(func.floor(func.date_part("epoch", column - start) / 60), Integer),
    "mysql": lambda column, start: func.timestampdiff(literal_column("MINUTE"), start, column),
    "sqlite": lambda column, start: (cast(func.strftime("%s", column), Integer)
                                     - cast(func.strftime("%s", start), Integer)) // 60,
}


def _try(row: Any) -> dict[str, Any]:
    """An attempts row as people read it: the error column holds a success's or an operator's note."""
    item = dict(row)
    noted = item["outcome"] in (DONE, DISCARDED)
    return item | {"note": item["error"] if noted else None, "error": None if noted else item["error"]}


class Reads:
    def list_commands(
        self,
        status: str | None = None,
        type: str | None = None,
        aggregate_key: str | None = None,
        limit: int = 100,
        after_id: int | None = None,
        created_from: datetime | None = None,
        created_before: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Commands newest first; ``after_id`` is the keyset: the last id of the page before."""
        query = select(commands).order_by(commands.c.id.desc()).limit(limit)
        if status:
            query = query.where(commands.c.status == status)
        if type:
            query = query.where(commands.c.type == type)
        if aggregate_key:
            query = query.where(commands.c.aggregate_key == aggregate_key)
        if after_id:
            query = query.where(commands.c.id < after_id)
        with self.engine.connect() as conn:
            # A time range becomes an id range, which every index on commands ends in.
            if created_from:
                first = first_id_written(conn, commands, commands.c.created_at, created_from)
                query = query.where(commands.c.id >= first, commands.c.created_at >= created_from)
            if created_before:
                beyond = first_id_written(conn, commands, commands.c.created_at, created_before)
                query = query.where(commands.c.id < beyond, commands.c.created_at < created_before)
            return [redact_command(dict(row._mapping)) for row in conn.execute(query)]

    def tries_per_minute(self, minutes: int = 60) -> list[MinuteOfTries]:
        """Finished and failed tries in each of the last ``minutes`` minutes, oldest first."""
        now = self.clock()
        start = now.replace(second=0, microsecond=0) - timedelta(minutes=minutes - 1)
        with self.engine.connect() as conn:
            recent = attempts.c.id >= first_id_written(conn, attempts, attempts.c.started_at, start)
            tries = select(MINUTES_SINCE[self.backend](attempts.c.started_at, start).label("minute"),
                           attempts.c.outcome).where(recent, attempts.c.started_at >= start).subquery()
            rows = conn.execute(
                select(tries.c.minute, tries.c.outcome, func.count()).group_by(tries.c.minute, tries.c.outcome)
            ).all()
        done, failed = [0] * minutes, [0] * minutes
        for minute, outcome, n in rows:
            if 0 <= minute < minutes:
                if outcome == DONE:
                    done[int(minute)] += n
                elif outcome in FAILED_OUTCOMES:
                    failed[int(minute)] += n
        return [MinuteOfTries(start + timedelta(minutes=i), done[i], failed[i]) for i in range(minutes)]

    def get_command(self, command_id: int) -> dict[str, Any] | None:
        """A command with its event's webhook id (the id people know it by) and its tries."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(commands, events.c.webhook_id).outerjoin(events, events.c.id == commands.c.event_id)
                .where(commands.c.id == command_id)
            ).first()
            if row is None:
                return None
            history = conn.execute(
                select(attempts).where(attempts.c.command_id == command_id).order_by(attempts.c.id)
            ).all()
        return redact_command({**row._mapping, "history": [_try(item._mapping) for item in history]})

    def get_event(self, webhook_id: str) -> dict[str, Any] | None:
        """An accepted event with the commands it enqueued (None when unknown or purged)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(events).where(events.c.webhook_id == webhook_id)).first()
            if row is None:
                return None
            enqueued = conn.execute(select(commands).where(commands.c.event_id == row.id).order_by(commands.c.id)).all()
        return redact_event({**row._mapping, "commands": [dict(item._mapping) for item in enqueued]})
