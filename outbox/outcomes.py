"""What became of an event's commands: the outcome the registrar module waits for.

A write from the registrar module (register, transfer, renew, nameservers, ...) is one
event; its commands are done, dead, or still open. The module asks once, waiting a few
seconds, and tells WHMCS the truth: done is success, dead is an error with
Openprovider's sentence. When the answer is still open, WHMCS is told "pending" and a
``whmcs_late_outcome`` command is queued behind the event's commands on the same domain:
the per-domain order runs it when they end, and it writes their outcome into WHMCS.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from outbox.failures import OPENPROVIDER
from outbox.models import DEAD, DONE, PENDING, RUNNING, Attempt, Command, Event
from outbox.registry import registry
from outbox.store import Outbox, first_id_written
from outbox.values import NewCommand, NewEvent, utcnow

LATE_OUTCOME = "whmcs_late_outcome"
# The WHMCS action each lifecycle command stands for; the others are plain changes.
ACTIONS = {"register_domain": "register", "transfer_domain": "transfer", "renew_domain": "renew"}
OPEN, UNKNOWN = "open", "unknown"

# A try handed back for later: retried on the schedule, or paused with its circuit.
FAILED_TRIES = ("retry", "paused")

attempts = Attempt.__table__
commands = Command.__table__
events = Event.__table__


@dataclasses.dataclass(frozen=True)
class Outcome:
    """``state``: done (every command done), dead (one is dead), open, or unknown (no such event)."""

    webhook_id: str
    state: str
    commands: list[dict[str, Any]]

    @property
    def failed(self) -> dict[str, Any] | None:
        return next((command for command in self.commands if command["status"] == DEAD), None)

    @property
    def lifecycle(self) -> dict[str, Any] | None:
        """The register, transfer or renew command of the event, if it has one."""
        return next((command for command in self.commands if command["type"] in ACTIONS), None)

    @property
    def failing(self) -> str | None:
        """The error of a command that failed a try and waits for its retry: Openprovider away."""
        return next((command["last_error"] for command in self.commands
                     if command["status"] == PENDING and command["attempts"] > 0 and command["last_error"]), None)


def read_outcome(engine: Engine, webhook_id: str) -> Outcome:
    with engine.connect() as conn:
        event_id = conn.scalar(select(events.c.id).where(events.c.webhook_id == webhook_id))
        if event_id is None:
            return Outcome(webhook_id, UNKNOWN, [])
        rows = conn.execute(
            select(commands.c.id, commands.c.type, commands.c.status, commands.c.aggregate_key, commands.c.attempts,
                   commands.c.last_error_code, commands.c.last_error, commands.c.payload)
            .where(commands.c.event_id == event_id).order_by(commands.c.id)
        ).all()
    found = [dict(row._mapping) for row in rows]
    statuses = {command["status"] for command in found}
    state = DEAD if DEAD in statuses else OPEN if statuses & {PENDING, RUNNING} else DONE
    return Outcome(webhook_id, state, found)


def failure_sentence(command: dict[str, Any]) -> str:
    """A dead command's reason as WHMCS shows it: Openprovider's sentence and its code."""
    code = command.get("last_error_code")
    sentence = command.get("last_error") or "The command failed at Openprovider."
    return f"{sentence} (code {code})" if code else sentence


def openprovider_failing(engine: Engine, since: datetime) -> str | None:
    """The error of Openprovider's newest try since ``since`` when it failed (a timeout, a
    5xx, maintenance, or a circuit that paused its calls), else None: then a write is not
    worth waiting for, its command will only be retried later."""
    openprovider_types = [name for name in registry.names() if registry.get(name).service == OPENPROVIDER]
    with engine.connect() as conn:
        newest = conn.execute(
            select(attempts.c.outcome, attempts.c.error)
            .join(commands, commands.c.id == attempts.c.command_id)
            .where(attempts.c.id >= first_id_written(conn, attempts, attempts.c.started_at, since),
                   commands.c.type.in_(openprovider_types))
            .order_by(attempts.c.id.desc()).limit(1)
        ).first()
    return newest.error if newest is not None and newest.outcome in FAILED_TRIES else None


def late_outcome_webhook_id(webhook_id: str) -> str:
    return f"{webhook_id}/late-outcome"


def queue_late_outcome(outbox: Outbox, outcome: Outcome) -> int | None:
    """Queue the write-back of an open outcome behind the event's commands; once per event.

    The follow-up has an event of its own, named after the event it reports on, so that
    asking twice (the module's retry, a second WHMCS request) queues it once.
    """
    if not outcome.commands:
        return None
    first = outcome.commands[0]
    lifecycle = outcome.lifecycle or first
    payload = {
        "webhook_id": outcome.webhook_id,
        "command_ids": [command["id"] for command in outcome.commands],
        "domain": first["aggregate_key"],
        "domain_id": lifecycle["payload"].get("domain_id"),
        "action": ACTIONS.get(lifecycle["type"], "change"),
        "command_type": lifecycle["type"],
        "expiry_before": lifecycle["payload"].get("expiry_date"),
        "queued_at": utcnow().isoformat(),  # when WHMCS was told "pending"
    }
    queued = outbox.enqueue(
        NewEvent(late_outcome_webhook_id(outcome.webhook_id), LATE_OUTCOME, "{}"),
        [NewCommand(LATE_OUTCOME, first["aggregate_key"], payload)],
    )
    return None if queued.duplicate else queued.command_ids[0]
