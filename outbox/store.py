"""The outbox store: the only module that writes command state.

All of the queue's SQL is here. A command moves pending -> running -> done, or back to
pending after a transient failure, or to dead when it fails for good or runs out of
attempts. Claims are per-domain FIFO: a command waits while an older command of its
aggregate key is pending or running, or while any command of that key is running.

Each aggregate key's row in aggregate_locks (its queue) keeps ``ready_at``: from when
its oldest pending command may run, or NULL while one of its commands runs. Every
change of a command's status updates that row in the same transaction, so a claim
range-scans the due queues and never walks the commands that cannot run.
"""
from __future__ import annotations

import collections
import contextlib
import dataclasses
import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    Engine, Integer, bindparam, case, cast, delete, exists, func, insert, literal_column, null, or_, select, text, update,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError

from outbox.db import backend
from outbox.models import (
    DEAD, DONE, PENDING, RUNNING, STATUSES, TALLY_SLOTS, AggregateLock, Attempt, Command, CommandTally, Event, Timestamp,
)
from outbox.redaction import redact_command, redact_event

DEFAULT_SCHEDULE = (10, 60, 300, 900, 3600, 10800, 21600, 43200, 86400, 86400)
NOTIFY_CHANNEL = "opbridge_commands"
# Sent when commands end (done or dead) or a try fails: wakes whoever waits for an outcome.
OUTCOMES_CHANNEL = "opbridge_outcomes"
JITTER = 0.2

commands = Command.__table__
attempts = Attempt.__table__
events = Event.__table__
# Built once: constructing .values() per call costs more than executing the insert.
INSERT_EVENT = insert(events)
INSERT_COMMAND = insert(commands)
INSERT_ATTEMPT = insert(attempts)
queues = AggregateLock.__table__


def _lock_aggregate(new: Any) -> list[tuple[Any, Any]]:
    # The increments come from the inserted row, not parameters of their own, so that
    # many keys go in as one multi-row statement (PyMySQL batches no parameters there). New commands queue behind any open
    # one, so the queue's head changes only when it had none. MariaDB assigns left to
    # right, each seeing the ones before: ready_at goes first, while unfinished is old.
    return [
        (queues.c.ready_at, case((queues.c.unfinished == literal_column("0"), new.ready_at), else_=queues.c.ready_at)),
        (queues.c.unfinished, queues.c.unfinished + new.unfinished),
        (queues.c.enqueued, queues.c.enqueued + new.enqueued),
        (queues.c.version, queues.c.version + new.version),
    ]


_lock_postgresql, _lock_sqlite, _lock_mysql = postgresql.insert(queues), sqlite.insert(queues), mysql.insert(queues)
LOCK_AGGREGATE = {
    "postgresql": _lock_postgresql.on_conflict_do_update(
        index_elements=[queues.c.aggregate_key], set_=dict(_lock_aggregate(_lock_postgresql.excluded))
    ),
    "sqlite": _lock_sqlite.on_conflict_do_update(
        index_elements=[queues.c.aggregate_key], set_=dict(_lock_aggregate(_lock_sqlite.excluded))
    ),
    "mysql": _lock_mysql.on_duplicate_key_update([(column.name, value) for column, value in _lock_aggregate(_lock_mysql.inserted)]),
}


def _earliest(column: Any, at: Any) -> Any:
    return case((or_(column.is_(None), column > at), at), else_=column)


# The due time of the domain's oldest pending command, NULL when it has none.
_HEAD_DUE = (select(commands.c.next_attempt_at)
             .where(commands.c.aggregate_key == queues.c.aggregate_key, commands.c.status == PENDING)
             .order_by(commands.c.id).limit(1).scalar_subquery())
# A command of the domain left running (``left`` 1) or was replayed: ``delta`` open
# commands more (-1 when it finished), and the queue's head may run from its due time on (a retry's, or
# an older replayed command's). On PostgreSQL this statement may wait for an enqueue's
# lock and then not see its commands: the counter, read from the row as it is now, still
# says the queue is open, and a head it cannot see is woken ``now``. Early is harmless:
# the claim that looks sets the exact time.
MOVE_QUEUE = update(queues).where(queues.c.aggregate_key == bindparam("key")).ordered_values(
    (queues.c.ready_at, case((queues.c.unfinished + bindparam("delta", type_=Integer) <= 0, null()),
                             else_=_earliest(queues.c.ready_at,
                                             func.coalesce(_HEAD_DUE, bindparam("now", type_=Timestamp))))),
    (queues.c.unfinished, queues.c.unfinished + bindparam("delta", type_=Integer)),
    (queues.c.running, queues.c.running - bindparam("left", type_=Integer)),
    (queues.c.version, queues.c.version + 1),
)
# What a claim found a due queue to hold: its head leased (``leased`` 1), busy, or not yet due.
PARK_QUEUE = update(queues).where(queues.c.aggregate_key == bindparam("key")).values(
    ready_at=bindparam("ready"), running=queues.c.running + bindparam("leased", type_=Integer),
    version=queues.c.version + 1,
)
tallies = CommandTally.__table__
_tally_postgresql, _tally_sqlite, _tally_mysql = postgresql.insert(tallies), sqlite.insert(tallies), mysql.insert(tallies)
_TALLY_KEY = [tallies.c.status, tallies.c.type, tallies.c.slot]
ADD_TO_TALLY = {
    "postgresql": _tally_postgresql.on_conflict_do_update(
        index_elements=_TALLY_KEY, set_={"n": tallies.c.n + _tally_postgresql.excluded.n}),
    "sqlite": _tally_sqlite.on_conflict_do_update(index_elements=_TALLY_KEY, set_={"n": tallies.c.n + _tally_sqlite.excluded.n}),
    "mysql": _tally_mysql.on_duplicate_key_update(n=tallies.c.n + _tally_mysql.inserted.n),
}
# One id range of a purge on PostgreSQL, in one statement: the done commands of the range
# (a command being replayed is locked and stays), deleted with their attempts by the
# foreign key's cascade, counted by type for the tallies. The server does the work; no
# list of ids travels to Python and back, which cost more than the deletes.
PURGE_RANGE_POSTGRESQL = text("""
WITH doomed AS (
    SELECT id FROM commands
    WHERE id >= :start AND id < :end AND status = 'done' AND finished_at < :cutoff
    FOR UPDATE SKIP LOCKED
), gone AS (
    DELETE FROM commands WHERE id IN (SELECT id FROM doomed) RETURNING type
)
SELECT type, count(*) AS n FROM gone GROUP BY type
""")
# A change of status as the tallies count it: (status, type, +1 or -1).
Move = tuple[str, str, int]
CLAIMED_COLUMNS = (commands.c.id, commands.c.type, commands.c.aggregate_key, commands.c.payload,
                   commands.c.attempts, commands.c.max_attempts, commands.c.state, commands.c.next_attempt_at)
