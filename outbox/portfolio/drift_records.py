"""Drift reports and their findings, in ``drift_reports`` and ``drift_findings``."""
from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from outbox.models import DriftFinding, DriftReport
from outbox.portfolio.drift import Finding

BATCH = 1000
STORED = ("domain", "kind", "whmcs_value", "op_value", "action", "whmcs_domain_id", "client_id")
MAX_VALUE = 255

reports = DriftReport.__table__
findings = DriftFinding.__table__


def start_report(engine: Engine, trigger: str, now: datetime) -> int:
    values = dict(started_at=now, trigger=trigger, whmcs_domains=0, account_domains=0, findings=0, changed=False,
                  mailed=False)
    with engine.begin() as conn:
        return conn.execute(insert(reports).values(**values)).inserted_primary_key[0]


def save_findings(engine: Engine, report_id: int, found: Iterable[Finding]) -> tuple[int, str]:
    """Store the findings a batch at a time; returns their count and their digest."""
    digest, count = hashlib.sha256(), 0
    found = iter(found)
    with engine.begin() as conn:
        while batch := list(itertools.islice(found, BATCH)):
            rows = [{"report_id": report_id, **{column: _stored(getattr(finding, column)) for column in STORED}}
                    for finding in batch]
            conn.execute(insert(findings), rows)
            for row in rows:
                digest.update("|".join(str(row[column]) for column in STORED if column != "client_id").encode())
                digest.update(b"\n")
            count += len(rows)
    return count, digest.hexdigest()


def _stored(value: Any) -> Any:
    return value[:MAX_VALUE] if isinstance(value, str) else value


def finish_report(engine: Engine, report_id: int, now: datetime, *, count: int, fingerprint: str,
                  whmcs_domains: int, account_domains: int) -> bool:
    """Close the report; returns whether its findings differ from the report before it."""
    with engine.begin() as conn:
        previous = conn.scalar(select(reports.c.fingerprint).where(reports.c.id < report_id,
                                                                   reports.c.finished_at.is_not(None))
                               .order_by(reports.c.id.desc()).limit(1))
        changed = previous != fingerprint if previous is not None else count > 0
        conn.execute(update(reports).where(reports.c.id == report_id).values(
            finished_at=now, findings=count, fingerprint=fingerprint, changed=changed,
            whmcs_domains=whmcs_domains, account_domains=account_domains))
    return changed


def mark_mailed(engine: Engine, report_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(update(reports).where(reports.c.id == report_id).values(mailed=True))


def load_report(engine: Engine, report_id: int | None = None) -> dict[str, Any] | None:
    """One finished report, the latest when ``report_id`` is None."""
    query = select(reports).where(reports.c.finished_at.is_not(None))
    query = query.where(reports.c.id == report_id) if report_id is not None else query.order_by(
        reports.c.id.desc()).limit(1)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return dict(row._mapping) if row else None


def last_started(engine: Engine, trigger: str) -> datetime | None:
    with engine.connect() as conn:
        return conn.scalar(select(func.max(reports.c.started_at)).where(reports.c.trigger == trigger))


def load_findings(engine: Engine, report_id: int, *, kind: str | None = None,
                  limit: int | None = None) -> list[dict[str, Any]]:
    query = select(*(findings.c[column] for column in STORED)).where(findings.c.report_id == report_id)
    if kind:
        query = query.where(findings.c.kind == kind)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query.order_by(findings.c.id).limit(limit))]


def count_by_kind(engine: Engine, report_id: int) -> dict[str, int]:
    query = (select(findings.c.kind, func.count()).where(findings.c.report_id == report_id)
             .group_by(findings.c.kind))
    with engine.connect() as conn:
        return dict(conn.execute(query).all())
