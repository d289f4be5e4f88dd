"""``GET /api/v1/events/<webhook id>/outcome?wait=8``: the outcome the registrar module waits for.

After WHMCS's write is acknowledged, the module asks here once and holds the WHMCS request
until the event's commands are done or dead, or the wait ends. The request sleeps on the
notification the store sends when commands end (PostgreSQL NOTIFY, see outbox.notify),
reading the event's commands again only when woken; where there is no NOTIFY (SQLite,
MariaDB) it reads them every quarter second, as a worker polls. When opbridge already
knows Openprovider is away (a worker paused its calls, or a command of the event failed
a try and waits for its retry) it answers at once. An answer of ``pending`` queues the
write-back of the outcome into WHMCS (outbox.outcomes).
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app

from listener import api_common
from listener.api_schemas import EventOutcome, OutcomeQuery
from listener.errors import Refusal
from listener.hooks import WEBHOOK_ID
from listener.openapi import describe_blueprint, operation
from listener.services import services
from opclient.errors import OpenproviderError
from outbox import handlers  # noqa: F401 - registers the handlers, whose services say which types call Openprovider
from outbox.models import DEAD, DONE
from outbox.notify import start_waker
from outbox.outcomes import (
    ACTIONS, OPEN, UNKNOWN, Outcome, failure_sentence, openprovider_failing, queue_late_outcome, read_outcome,
)
from outbox.store import OUTCOMES_CHANNEL
from outbox.values import utcnow
from outbox.sync.decisions import STATUS_MAP
from outbox.sync.reading import openprovider_side

bp = Blueprint("outcome_api", __name__, url_prefix="/api/v1/events")
bp.before_request(api_common.require_token)
describe_blueprint(bp, "registrar module", errors=(400, 401, 403, 404), bearer_token=True)

POLL_SECONDS = 0.25  # where no NOTIFY wakes a waiter
# Openprovider counts as away while its newest try within this window failed.
AWAY_WINDOW = timedelta(minutes=2)
WAITER_KEY = "opbridge_outcome_waiter"


class OutcomeWaiter:
    """Wakes every request waiting in this process when commands end somewhere."""

    def __init__(self, engine: Any) -> None:
        self._changed = threading.Condition()
        self._generation = 0
        self._stopping = threading.Event()
        self.notified = start_waker(engine, self, self._stopping, OUTCOMES_CHANNEL) is not None

    def set(self) -> None:
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    @property
    def generation(self) -> int:
        with self._changed:
            return self._generation

    def wait(self, seen: int, timeout: float) -> int:
        """Sleep until a notification after generation ``seen`` (or ``timeout``, or the poll)."""
        limit = timeout if self.notified else min(timeout, POLL_SECONDS)
        with self._changed:
            self._changed.wait_for(lambda: self._generation != seen, timeout=limit)
            return self._generation


_WAITER_LOCK = threading.Lock()


def _waiter() -> OutcomeWaiter:
    # One per process, started by the first request: gunicorn's workers are forked after import.
    with _WAITER_LOCK:
        if WAITER_KEY not in current_app.extensions:
            current_app.extensions[WAITER_KEY] = OutcomeWaiter(services().engine)
        return current_app.extensions[WAITER_KEY]


@bp.get("/<webhook_id>/outcome")
@operation("What became of an event's commands, waiting up to ?wait seconds for them to end",
           answers={200: EventOutcome}, errors=(400, 404), query=OutcomeQuery, path={"webhook_id": api_common.WEBHOOK_ID_DOCS})
def event_outcome(webhook_id: str) -> dict[str, Any]:
    wait = api_common.query_args(OutcomeQuery())["wait"]
    if not WEBHOOK_ID.fullmatch(webhook_id):
        raise Refusal(404, "not_found", f"No event with webhook id {webhook_id!r} was received.")
    started = time.monotonic()
    outcome, away = _awaited(webhook_id, started + wait)
    if outcome.state == UNKNOWN:
        raise Refusal(404, "not_found", f"No event with webhook id {webhook_id!r} was received (or it was purged).")
    answer = _described(outcome)
    if outcome.state == OPEN:
        # Without WHMCS API credentials opbridge cannot write the outcome back; WHMCS's own
        # domain sync then moves Pending Registration on through the module's Sync.
        late = queue_late_outcome(services().outbox, outcome) if services().settings.whmcs_url else None
        answer |= {"state": "pending", "reason": away, "openprovider_away": away is not None,
                   "late_outcome_command": late}
    answer["waited_ms"] = round((time.monotonic() - started) * 1000)
    return EventOutcome().dump(answer)


def _awaited(webhook_id: str, deadline: float) -> tuple[Outcome, str | None]:
    """The outcome once it is final or the deadline passed, and why Openprovider is away if it is."""
    waiter = _waiter()
    while True:
        seen = waiter.generation  # before reading, so an end between the read and the wait still wakes us
        outcome = read_outcome(services().engine, webhook_id)
        if outcome.state != OPEN:
            return outcome, None
        away = outcome.failing or openprovider_failing(services().engine, utcnow() - AWAY_WINDOW)
        left = deadline - time.monotonic()
        if away or left <= 0:
            return outcome, away
        waiter.wait(seen, left)


def _described(outcome: Outcome) -> dict[str, Any]:
    lifecycle = outcome.lifecycle
    domain = outcome.commands[0]["aggregate_key"] if outcome.commands else None
    answer: dict[str, Any] = {
        "webhook_id": outcome.webhook_id, "state": outcome.state, "reason": None, "openprovider_away": False,
        "domain": domain, "action": ACTIONS.get(lifecycle["type"]) if lifecycle else "change",
        "status": None, "whmcs_status": None, "expiry_date": None, "late_outcome_command": None,
        "commands": outcome.commands,
    }
    failed = outcome.failed
    if outcome.state == DEAD and failed:
        answer["reason"] = failure_sentence(failed)
    if outcome.state == DONE and lifecycle and domain:
        answer |= _held_at_openprovider(domain)
    return answer


def _held_at_openprovider(domain: str) -> dict[str, Any]:
    """Openprovider's status and expiry after a registration, transfer or renewal; nothing
    when it cannot be read now (WHMCS then keeps the date it computed)."""
    try:
        found = services().clients.openprovider.domains.find(domain)
    except OpenproviderError:
        return {}
    side = openprovider_side(found, services().settings.expiry_source)
    return {"status": found.status, "whmcs_status": STATUS_MAP.get(found.status), "expiry_date": side.expiry_date}
