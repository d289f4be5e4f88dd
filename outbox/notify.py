"""Wake whoever waits for the outbox, through PostgreSQL LISTEN/NOTIFY.

The store sends NOTIFY on ``NOTIFY_CHANNEL`` in the enqueueing transaction, so idle
workers wake at commit, and on ``OUTCOMES_CHANNEL`` when commands end, so a request
waiting for an event's outcome (listener.outcome_api) wakes at once. Polling stays the
fallback (and the only way on SQLite and MariaDB): a lost signal delays a waiter by one
poll interval at most.
"""
from __future__ import annotations

import logging
import threading
from typing import Protocol

from sqlalchemy import Engine

from outbox.db import backend
from outbox.store import NOTIFY_CHANNEL

log = logging.getLogger("opbridge.notify")


class Wakeable(Protocol):
    def set(self) -> None: ...


def start_waker(engine: Engine, wake: Wakeable, stopping: threading.Event,
                channel: str = NOTIFY_CHANNEL) -> threading.Thread | None:
    """Set ``wake`` on every notification of ``channel`` until ``stopping``; None where there is no NOTIFY."""
    if backend(engine) != "postgresql":
        return None
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    thread = threading.Thread(target=_listen, args=(conninfo, wake, stopping, channel), name="notify", daemon=True)
    thread.start()
    return thread


def _listen(conninfo: str, wake: Wakeable, stopping: threading.Event, channel: str) -> None:
    import psycopg

    while not stopping.is_set():
        try:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f"LISTEN {channel}")
                wake.set()  # anything enqueued while we were not listening
                while not stopping.is_set():
                    for _ in conn.notifies(timeout=1.0):
                        wake.set()
        except psycopg.Error as error:
            log.warning("LISTEN connection lost; polling until it is back", extra={"error": str(error)})
            stopping.wait(5)