# The worker's round on PostgreSQL, in one statement and so one round trip: record the
# successes of the last round (and their attempts rows), then lease the next batch.
# Every part sees the snapshot from before the statement, so a domain whose command is
# finished here gets its next command leased in the next round, never in this one.
#
# ``due`` takes the queues whose head may run, from the ready_at index; locking returns
# each row as it is now, so a queue whose version moved since the snapshot was changed
# by a transaction this statement cannot see: it is left for the next round. ``heads``
# is one index seek per queue, written as a seek of ix_commands_aggregate that no other
# index can serve: asked for "the oldest pending command of this domain", a planner
# whose statistics predate the domain (one hot domain, say) walked the pending commands
# of every domain in id order instead. Whether the domain has a command running, the
# queue row says.
# The commands to update come as arrays of ids, which the planner can only look up by
# key: joined instead, with statistics from before a burst (one pending command, say),
# it walked every pending command once per head.
#
# Locks: ``woken`` locks in key order, as enqueue does (Python sorts by code point, as
# collation "C" does), so neither waits for the other; and it waits for its locks before
# ``due`` takes any (``due`` reads its result), since a queue ``due`` held meanwhile could
# be the one an enqueue waits for. ``tallied`` reads ``leased`` whole, so it takes its
# locks last, as every transaction does (see Outbox._tally).
#
# Outbox._claim is the same rule for the other backends: change both.
COMPLETE_AND_CLAIM_POSTGRESQL = """
WITH finished AS (
    SELECT * FROM json_to_recordset(%(finished)s::json)
        AS f(id bigint, number int, started_at timestamp, duration_ms int, note text, calls json)
), settled AS (
    UPDATE commands
    SET status = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = %(now)s, finished_at = %(now)s
    WHERE id = ANY(ARRAY(SELECT id FROM finished)) AND status = 'running' AND lease_owner = %(owner)s
    RETURNING id, aggregate_key, type
), recorded AS (
    INSERT INTO attempts (command_id, number, worker, started_at, duration_ms, outcome, error, calls)
    SELECT f.id, f.number, %(owner)s, f.started_at, f.duration_ms,
           CASE WHEN f.id IN (SELECT id FROM settled) THEN 'done' ELSE 'lease_lost' END, f.note, f.calls
    FROM finished f
), woken AS (
    UPDATE aggregate_locks q
    SET ready_at = CASE WHEN q.unfinished > 1 THEN LEAST(COALESCE(q.ready_at, %(now)s), %(now)s) END,
        unfinished = q.unfinished - 1, running = q.running - 1, version = q.version + 1
    FROM (SELECT aggregate_key FROM aggregate_locks WHERE aggregate_key IN (SELECT aggregate_key FROM settled)
          ORDER BY aggregate_key COLLATE "C" FOR UPDATE) w
    WHERE q.aggregate_key = w.aggregate_key
    RETURNING q.aggregate_key
), due AS (
    SELECT q.aggregate_key, q.version, q.running FROM aggregate_locks q
    WHERE q.ready_at <= %(now)s AND q.aggregate_key NOT IN (SELECT aggregate_key FROM woken)
    ORDER BY q.ready_at
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
), heads AS (
    SELECT d.aggregate_key, CASE WHEN f.mine THEN f.id END AS id, CASE WHEN f.mine THEN f.next_attempt_at END AS next_attempt_at,
           d.version = (SELECT s.version FROM aggregate_locks s WHERE s.aggregate_key = d.aggregate_key) AS fresh,
           d.running > 0 AS busy
    FROM due d
    LEFT JOIN LATERAL (
        SELECT p.id, p.next_attempt_at, p.aggregate_key = d.aggregate_key AND p.status = 'pending' AS mine
        FROM commands p
        WHERE (p.aggregate_key, p.status, p.id) > (d.aggregate_key, 'pending', 0)
        ORDER BY p.aggregate_key, p.status, p.id LIMIT 1
    ) f ON true
), parked AS (
    UPDATE aggregate_locks q
    SET ready_at = CASE WHEN h.busy OR h.id IS NULL OR h.next_attempt_at <= %(now)s THEN NULL
                        ELSE h.next_attempt_at END,
        running = q.running + CASE WHEN NOT h.busy AND h.next_attempt_at <= %(now)s THEN 1 ELSE 0 END,
        version = q.version + 1
    FROM heads h
    WHERE q.aggregate_key = h.aggregate_key AND h.fresh
), leased AS (
    UPDATE commands
    SET status = 'running', lease_owner = %(owner)s, lease_expires_at = %(expires)s, claimed_at = %(now)s,
        attempts = commands.attempts + 1, updated_at = %(now)s
    WHERE commands.id = ANY(ARRAY(SELECT h.id FROM heads h
                                  WHERE h.fresh AND NOT h.busy AND h.next_attempt_at <= %(now)s))
      AND commands.status = 'pending'
    RETURNING commands.id, commands.type, commands.aggregate_key, commands.payload,
              commands.attempts, commands.max_attempts, commands.state, commands.next_attempt_at
), tallied AS (
    INSERT INTO command_tallies (status, type, slot, n)
    SELECT m.status, m.type, %(slot)s, sum(m.n) FROM (
        SELECT 'running' AS status, type, -1 AS n FROM settled
        UNION ALL SELECT 'done', type, 1 FROM settled
        UNION ALL SELECT 'pending', type, -1 FROM leased
        UNION ALL SELECT 'running', type, 1 FROM leased
    ) m
    GROUP BY m.status, m.type
    HAVING sum(m.n) <> 0
    ORDER BY m.status COLLATE "C", m.type COLLATE "C"
    ON CONFLICT (status, type, slot) DO UPDATE SET n = command_tallies.n + excluded.n
)
SELECT * FROM leased
"""
# MariaDB's answers to a value it cannot take, which its driver reports as OperationalError:
# incorrect string value, invalid character string, a failed CHECK (JSON_VALID), invalid JSON.
_MYSQL_REFUSED_VALUE = {1300, 1366, 3140, 4025}
# SQLite takes one writer at a time. Threads of one process queue here instead of in
# SQLite's busy handler, which sleeps 1, 2, 5, 10 ms... and so leaves the lock idle.
_SQLITE_WRITES = threading.Lock()


