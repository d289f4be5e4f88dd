"""The catalogue refresh on a timer, inside ``opbridge worker``: once per ``tld_refresh_hours``
however many workers run.

Each worker looks every few minutes; the one that takes the catalogue's lock refreshes
when the newest ``refreshed_at`` is older than the period, so a restart, a second worker
or a refresh from the command line never makes an extra round of reads.
"""
from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from core.settings import Settings
from opclient.errors import OpenproviderError
from outbox.catalogue.audit import NoExchangeRate, run_audit
from outbox.catalogue.entries import tlds
from outbox.catalogue.premium_watch import check_premium_renewals
from outbox.catalogue.refresh import refresh_catalogue
from outbox.leader import exclusive
from outbox.values import utcnow
from whmcsapi.errors import WhmcsError

log = logging.getLogger("opbridge.catalogue")
LOCK_NAME = "tld-catalogue"
LOOK_EVERY_SECONDS = 300


def refresh_if_due(services: Any, hours: int) -> bool:
    """Refresh when the catalogue is older than ``hours``; whether this call refreshed it."""
    engine = services.engine
    with exclusive(engine, LOCK_NAME) as held:
        if not held:
            return False
        with engine.connect() as conn:
            newest = conn.scalar(select(func.max(tlds.c.refreshed_at)))
        if newest is not None and utcnow() - newest < timedelta(hours=hours):
            return False
        summary = refresh_catalogue(services.openprovider, engine)
        premium_changes = check_premium_renewals(services.openprovider, engine)
        _audit(services)
    log.info("TLD catalogue refreshed", extra={"tlds": summary.total, "changed": summary.changed + summary.added,
                                                "removed": summary.removed, "premium_renewals_changed": premium_changes})
    return True


def _audit(services: Any) -> None:
    """The margin audit after a refresh, when the WHMCS API is configured."""
    settings = services.settings
    if not (settings.whmcs_url and settings.whmcs_identifier and settings.whmcs_secret):
        return
    try:
        findings = run_audit(services.engine, services.whmcs)
    except (NoExchangeRate, WhmcsError) as error:
        log.warning("margin audit skipped", extra={"reason": str(error)})
        return
    log.info("margin audit done", extra={"findings": len(findings)})


class CatalogueScheduler:
    def __init__(self, services: Any, hours: int) -> None:
        self.services = services
        self.hours = hours
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self._stopping = threading.Event()

    def start(self) -> None:
        self._scheduler.add_job(self.tick, IntervalTrigger(seconds=LOOK_EVERY_SECONDS, timezone=UTC),
                                id="tld-catalogue", max_instances=1, coalesce=True, next_run_time=_soon())
        self._scheduler.start()

    def stop(self) -> None:
        self._stopping.set()
        self._scheduler.shutdown(wait=True)

    def tick(self) -> None:
        if self._stopping.is_set():
            return
        try:
            refresh_if_due(self.services, self.hours)
        except OpenproviderError as error:
            log.warning("TLD catalogue refresh failed; the next look tries again", extra={"error": str(error)})
        except Exception:  # noqa: BLE001 - the worker keeps running; the next look tries again
            log.exception("TLD catalogue refresh failed")


def _soon() -> datetime:
    """The first look, a moment after start so a new worker fills an empty catalogue."""
    return datetime.now(UTC) + timedelta(seconds=5)


def start_catalogue_scheduler(services: Any, settings: Settings) -> CatalogueScheduler | None:
    if settings.tld_refresh_hours <= 0 or not settings.op_url:
        return None
    scheduler = CatalogueScheduler(services, settings.tld_refresh_hours)
    scheduler.start()
    return scheduler
