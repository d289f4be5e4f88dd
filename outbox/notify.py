"""Wake idle workers the moment work is enqueued, through PostgreSQL LISTEN/NOTIFY.

The store sends NOTIFY in the enqueueing transaction, so the signal arrives at commit.
Polling stays the fallback (and the only way on SQLite and MariaDB): a lost signal
delays work by one poll interval at most.
"""
from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from outbox.db import backend
from outbox.store import NOTIFY_CHANNEL

log = logging.getLogger("opbridge.notify")


def start_waker(engine: Engine, wake: threading.Event, stopping: threading.Event) -> threading.Thread | None:
    """Set ``wake`` on every notification until ``stopping``; None where there is no NOTIFY."""
    if backend(engine) != "postgresql":
        return None
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    thread = threading.Thread(target=_listen, args=(conninfo, wake, stopping), name="notify", daemon=True)
    thread.start()
    return thread


def _listen(conninfo: str, wake: threading.Event, stopping: threading.Event) -> None:
    import psycopg

    while not stopping.is_set():
        try:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                wake.set()  # anything enqueued while we were not listening
                while not stopping.is_set():
                    for _ in conn.notifies(timeout=1.0):
                        wake.set()
        except psycopg.Error as error:
            log.warning("LISTEN connection lost; polling until it is back", extra={"error": str(error)})
            stopping.wait(5)
