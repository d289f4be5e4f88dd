"""Open circuits as the whole fleet sees them (the ``circuits`` table), and closing one.

A worker's ``Circuit`` (outbox.circuit) pauses its own threads and hands their commands
back due at the pause's end. The row kept here says until when and why, to the
dashboard and to every worker; it lets an operator close a circuit
(``opbridge circuit close``, or the dashboard), and a worker that starts with other
credentials close it itself: either way the commands the pause held back are due at
once, instead of at the end of a pause meant for the settings that were refused.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update

from core.settings import Settings
from outbox.db import backend
from outbox.models import PENDING, AggregateLock, CircuitRecord, Command
from outbox.store import NOTIFY_CHANNEL

log = logging.getLogger("opbridge.circuit")

circuits = CircuitRecord.__table__
commands = Command.__table__
queues = AggregateLock.__table__
# A held-back command is due when its worker's pause ends, measured on that worker's
# monotonic clock; the row's end is the same moment on the wall clock, give or take this.
CLOCKS_APART = timedelta(seconds=5)
# The settings each service's circuit depends on: a change of any may cure a refusal.
SERVICE_SETTINGS = {
    "openprovider": ("op_url", "op_username", "op_password", "at_rest_keys"),
    "whmcs": ("whmcs_url", "whmcs_identifier", "whmcs_secret"),
}


def credentials_digest(settings: Settings, service: str) -> str:
    """A one-way digest of what the service's calls are made with; the settings themselves never leave.

    Salted per service and slow on purpose: the table may be read by people who must
    not learn a password by trying candidates against it.
    """
    names = SERVICE_SETTINGS.get(service) or sorted(vars(settings))  # a missing setting: any of them
    values = "\0".join(repr(getattr(settings, name, None)) for name in names).encode()
    return hashlib.pbkdf2_hmac("sha256", values, f"opbridge-circuit:{service}".encode(), 100_000)[:16].hex()


def record_opening(engine: Engine, service: str, now: datetime, until: datetime, code: str | None,
                   reason: str, credentials: str | None) -> None:
    row = dict(open_until=until, opened_at=now, code=code, reason=reason, credentials=credentials,
               closed_at=None, closed_by=None)
    with engine.begin() as conn:
        if not conn.execute(update(circuits).where(circuits.c.service == service).values(**row)).rowcount:
            conn.execute(insert(circuits).values(service=service, **row))


def open_circuits(engine: Engine, now: datetime) -> list[dict[str, Any]]:
    """The circuits holding calls back now, the longest pause first."""
    with engine.connect() as conn:
        rows = conn.execute(select(circuits).where(circuits.c.open_until > now).order_by(circuits.c.open_until.desc()))
        return [dict(row._mapping) for row in rows]


def close(engine: Engine, service: str, types: Sequence[str], now: datetime, closed_by: str) -> int | None:
    """Close the service's circuit and make the commands it held back due now.

    Returns how many commands are due again, or None when the circuit was not open.
    Commands of the service's types due before the pause's end come forward, with their
    queues' ``ready_at`` (which may be early, never late). The queues are locked first,
    in key order as enqueue does, and their version moves, so a claim that read them
    before leaves them for the next round.
    """
    with engine.begin() as conn:
        row = conn.execute(select(circuits).where(circuits.c.service == service).with_for_update()).first()
        if row is None or row.open_until is None or row.open_until <= now:
            return None
        conn.execute(update(circuits).where(circuits.c.service == service)
                     .values(open_until=None, closed_at=now, closed_by=closed_by[:255]))
        held_back = [commands.c.status == PENDING, commands.c.type.in_(list(types)),
                     commands.c.next_attempt_at > now, commands.c.next_attempt_at <= row.open_until + CLOCKS_APART]
        keys = sorted(set(conn.scalars(select(commands.c.aggregate_key).where(*held_back))))
        if keys:
            conn.execute(select(queues.c.aggregate_key).where(queues.c.aggregate_key.in_(keys))
                         .order_by(queues.c.aggregate_key).with_for_update()).all()
        due = conn.execute(update(commands).where(*held_back).values(next_attempt_at=now)).rowcount if keys else 0
        if keys:
            conn.execute(update(queues).where(queues.c.aggregate_key.in_(keys), queues.c.ready_at > now)
                         .values(ready_at=now, version=queues.c.version + 1))
            if backend(engine) == "postgresql":
                conn.exec_driver_sql(f"NOTIFY {NOTIFY_CHANNEL}")
    log.warning("circuit closed: calls to the service resume now",
                extra={"service": service, "closed_by": closed_by, "commands_due": due})
    return due


def closed_for_fleet(engine: Engine, service: str) -> bool:
    """True when the fleet's row says the service's circuit was closed (False too when no row is kept)."""
    with engine.connect() as conn:
        row = conn.execute(select(circuits.c.open_until).where(circuits.c.service == service)).first()
    return row is not None and row.open_until is None


def close_if_credentials_changed(engine: Engine, service: str, credentials: str, types: Sequence[str],
                                 now: datetime, worker: str) -> int | None:
    """At a worker's start: a circuit opened on other settings than this worker's is closed."""
    with engine.connect() as conn:
        row = conn.execute(select(circuits).where(circuits.c.service == service)).first()
    if row is None or row.open_until is None or row.open_until <= now or row.credentials == credentials:
        return None
    return close(engine, service, types, now, f"worker {worker}, started with other settings")

