"""Sync runs and the changes each decided, in ``sync_runs`` and ``sync_changes``."""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from outbox.models import SyncChange, SyncRun

RUNNING, FINISHED, FAILED, STOPPED, ABANDONED = "running", "finished", "failed", "stopped", "abandoned"
BATCH = 1000

runs = SyncRun.__table__
changes = SyncChange.__table__


class PeriodAlreadyRun(Exception):
    """A scheduled run of this period exists already (another process started it)."""


@dataclasses.dataclass(frozen=True, slots=True)
class ChangeRow:
    domain: str
    whmcs_domain_id: int | None
    kind: str
    old_value: str | None
    new_value: str | None
    applied: bool
    comment: str | None
    invoices: str | None = None
    command_id: int | None = None


def start_run(engine: Engine, *, trigger: str, dry_run: bool, period_key: str | None, now: datetime) -> int:
    values = dict(started_at=now, status=RUNNING, dry_run=dry_run, trigger=trigger, period_key=period_key,
                  domains_checked=0, changes=0, errors=0, api_calls=0, commands_enqueued=0, report_sent=False)
    try:
        with engine.begin() as conn:
            return conn.execute(insert(runs).values(**values)).inserted_primary_key[0]
    except IntegrityError:
        if period_key is None:
            raise
        raise PeriodAlreadyRun(f"a scheduled sync of period {period_key} was started already") from None


def abandon_unfinished(engine: Engine, now: datetime) -> int:
    """Runs still marked running when the sync lock is free belong to a process that died."""
    with engine.begin() as conn:
        result = conn.execute(
            update(runs).where(runs.c.status == RUNNING)
            .values(status=ABANDONED, finished_at=now, message="The process running it stopped before it finished.")
        )
    return result.rowcount


def save_changes(engine: Engine, run_id: int, rows: Sequence[ChangeRow]) -> None:
    values = [{"run_id": run_id, **dataclasses.asdict(row)} for row in rows]
    with engine.begin() as conn:
        for start in range(0, len(values), BATCH):
            conn.execute(insert(changes), values[start:start + BATCH])


def finish_run(engine: Engine, run_id: int, now: datetime, **fields: Any) -> None:
    with engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(finished_at=now, **fields))


def mark_report_sent(engine: Engine, run_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(report_sent=True))


def last_report_time(engine: Engine, before_run: int) -> datetime | None:
    """When the last report mailed before run ``before_run`` was made (its run's start)."""
    query = (select(runs.c.started_at).where(runs.c.id < before_run, runs.c.report_sent.is_(True))
             .order_by(runs.c.id.desc()).limit(1))
    with engine.connect() as conn:
        return conn.scalar(query)


def load_run(engine: Engine, run_id: int | None = None) -> dict[str, Any] | None:
    """One run as a dict, the latest when ``run_id`` is None."""
    query = select(runs)
    query = query.where(runs.c.id == run_id) if run_id is not None else query.order_by(runs.c.id.desc()).limit(1)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return dict(row._mapping) if row else None


def load_runs(engine: Engine, limit: int) -> list[dict[str, Any]]:
    """The newest runs, newest first."""
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(select(runs).order_by(runs.c.id.desc()).limit(limit))]


def load_changes(engine: Engine, run_id: int, limit: int | None = None) -> list[dict[str, Any]]:
    query = select(changes).where(changes.c.run_id == run_id).order_by(changes.c.id).limit(limit)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]
