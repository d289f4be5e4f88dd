"""A lock one process at a time may hold, across every host sharing the database.

PostgreSQL and MariaDB/MySQL hold it as a session lock on a connection kept for the
duration (``pg_try_advisory_lock``, ``GET_LOCK``); SQLite, which is one host by design,
as an exclusive ``flock`` on a file beside the database. Either way the lock goes with
its holder: a process that dies releases it without anyone's help.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator

from sqlalchemy import Engine, text

from outbox.db import backend

_memory_locks: dict[str, threading.Lock] = {}
MYSQL_LOCK_NAME_MAX = 64


@contextlib.contextmanager
def exclusive(engine: Engine, name: str, wait: bool = False) -> Iterator[bool]:
    """Take the lock ``name``; yields whether it was taken (always, with ``wait``, once free)."""
    kind = backend(engine)
    if kind == "sqlite":
        with _file_lock(engine, name, wait) as held:
            yield held
    else:
        with _session_lock(engine, name, kind, wait) as held:
            yield held


@contextlib.contextmanager
def _session_lock(engine: Engine, name: str, kind: str, wait: bool) -> Iterator[bool]:
    if kind == "postgresql":
        take = "SELECT true FROM pg_advisory_lock(:key)" if wait else "SELECT pg_try_advisory_lock(:key)"
        release, key = "SELECT pg_advisory_unlock(:key)", _number(name)
    else:
        # MariaDB answers NULL to MySQL's "-1 waits for ever": a day is as good.
        take = f"SELECT GET_LOCK(:key, {86400 if wait else 0})"
        release, key = "SELECT RELEASE_LOCK(:key)", _server_wide_name(engine, name)
    with engine.connect() as conn:
        held = bool(conn.scalar(text(take), {"key": key}))
        conn.commit()  # the lock belongs to the session, not to this transaction
        try:
            yield held
        finally:
            if held:
                conn.scalar(text(release), {"key": key})
                conn.commit()


def _server_wide_name(engine: Engine, name: str) -> str:
    """A GET_LOCK name of this database's own: MariaDB's named locks span the whole server,
    where one server often holds the databases of several installations."""
    full = f"opbridge:{engine.url.database}:{name}"
    return full if len(full) <= MYSQL_LOCK_NAME_MAX else f"opbridge:{hashlib.sha256(full.encode()).hexdigest()[:55]}"


def _number(name: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks."""
    return int.from_bytes(hashlib.sha256(f"opbridge:{name}".encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def _file_lock(engine: Engine, name: str, wait: bool) -> Iterator[bool]:
    database = engine.url.database
    if not database or database == ":memory:":
        # An in-memory database lives in one process: a lock in that process is enough.
        lock = _memory_locks.setdefault(name, threading.Lock())
        held = lock.acquire(blocking=wait)
        try:
            yield held
        finally:
            if held:
                lock.release()
        return
    path = f"{os.path.abspath(database)}.{name}.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
