"""The pull-sync on a timer, inside ``opbridge worker``, once per period however many workers run.

Every worker starts a scheduler whose ticks fall on the same wall-clock boundaries
(multiples of the period since the epoch). At each tick a worker tries the sync lock
and then claims the period in ``sync_runs``, whose period key is unique: the first
claim wins, and a worker that ticks late, or whose clock is a little off, finds the
period taken and skips it. The lock keeps a run that outlasts its period from
overlapping the next one.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from core.settings import Settings
from outbox.portfolio.drift_run import SCHEDULED, DriftBusy, due, run_drift
from outbox.store import Outbox
from outbox.values import utcnow
from outbox.sync import PeriodAlreadyRun, SyncBusy, run_sync

log = logging.getLogger("opbridge.scheduler")
# How often a worker looks whether the weekly drift report is due; the report's own
# start time, not this tick, sets its period, so restarts never skip or repeat one.
DRIFT_CHECK_SECONDS = 3600


def period_seconds(settings: Settings) -> int:
    """The sync period; seconds override minutes, 0 means no scheduled sync."""
    return settings.sync_every_seconds or settings.sync_every_minutes * 60


def period_key(moment: float, period: int) -> str:
    """The tick nearest ``moment``: a tick that fires a little late or early keeps its period."""
    return f"{period}s:{round(moment / period)}"


class SyncScheduler:
    def __init__(self, services: Any, outbox: Outbox, period: int) -> None:
        self.services = services
        self.outbox = outbox
        self.period = period
        self.stopping = threading.Event()
        self._scheduler = BackgroundScheduler(timezone=UTC)

    def start(self) -> None:
        if self.period > 0:
            first_tick = datetime.fromtimestamp(math.ceil(time.time() / self.period) * self.period, UTC)
            trigger = IntervalTrigger(seconds=self.period, start_date=first_tick, timezone=UTC)
            self._scheduler.add_job(self.tick, trigger, id="pull-sync", max_instances=1, coalesce=True,
                                    misfire_grace_time=max(1, self.period // 2))
        if self.services.settings.drift_every_days > 0:
            self._scheduler.add_job(self.drift_tick, IntervalTrigger(seconds=DRIFT_CHECK_SECONDS, timezone=UTC),
                                    id="portfolio-drift", max_instances=1, coalesce=True)
        self._scheduler.start()
        log.info("sync scheduler started", extra={"period_seconds": self.period})

    def stop(self) -> None:
        """Ask a run in progress to stop at its next step, and wait for it."""
        self.stopping.set()
        self._scheduler.shutdown(wait=True)
        log.info("sync scheduler stopped")

    def tick(self) -> None:
        key = period_key(time.time(), self.period)
        try:
            run_id = run_sync(self.services, self.outbox, trigger="schedule", period_key=key, stop=self.stopping)
        except (SyncBusy, PeriodAlreadyRun) as reason:
            log.info("scheduled sync skipped", extra={"period": key, "reason": str(reason)})
            return
        except Exception:  # noqa: BLE001 - a failed run is recorded; the next period tries again
            log.exception("scheduled sync failed", extra={"period": key})
            return
        log.info("scheduled sync ran", extra={"period": key, "sync_run": run_id})


    def drift_tick(self) -> None:
        """The weekly drift report, made by whichever worker finds it due first."""
        settings = self.services.settings
        if not (settings.whmcs_url and due(self.outbox.engine, settings.drift_every_days, utcnow())):
            return  # without WHMCS there is nothing to compare the account with
        try:
            run_drift(self.services, self.outbox, trigger=SCHEDULED)
        except DriftBusy:
            return
        except Exception:  # noqa: BLE001 - the next check tries again
            log.exception("scheduled drift report failed")


def start_scheduler(services: Any, outbox: Outbox, settings: Settings) -> SyncScheduler | None:
    """Start the periodic sync and drift report when configured; the caller stops it on shutdown."""
    period = period_seconds(settings)
    if period <= 0 and settings.drift_every_days <= 0:
        return None
    scheduler = SyncScheduler(services, outbox, period)
    scheduler.start()
    return scheduler
