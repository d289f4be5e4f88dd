"""Keeping the reason of each request the hook endpoint refused, for the events page.

Refused requests come from anyone who can reach the endpoint, so this process keeps at
most a few a second: a flood of bad requests costs the database a few rows, not one
each. A refusal because the database is unavailable is not kept (it could not be).
"""
from __future__ import annotations

import logging
import threading
import time

from flask import g, request

from listener.hooks import WEBHOOK_ID
from listener.metrics import HOOK_ENDPOINT
from listener.services import services
from outbox.event_log import record_refusal
from outbox.values import utcnow

log = logging.getLogger("opbridge.listener")
PER_SECOND = 5


class Budget:
    """At most ``rate`` takes in any second, across this process's threads."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.second = 0
        self.taken = 0
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = int(time.monotonic())
            if now != self.second:
                self.second, self.taken = now, 0
            self.taken += 1
            return self.taken <= self.rate


_budget = Budget(PER_SECOND)


def keep(status: int, code: str, message: str) -> None:
    if request.endpoint != HOOK_ENDPOINT or code == "database_unavailable" or not _budget.take():
        return
    webhook_id = request.headers.get("webhook-id")
    try:
        record_refusal(services().engine, utcnow(), status, code, message,
                       webhook_id if webhook_id and WEBHOOK_ID.fullmatch(webhook_id) else None, g.get("event_type"))
    except Exception:  # noqa: BLE001 - the answer to the sender matters more than the record of it
        log.warning("could not keep the reason of a refused event", exc_info=True)