# Tries that count as failures on the dashboard: retried, given up, or lost with their worker.
FAILED_OUTCOMES = ("retry", DEAD, "lease_expired")
# Whole minutes from ``start`` to a timestamp column, per backend.
MINUTES_SINCE = {
    "postgresql": lambda column, start: cast(func.floor(func.extract("epoch", column - start) / 60), Integer),
    "mysql": lambda column, start: func.timestampdiff(literal_column("MINUTE"), start, column),
    "sqlite": lambda column, start: (cast(func.strftime("%s", column), Integer)
                                     - cast(func.strftime("%s", start), Integer)) // 60,
}


def utcnow() -> datetime:
    """Naive UTC: every timestamp column holds UTC without a zone, on every backend."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def refused_value(error: BaseException) -> bool:
    """True when the database or its driver refused a value it was given, and would again.

    False for a server out of reach, a lost connection, a lock or a deadlock: trying the
    same write later can succeed.
    """
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return False
        code = error.orig.args[0] if error.orig is not None and error.orig.args else None
        return isinstance(error, DataError) or (isinstance(code, int) and code in _MYSQL_REFUSED_VALUE)
    if isinstance(error, StatementError):  # a parameter the driver could not convert
        error = error.orig
    return isinstance(error, (UnicodeError, ValueError, TypeError))


@dataclasses.dataclass(frozen=True)
class NewEvent:
    webhook_id: str
    type: str
    body: str
    key_id: str | None = None


@dataclasses.dataclass(frozen=True)
class NewCommand:
    type: str
    aggregate_key: str
    payload: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Enqueued:
    event_id: int | None
    command_ids: list[int]
    duplicate: bool = False


@dataclasses.dataclass(frozen=True)
class Claimed:
    """A command a worker holds the lease on."""

    id: int
    type: str
    aggregate_key: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    state: dict[str, Any]
    lease_owner: str
    claimed_at: datetime
    runnable_since: datetime | None = None  # when it became due: the start of its dispatch lag


@dataclasses.dataclass(frozen=True)
class Failure:
    """Why a try failed; ``transient`` failures are retried on the schedule."""

    message: str
    code: str | None = None
    transient: bool = True
    retry_after: float | None = None


@dataclasses.dataclass(frozen=True)
class MinuteOfTries:
    start: datetime
    done: int
    failed: int


def first_id_written(conn: Connection, table: Any, written_at: Any, moment: datetime) -> int:
    """The lowest id of a row written at or after ``moment``, found on the primary key.

    Ids are handed out as rows are written, so they follow ``written_at`` (up to the
    transactions in flight at one moment). A bound on the id is a range of every index
    the table has, where a bound on the time column has no index to use. Galloping back
    from the newest row and then bisecting costs a few point lookups, growing with the
    log of the rows written since ``moment``.
    """
    newest = conn.scalar(select(func.max(table.c.id)))
    if newest is None:
        return 0

    def written_from(row_id: int) -> datetime:
        return conn.scalar(select(written_at).where(table.c.id >= row_id).order_by(table.c.id).limit(1))

    if written_from(newest) < moment:
        return newest + 1  # a quiet spell: nothing since ``moment``
    # Rows from ``high`` on were written at or after ``moment``; the row at or after ``low``, before it.
    low, high, step = 0, newest, 64
    while newest - step > 0:
        probe = newest - step
        if written_from(probe) < moment:
            low = probe
            break
        high, step = probe, step * 2
    while high - low > 1:
        middle = (low + high) // 2
        if written_from(middle) < moment:
            low = middle
        else:
            high = middle
    return high


# A success the worker has yet to record: the command, the handler's note, its calls.
Finished = tuple[Claimed, "str | None", "list[Any] | None"]


def _claimed(row: Any, owner: str, now: datetime) -> Claimed:
    return Claimed(
        id=row.id, type=row.type, aggregate_key=row.aggregate_key, payload=row.payload, attempts=row.attempts,
        max_attempts=row.max_attempts, state=row.state or {}, lease_owner=owner, claimed_at=now,
        runnable_since=row.next_attempt_at,
    )


def _moved(type_: str, before: str, after: str) -> list[Move]:
    return [(before, type_, -1), (after, type_, 1)]


def _elapsed_ms(started: datetime, now: datetime) -> int:
    return max(0, int((now - started).total_seconds() * 1000))


def _attempt_row(command_id: int, number: int, owner: str | None, started: datetime, now: datetime,
                 outcome: str, failure: Failure | None, note: str | None, calls: list[Any] | None) -> dict[str, Any]:
    """One try as the attempts table keeps it: a failure's code and message, or the handler's note."""
    return dict(
        command_id=command_id, number=number, worker=owner, started_at=started,
        duration_ms=_elapsed_ms(started, now), outcome=outcome,
        error_code=failure.code if failure else None, error=failure.message if failure else note, calls=calls,
    )


class Outbox:
    def __init__(
        self,
        engine: Engine,
        retry_schedule: Sequence[int] = DEFAULT_SCHEDULE,
        lease_seconds: int = 120,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.retry_schedule = tuple(retry_schedule)
        self.max_attempts = len(self.retry_schedule) + 1
        self.lease = timedelta(seconds=lease_seconds)
        self.clock = clock
        self.rng = rng or random.Random()
        self.backend = backend(engine)

    @classmethod
    def from_settings(cls, engine: Engine, settings: Any, **kwargs: Any) -> Outbox:
        return cls(engine, settings.retry_schedule, settings.lease_seconds, **kwargs)

    # -- enqueue -------------------------------------------------------------

    # Many rows in one statement, their ids returned in the order the rows were given.
    _INSERT_EVENTS = (INSERT_EVENT, INSERT_EVENT.returning(events.c.id, sort_by_parameter_order=True))
    _INSERT_COMMANDS = (INSERT_COMMAND, INSERT_COMMAND.returning(commands.c.id, sort_by_parameter_order=True))

    def enqueue(self, event: NewEvent | None, new_commands: Sequence[NewCommand]) -> Enqueued:
        """Store an event and its commands in one transaction; a seen webhook id adds nothing."""
        try:
            [stored] = self.enqueue_many([(event, new_commands)])
        except IntegrityError:
            existing = self._event_id(event.webhook_id) if event else None
            if existing is None:
                raise
            return Enqueued(existing, [], duplicate=True)
        return stored

    def enqueue_many(self, batch: Sequence[tuple[NewEvent | None, Sequence[NewCommand]]]) -> list[Enqueued]:
        """Store several events and their commands in one transaction: one commit for all.

        All or nothing: a webhook id seen before (or twice in the batch) raises
        IntegrityError and stores nothing, so the caller can enqueue each event alone.
        """
        now = self.clock()
        with self._one_writer(), self.engine.begin() as conn:
            event_ids = self._insert_events(conn, [event for event, _ in batch], now)
            self._lock_aggregates(conn, [command.aggregate_key for _, group in batch for command in group], now)
            rows = [self._command_row(event_id, command, now)
                    for event_id, (_, group) in zip(event_ids, batch) for command in group]
            ids = iter(self._insert_rows(conn, self._INSERT_COMMANDS, rows))
            self._tally(conn, [(PENDING, row["type"], 1) for row in rows])
            if rows and self.backend == "postgresql":
                conn.exec_driver_sql(f"NOTIFY {NOTIFY_CHANNEL}")
        return [Enqueued(event_id, [next(ids) for _ in group]) for event_id, (_, group) in zip(event_ids, batch)]

    def _one_writer(self) -> contextlib.AbstractContextManager[Any]:
        return _SQLITE_WRITES if self.backend == "sqlite" else contextlib.nullcontext()

    def _insert_events(self, conn: Connection, new_events: list[NewEvent | None], now: datetime) -> list[int | None]:
        rows = [dict(webhook_id=event.webhook_id, type=event.type, body=event.body, key_id=event.key_id, received_at=now)
                for event in new_events if event]
        ids = iter(self._insert_rows(conn, self._INSERT_EVENTS, rows))
        return [next(ids) if event else None for event in new_events]

    def _insert_rows(self, conn: Connection, statements: tuple[Any, Any], rows: list[dict[str, Any]]) -> list[int]:
        """The new rows' ids in the order of ``rows``; MySQL, without INSERT ... RETURNING, takes a statement a row."""
        one, many = statements
        if len(rows) > 1 and conn.dialect.insert_executemany_returning_sort_by_parameter_order:
            return list(conn.scalars(many, rows))
        return [conn.execute(one, row).inserted_primary_key[0] for row in rows]

    def _lock_aggregates(self, conn: Connection, keys: list[str], now: datetime) -> None:
        # Ids come from a sequence at insert time, so two transactions enqueueing for one
        # domain could commit out of id order and a worker could run the younger first.
        # Holding these rows' locks until commit makes ids follow commit order per domain;
        # taking them in key order keeps two transactions from each waiting for the other.
        # The same upsert counts the domains' new open commands.
        added = collections.Counter(keys)
        rows = [dict(aggregate_key=key, enqueued=1, unfinished=added[key], ready_at=now, version=1)
                for key in sorted(added)]
        if rows:
            conn.execute(LOCK_AGGREGATE[self.backend], rows)

    def _command_row(self, event_id: int | None, command: NewCommand, now: datetime) -> dict[str, Any]:
        return dict(
            event_id=event_id,
            type=command.type,
            aggregate_key=command.aggregate_key,
            payload=command.payload,
            status=PENDING,
            attempts=0,
            max_attempts=self.max_attempts,
            next_attempt_at=now,
            state={},
            created_at=now,
            updated_at=now,
        )

    def _event_id(self, webhook_id: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.scalar(select(events.c.id).where(events.c.webhook_id == webhook_id))

    # -- claim and lease -----------------------------------------------------

    def claim(self, owner: str, limit: int = 1) -> list[Claimed]:
        """Lease up to ``limit`` runnable commands, oldest first, at most one per domain."""
        return self.complete_and_claim(owner, [], limit)

    def complete_and_claim(self, owner: str, finished: Sequence[Finished], limit: int) -> list[Claimed]:
        """Mark ``finished`` done and lease up to ``limit`` more, in one transaction.

        The worker loop calls this once per round, so a busy worker pays one commit for
        a batch of outcomes and the next batch of work. On PostgreSQL it is one statement.
        """
        if not finished and limit <= 0:
            return []  # a shutdown's last rounds: nothing to record, nothing to lease
        now = self.clock()
        if self.backend == "postgresql":
            with self.engine.connect() as conn:
                autocommit = conn.execution_options(isolation_level="AUTOCOMMIT")
                rows = autocommit.exec_driver_sql(
                    COMPLETE_AND_CLAIM_POSTGRESQL, self._round_parameters(owner, finished, limit, now)
                ).all()
                if finished:
                    autocommit.exec_driver_sql(f"NOTIFY {OUTCOMES_CHANNEL}")
        else:
            with self._one_writer(), self.engine.begin() as conn:
                moves = self._complete_many(conn, finished, now) if finished else []
                rows = self._claim(conn, owner, limit, now) if limit > 0 else []
                self._tally(conn, moves + [move for row in rows for move in _moved(row.type, PENDING, RUNNING)])
        return sorted((_claimed(row, owner, now) for row in rows), key=lambda command: command.id)

    def _claim(self, conn: Connection, owner: str, limit: int, now: datetime) -> list[Any]:
        """COMPLETE_AND_CLAIM_POSTGRESQL's rule, a statement a step: change both.

        The due queues stay locked from the first step, so the later ones read their
        commands as they are (SQLite's BEGIN IMMEDIATE already serialises claims).
        """
        due = (select(queues.c.aggregate_key, queues.c.running).where(queues.c.ready_at <= now)
               .order_by(queues.c.ready_at).limit(limit).with_for_update(skip_locked=True))
        queued = conn.execute(due).all()
        if not queued:
            return []
        keys = [key for key, _ in queued]
        busy = {key for key, running in queued if running}
        mine = commands.c.aggregate_key.in_(keys)
        oldest = (select(func.min(commands.c.id)).where(mine, commands.c.status == PENDING).group_by(commands.c.aggregate_key)
                  .with_hint(commands, "FORCE INDEX (ix_commands_aggregate)", "mysql"))
        heads = {row.aggregate_key: row for row in conn.execute(
            select(commands.c.id, commands.c.aggregate_key, commands.c.next_attempt_at).where(commands.c.id.in_(oldest))
        )}
        ids = [head.id for key, head in heads.items() if key not in busy and head.next_attempt_at <= now]
        leased = {heads[key].aggregate_key for key in keys if key in heads and heads[key].id in ids}
        conn.execute(PARK_QUEUE, [
            dict(key=key, leased=int(key in leased),
                 ready=None if key in busy or key not in heads or heads[key].next_attempt_at <= now
                 else heads[key].next_attempt_at)
            for key in keys
        ])
        if not ids:
            return []
        lease = update(commands).where(commands.c.id.in_(ids)).values(
            attempts=commands.c.attempts + 1, updated_at=now, status=RUNNING, lease_owner=owner,
            lease_expires_at=now + self.lease, claimed_at=now,
        )
        if self.backend == "mysql":  # MariaDB has no UPDATE ... RETURNING
            conn.execute(lease)
            return conn.execute(select(*CLAIMED_COLUMNS).where(commands.c.id.in_(ids))).all()
        return conn.execute(lease.returning(*CLAIMED_COLUMNS)).all()

    def _tally(self, conn: Connection, moves: Iterable[Move]) -> None:
        """Add changes of status to the tallies: a transaction's last writes, in key order.

        Last, so that no transaction waits for a tally row while holding a lock another
        one needs first; in key order, so that two never wait for each other's rows.
        """
        summed: collections.Counter[tuple[str, str]] = collections.Counter()
        for status, type_, n in moves:
            summed[status, type_] += n
        slot = random.randrange(TALLY_SLOTS)
        rows = [dict(status=status, type=type_, slot=slot, n=n) for (status, type_), n in sorted(summed.items()) if n]
        if rows:
            conn.execute(ADD_TO_TALLY[self.backend], rows)

    def _round_parameters(self, owner: str, finished: Sequence[Finished], limit: int, now: datetime) -> dict[str, Any]:
        # One JSON document rather than six arrays: the driver escapes array elements one
        # by one, which for call records cost more than the rest of the round.
        rows = [
            dict(id=command.id, number=command.attempts, started_at=command.claimed_at.isoformat(),
                 duration_ms=_elapsed_ms(command.claimed_at, now), note=note, calls=calls)
            for command, note, calls in finished
        ]
        return dict(owner=owner, now=now, expires=now + self.lease, limit=limit, finished=json.dumps(rows),
                    slot=random.randrange(TALLY_SLOTS))

    def renew_lease(self, owner: str, ids: Iterable[int]) -> int:
        """Push the lease of commands still running under ``owner``; returns how many."""
        ids = list(ids)
        if not ids:
            return 0
        now = self.clock()
        with self.engine.begin() as conn:
            result = conn.execute(
                update(commands)
                .where(commands.c.id.in_(ids), commands.c.lease_owner == owner, commands.c.status == RUNNING)
                .values(lease_expires_at=now + self.lease, updated_at=now)
            )
        return result.rowcount

    def refresh_statistics(self) -> None:
        """Let the server's planner see the queue as it is now.

        Without statistics (a new table, or a burst since the last auto-analyze) PostgreSQL
        may probe a domain's older work through the (status, id) index instead of the
        per-domain one, and a claim over a few thousand pending commands takes seconds.
        """
        statement = {"postgresql": "ANALYZE commands", "mysql": "ANALYZE TABLE commands"}.get(self.backend)
        if statement:
            with self.engine.begin() as conn:
                conn.exec_driver_sql(statement)

    def recover_expired(self, limit: int = 500) -> int:
        """Put commands whose worker vanished back in line; the lost try counts as an attempt."""
        now = self.clock()
        with self.engine.begin() as conn:
            query = (
                select(commands.c.id, commands.c.aggregate_key, commands.c.type, commands.c.attempts,
                       commands.c.max_attempts, commands.c.lease_owner, commands.c.claimed_at)
                .where(commands.c.status == RUNNING, commands.c.lease_expires_at < now)
                .order_by(commands.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            rows = conn.execute(query).all()
            moves: list[Move] = []
            # Queues are locked in key order, as enqueue locks them.
            for row in sorted(rows, key=lambda row: row.aggregate_key):
                failure = Failure("The worker holding this command stopped before finishing it.", "lease_expired")
                exhausted = row.attempts >= row.max_attempts
                self._finish_try(
                    conn, row.id, row.aggregate_key, row.type, moves, row.lease_owner, row.claimed_at or now, now,
                    row.attempts, status=DEAD if exhausted else PENDING, outcome="lease_expired", failure=failure,
                    next_attempt_at=now, guard_owner=False,
                )
            self._tally(conn, moves)
        return len(rows)

    # -- outcomes ------------------------------------------------------------

    def save_state(self, command: Claimed, state: dict[str, Any]) -> bool:
        """Durably record a handler's note before a call whose effect must not repeat."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(commands)
                .where(commands.c.id == command.id, commands.c.lease_owner == command.lease_owner, commands.c.status == RUNNING)
                .values(state=state, updated_at=self.clock())
            )
        return result.rowcount == 1

    def complete(self, command: Claimed, note: str | None = None, calls: list[Any] | None = None) -> bool:
        """Mark done. False when the lease was lost meanwhile (another worker may run it)."""
        now = self.clock()
        with self.engine.begin() as conn:
            return self._finish_alone(conn, command, now, status=DONE, outcome="done", note=note, calls=calls)

    def _complete_many(self, conn: Connection, finished: Sequence[Finished], now: datetime) -> list[Move]:
        owner = finished[0][0].lease_owner
        done = update(commands).values(status=DONE, lease_owner=None, lease_expires_at=None, updated_at=now, finished_at=now)
        if self.backend == "mysql":  # MariaDB has no UPDATE ... RETURNING
            held = {
                command.id for command, _, _ in finished
                if conn.execute(done.where(commands.c.id == command.id, commands.c.status == RUNNING,
                                           commands.c.lease_owner == owner)).rowcount
            }
        else:
            held = set(conn.scalars(done.where(
                commands.c.id.in_([command.id for command, _, _ in finished]), commands.c.status == RUNNING,
                commands.c.lease_owner == owner,
            ).returning(commands.c.id)))
        conn.execute(INSERT_ATTEMPT, [
            _attempt_row(command.id, command.attempts, owner, command.claimed_at, now,
                         "done" if command.id in held else "lease_lost", None, note, calls)
            for command, note, calls in finished
        ])
        settled = sorted(command.aggregate_key for command, _, _ in finished if command.id in held)
        if settled:
            conn.execute(MOVE_QUEUE, [dict(key=key, delta=-1, left=1, now=now) for key in settled])
        return [move for command, _, _ in finished if command.id in held for move in _moved(command.type, RUNNING, DONE)]

    def fail(self, command: Claimed, failure: Failure, calls: list[Any] | None = None) -> str:
        """Record a failed try; returns the command's new status (pending or dead)."""
        now = self.clock()
        retry = failure.transient and command.attempts < command.max_attempts
        next_at = now + timedelta(seconds=self.retry_delay(command.attempts, failure.retry_after)) if retry else None
        status = PENDING if retry else DEAD
        with self.engine.begin() as conn:
            self._finish_alone(conn, command, now, status=status, outcome="retry" if retry else "dead", failure=failure,
                             next_attempt_at=next_at, calls=calls)
        return status

    def release(self, command: Claimed, delay_seconds: float = 0, failure: Failure | None = None) -> bool:
        """Give a command back without spending its attempt (shutdown, or a paused circuit)."""
        now = self.clock()
        with self.engine.begin() as conn:
            return self._finish_alone(
                conn, command, now, status=PENDING, outcome="paused", failure=failure,
                next_attempt_at=now + timedelta(seconds=delay_seconds),
                refund=True, record=failure is not None,
            )

    def retry_delay(self, attempts: int, retry_after: float | None = None) -> float:
        base = self.retry_schedule[min(attempts, len(self.retry_schedule)) - 1]
        delay = base * self.rng.uniform(1 - JITTER, 1 + JITTER)
        return max(delay, retry_after or 0)

    def _finish_alone(self, conn: Connection, command: Claimed, now: datetime, **outcome: Any) -> bool:
        """One try's end in a transaction of its own."""
        moves: list[Move] = []
        held = self._finish_try(conn, command.id, command.aggregate_key, command.type, moves, command.lease_owner,
                                command.claimed_at, now, command.attempts, **outcome)
        self._tally(conn, moves)
        return held

    def _finish_try(
        self,
        conn: Connection,
        command_id: int,
        key: str,
        type_: str,
        moves: list[Move],
        owner: str | None,
        started: datetime,
        now: datetime,
        number: int,
        *,
        status: str,
        outcome: str,
        failure: Failure | None = None,
        note: str | None = None,
        next_attempt_at: datetime | None = None,
        calls: list[Any] | None = None,
        refund: bool = False,
        record: bool = True,
        guard_owner: bool = True,
    ) -> bool:
        values: dict[str, Any] = dict(status=status, lease_owner=None, lease_expires_at=None, updated_at=now)
        if status in (DONE, DEAD):
            values["finished_at"] = now
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        if failure is not None:
            values.update(last_error_code=failure.code, last_error=failure.message)
        if refund:
            values["attempts"] = commands.c.attempts - 1
        where = [commands.c.id == command_id, commands.c.status == RUNNING]
        if guard_owner:
            where.append(commands.c.lease_owner == owner)
        held = conn.execute(update(commands).where(*where).values(**values)).rowcount == 1
        if held:
            conn.execute(MOVE_QUEUE, dict(key=key, delta=-1 if status in (DONE, DEAD) else 0, left=1, now=now))
            moves += _moved(type_, RUNNING, status)
            if (status in (DONE, DEAD) or failure is not None) and self.backend == "postgresql":
                conn.exec_driver_sql(f"NOTIFY {OUTCOMES_CHANNEL}")  # an end, or a failed try: Openprovider away
        if record:
            conn.execute(INSERT_ATTEMPT, _attempt_row(command_id, number, owner, started, now,
                                                      outcome if held else "lease_lost", failure, note, calls))
        return held

    # -- operator actions ----------------------------------------------------

    def replay(self, ids: Sequence[int]) -> list[int]:
        """Send done or dead commands back to pending with fresh attempts; history stays.

        Returns the ids replayed: pending, running and unknown ids are left alone.
        """
        now = self.clock()
        where = [commands.c.id.in_(list(ids)), commands.c.status.in_((DEAD, DONE))]
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(commands.c.id, commands.c.aggregate_key, commands.c.type, commands.c.status)
                .where(*where).order_by(commands.c.id).with_for_update()
            ).all()
            chosen = [row.id for row in rows]
            if chosen:
                conn.execute(
                    update(commands)
                    .where(commands.c.id.in_(chosen))
                    .values(status=PENDING, attempts=0, next_attempt_at=now, finished_at=None, updated_at=now)
                )
                added = collections.Counter(row.aggregate_key for row in rows)
                conn.execute(MOVE_QUEUE, [dict(key=key, delta=added[key], left=0, now=now) for key in sorted(added)])
                self._tally(conn, [move for row in rows for move in _moved(row.type, row.status, PENDING)])
                if self.backend == "postgresql":
                    conn.exec_driver_sql(f"NOTIFY {NOTIFY_CHANNEL}")
        return list(chosen)

    def replayable(
        self,
        status: str = DEAD,
        type: str | None = None,
        aggregate_key: str | None = None,
        since: datetime | None = None,
    ) -> list[int]:
        """Ids of the finished commands a filter picks, oldest first, for ``replay``."""
        if status not in (DEAD, DONE):
            raise ValueError("only dead or done commands can be replayed")
        query = select(commands.c.id).where(commands.c.status == status).order_by(commands.c.id)
        if type:
            query = query.where(commands.c.type == type)
        if aggregate_key:
            query = query.where(commands.c.aggregate_key == aggregate_key)
        if since:
            query = query.where(commands.c.updated_at >= since)
        with self.engine.connect() as conn:
            return list(conn.scalars(query))

    def purge(self, older_than_days: int, batch: int = 2000, pause: float = 0.03) -> int:
        """Delete done commands finished before the retention period, then the events left without commands.

        Both tables are walked by id, ``batch`` ids a transaction, with a pause between
        transactions: each is a range of the primary key, holds its locks for a few
        milliseconds, and leaves the workers' rounds room between them. Nothing here
        depends on the planner's statistics being current, which a purge makes stale.
        """
        cutoff = self.clock() - timedelta(days=older_than_days)
        removed = 0
        for start, end in self._id_ranges(commands, batch):
            with self.engine.begin() as conn:
                gone = self._purge_range(conn, start, end, cutoff)
                self._tally(conn, [(DONE, type_, -n) for type_, n in gone.items()])
                removed += sum(gone.values())
            time.sleep(pause)
        with self.engine.connect() as conn:
            last = first_id_written(conn, events, events.c.received_at, cutoff)
        for start, end in self._id_ranges(events, batch, last):
            with self.engine.begin() as conn:
                # One probe of ix_commands_event per event of the range.
                conn.execute(delete(events).where(
                    events.c.id >= start, events.c.id < end, events.c.received_at < cutoff,
                    ~exists().where(commands.c.event_id == events.c.id),
                ))
            time.sleep(pause)
        return removed

    def _purge_range(self, conn: Connection, start: int, end: int, cutoff: datetime) -> dict[str, int]:
        """Delete the done commands of ids [start, end) finished before ``cutoff``; how many of each type."""
        if self.backend == "postgresql":
            found = conn.execute(PURGE_RANGE_POSTGRESQL, dict(start=start, end=end, cutoff=cutoff)).all()
            return {row.type: row.n for row in found}
        rows = conn.execute(
            select(commands.c.id, commands.c.type)
            .where(commands.c.id >= start, commands.c.id < end, commands.c.status == DONE,
                   commands.c.finished_at < cutoff)
            .with_for_update(skip_locked=True)  # one being replayed stays
        ).all()
        if rows:
            ids = [row.id for row in rows]
            conn.execute(delete(attempts).where(attempts.c.command_id.in_(ids)))
            conn.execute(delete(commands).where(commands.c.id.in_(ids)))
        return dict(collections.Counter(row.type for row in rows))

    def _id_ranges(self, table: Any, size: int, end: int | None = None) -> Iterator[tuple[int, int]]:
        """[start, end) ranges of ``size`` ids covering the table's ids below ``end``."""
        with self.engine.connect() as conn:
            low, high = conn.execute(select(func.min(table.c.id), func.max(table.c.id))).one()
        if low is None:
            return
        stop = high + 1 if end is None else min(end, high + 1)
        for start in range(low, stop, size):
            yield start, min(start + size, stop)

    # -- reads ---------------------------------------------------------------
    # What operators read, so every row leaves here with its secrets masked
    # (outbox.redaction); handlers get their payloads through claims, never from here.

    def list_commands(
        self,
        status: str | None = None,
        type: str | None = None,
        aggregate_key: str | None = None,
        limit: int = 100,
        after_id: int | None = None,
        created_from: datetime | None = None,
        created_before: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Commands newest first; ``after_id`` is the keyset: the last id of the page before."""
        query = select(commands).order_by(commands.c.id.desc()).limit(limit)
        if status:
            query = query.where(commands.c.status == status)
        if type:
            query = query.where(commands.c.type == type)
        if aggregate_key:
            query = query.where(commands.c.aggregate_key == aggregate_key)
        if after_id:
            query = query.where(commands.c.id < after_id)
        with self.engine.connect() as conn:
            # A time range becomes an id range, which every index on commands ends in.
            if created_from:
                first = first_id_written(conn, commands, commands.c.created_at, created_from)
                query = query.where(commands.c.id >= first, commands.c.created_at >= created_from)
            if created_before:
                beyond = first_id_written(conn, commands, commands.c.created_at, created_before)
                query = query.where(commands.c.id < beyond, commands.c.created_at < created_before)
            return [redact_command(dict(row._mapping)) for row in conn.execute(query)]

    def tries_per_minute(self, minutes: int = 60) -> list[MinuteOfTries]:
        """Finished and failed tries in each of the last ``minutes`` minutes, oldest first."""
        now = self.clock()
        start = now.replace(second=0, microsecond=0) - timedelta(minutes=minutes - 1)
        with self.engine.connect() as conn:
            recent = attempts.c.id >= first_id_written(conn, attempts, attempts.c.started_at, start)
            tries = select(MINUTES_SINCE[self.backend](attempts.c.started_at, start).label("minute"),
                           attempts.c.outcome).where(recent, attempts.c.started_at >= start).subquery()
            rows = conn.execute(
                select(tries.c.minute, tries.c.outcome, func.count()).group_by(tries.c.minute, tries.c.outcome)
            ).all()
        done, failed = [0] * minutes, [0] * minutes
        for minute, outcome, n in rows:
            if 0 <= minute < minutes:
                if outcome == DONE:
                    done[int(minute)] += n
                elif outcome in FAILED_OUTCOMES:
                    failed[int(minute)] += n
        return [MinuteOfTries(start + timedelta(minutes=i), done[i], failed[i]) for i in range(minutes)]

    def last_pause(self, since: datetime) -> dict[str, Any] | None:
        """The newest try a worker handed back because a service refused it (a circuit opening)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(attempts)
                .where(attempts.c.id >= first_id_written(conn, attempts, attempts.c.started_at, since),
                       attempts.c.outcome == "paused", attempts.c.error_code.is_not(None))
                .order_by(attempts.c.id.desc())
                .limit(1)
            ).first()
        return dict(row._mapping) if row else None

    def counts_by_type(self, statuses: Sequence[str] = STATUSES) -> dict[str, dict[str, int]]:
        """{type: {status: n}} over commands of ``statuses``, for every type that has any, from the tallies."""
        counted: dict[str, dict[str, int]] = {}
        for (status, type_), n in self.command_counts().items():
            if status in statuses:
                counted.setdefault(type_, dict.fromkeys(statuses, 0))[status] = n
        return dict(sorted(counted.items()))

    def command_counts(self) -> dict[tuple[str, str], int]:
        """{(status, type): n} for every pair with commands, from the tallies: a few rows, never the table."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(tallies.c.status, tallies.c.type, func.sum(tallies.c.n)).group_by(tallies.c.status, tallies.c.type)
            ).all()
        return {(status, type_): int(n) for status, type_, n in rows if n}

    def oldest_due(self) -> datetime | None:
        """When the longest-waiting domain's next command became runnable; None when none waits.

        The minimum of an index: a domain's commands queued behind its running or
        backed-off head do not count, since they cannot run yet.
        """
        with self.engine.connect() as conn:
            return conn.scalar(select(func.min(queues.c.ready_at)))

    def get_command(self, command_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(commands).where(commands.c.id == command_id)).first()
            if row is None:
                return None
            history = conn.execute(
                select(attempts).where(attempts.c.command_id == command_id).order_by(attempts.c.id)
            ).all()
        return redact_command({**row._mapping, "history": [dict(item._mapping) for item in history]})

    def counts(self) -> dict[str, int]:
        """{status: n} for every status, from the tallies."""
        counted = dict.fromkeys(STATUSES, 0)
        for (status, _), n in self.command_counts().items():
            counted[status] += n
        return counted

    def get_event(self, webhook_id: str) -> dict[str, Any] | None:
        """An accepted event with the commands it enqueued (None when unknown or purged)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(events).where(events.c.webhook_id == webhook_id)).first()
            if row is None:
                return None
            enqueued = conn.execute(select(commands).where(commands.c.event_id == row.id).order_by(commands.c.id)).all()
        return redact_event({**row._mapping, "commands": [dict(item._mapping) for item in enqueued]})
