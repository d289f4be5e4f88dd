"""One drift report: read both sides whole, compare, store the findings, and mail a
scheduled report whose findings changed since the one before."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from outbox.leader import exclusive
from outbox.portfolio import drift_records
from outbox.portfolio.drift import find_drift
from outbox.portfolio.sides import ours, read_portfolio
from outbox.store import Outbox
from outbox.values import NewCommand, utcnow
from outbox.sync.decisions import Rules
from outbox.sync.reading import reading_client

log = logging.getLogger("opbridge.portfolio")

LOCK_NAME = "portfolio-drift"
SCHEDULED = "schedule"
SEND_DRIFT_REPORT = "send_drift_report"
DRIFT_REPORT_KEY = "drift-report"
Progress = Callable[[int, int], None]


class DriftBusy(Exception):
    """Another drift report is being made."""


def run_drift(services: Any, outbox: Outbox, *, trigger: str = "manual", clock: Callable[[], datetime] = utcnow,
              progress: Progress | None = None) -> int:
    """Make one report and return its id; a scheduled one that changed is mailed."""
    engine, settings = outbox.engine, services.settings
    with exclusive(engine, LOCK_NAME) as held:
        if not held:
            raise DriftBusy("Another drift report is being made.")
        now = clock()
        report_id = drift_records.start_report(engine, trigger, now)
        with reading_client(settings, 1) as client:
            portfolio = read_portfolio(services.whmcs, client, settings.expiry_source, progress)
        rules = Rules(settings.next_due_date_offset, settings.due_date_max_difference_days)
        found = find_drift(portfolio, ours(settings), rules, now.replace(tzinfo=UTC))
        count, fingerprint = drift_records.save_findings(engine, report_id, found)
        changed = drift_records.finish_report(engine, report_id, clock(), count=count, fingerprint=fingerprint,
                                              whmcs_domains=len(portfolio.whmcs),
                                              account_domains=len(portfolio.account))
    if changed and trigger == SCHEDULED:
        outbox.enqueue(None, [NewCommand(SEND_DRIFT_REPORT, DRIFT_REPORT_KEY, {"report_id": report_id})])
    log.info("drift report made", extra={"drift_report": report_id, "findings": count, "changed": changed})
    return report_id


def due(engine: Any, every_days: int, now: datetime) -> bool:
    """Whether a scheduled report is due: none yet, or the last is ``every_days`` old."""
    last = drift_records.last_started(engine, SCHEDULED)
    return every_days > 0 and (last is None or (now - last).total_seconds() >= every_days * 86400 - 3600)
