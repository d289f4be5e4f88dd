"""Changes of a command's state after its claim: success, failure, release, saved state, replay
and discard; each moves its domain's queue row and the tallies in the same transaction."""
from __future__ import annotations

import collections
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, bindparam, case, func, insert, null, or_, select, tuple_, update
from sqlalchemy.engine import Connection

from outbox.models import DEAD, DISCARDED, DONE, PENDING, RUNNING, Timestamp
from outbox.store.schema import JITTER, NOTIFY_CHANNEL, OUTCOMES_CHANNEL, attempts, commands, queues
from outbox.store.tallies import Move, moved
from outbox.values import Claimed, Failure, Finished

INSERT_ATTEMPT = insert(attempts)


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
# A done command's last error belongs to an earlier try (its attempts keep it): the
# command itself shows none, or lists read an old failure as current.
ERROR_CLEARED = {"last_error_code": None, "last_error": None}


def elapsed_ms(started: datetime, now: datetime) -> int:
    return max(0, int((now - started).total_seconds() * 1000))


def _attempt_row(command_id: int, number: int, owner: str | None, started: datetime, now: datetime,
                 outcome: str, failure: Failure | None, note: str | None, calls: list[Any] | None) -> dict[str, Any]:
    """One try as the attempts table keeps it: a failure's code and message, or the handler's note."""
    return dict(
        command_id=command_id, number=number, worker=owner, started_at=started,
        duration_ms=elapsed_ms(started, now), outcome=outcome,
        error_code=failure.code if failure else None, error=failure.message if failure else note, calls=calls,
    )


class Changes:
    def save_state(self, command: Claimed, state: dict[str, Any]) -> bool:
        """Durably record a handler's note before a call whose effect must not repeat."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(commands)
                .where(commands.c.id == command.id, commands.c.lease_owner == command.lease_owner,
                       commands.c.attempts == command.attempts, commands.c.status == RUNNING)
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
        done = update(commands).values(status=DONE, lease_owner=None, lease_expires_at=None, updated_at=now, finished_at=now,
                                       **ERROR_CLEARED).where(commands.c.status == RUNNING, commands.c.lease_owner == owner)
        tries = [(command.id, command.attempts) for command, _, _ in finished]
        if self.backend == "mysql":  # MariaDB has no UPDATE ... RETURNING
            held = {(id_, number) for id_, number in tries
                    if conn.execute(done.where(commands.c.id == id_, commands.c.attempts == number)).rowcount}
        else:
            held = {(row.id, row.attempts) for row in conn.execute(done.where(
                commands.c.id.in_([id_ for id_, _ in tries]), tuple_(commands.c.id, commands.c.attempts).in_(tries),
            ).returning(commands.c.id, commands.c.attempts))}
        conn.execute(INSERT_ATTEMPT, [
            _attempt_row(command.id, command.attempts, owner, command.claimed_at, now,
                         "done" if (command.id, command.attempts) in held else "lease_lost", None, note, calls)
            for command, note, calls in finished
        ])
        settled = [command for command, _, _ in finished if (command.id, command.attempts) in held]
        if settled:
            conn.execute(MOVE_QUEUE, [dict(key=key, delta=-1, left=1, now=now)
                                      for key in sorted(command.aggregate_key for command in settled)])
        return [move for command in settled for move in moved(command.type, RUNNING, DONE)]

    def fail(self, command: Claimed, failure: Failure, calls: list[Any] | None = None) -> str:
        """Record a failed try; returns the command's new status (pending or dead)."""
        now = self.clock()
        retry = failure.transient and command.attempts < command.max_attempts
        # A replay raises max_attempts past the tries made: the schedule restarts from its start.
        tries = max(1, command.attempts - (command.max_attempts - self.max_attempts))
        next_at = now + timedelta(seconds=self.retry_delay(tries, failure.retry_after)) if retry else None
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
        if status == DONE:
            values.update(ERROR_CLEARED)
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        if failure is not None:
            values.update(last_error_code=failure.code, last_error=failure.message)
        if refund:
            values["attempts"] = commands.c.attempts - 1
        where = [commands.c.id == command_id, commands.c.status == RUNNING]
        if guard_owner:
            # The try, not only the owner: a worker can lease a command again (its lease
            # expired under a late heartbeat) while its earlier try still runs, and that
            # try's outcome must not end the new one.
            where += [commands.c.lease_owner == owner, commands.c.attempts == number]
        held = conn.execute(update(commands).where(*where).values(**values)).rowcount == 1
        if held:
            conn.execute(MOVE_QUEUE, dict(key=key, delta=-1 if status in (DONE, DEAD) else 0, left=1, now=now))
            moves += moved(type_, RUNNING, status)
            if (status in (DONE, DEAD) or failure is not None) and self.backend == "postgresql":
                conn.exec_driver_sql(f"NOTIFY {OUTCOMES_CHANNEL}")  # an end, or a failed try: Openprovider away
        if record:
            conn.execute(INSERT_ATTEMPT, _attempt_row(command_id, number, owner, started, now,
                                                      outcome if held else "lease_lost", failure, note, calls))
        return held

    # -- operator actions ----------------------------------------------------

    def replay(self, ids: Sequence[int]) -> list[int]:
        """Send done or dead commands back to pending with fresh attempts; history stays.

        Tries go on counting (the next is numbered after the last in the history) and the
        allowance grows by a whole schedule. Returns the ids replayed: pending, running,
        discarded and unknown ids are left alone.
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
                    .values(status=PENDING, max_attempts=commands.c.attempts + self.max_attempts,
                            next_attempt_at=now, finished_at=None, updated_at=now)
                )
                added = collections.Counter(row.aggregate_key for row in rows)
                conn.execute(MOVE_QUEUE, [dict(key=key, delta=added[key], left=0, now=now) for key in sorted(added)])
                self._tally(conn, [move for row in rows for move in moved(row.type, row.status, PENDING)])
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

    def discard(self, ids: Sequence[int], reason: str) -> list[int]:
        """Set dead commands aside for good: status discarded, the reason a row of their history.

        Nothing is deleted (purge takes them after the retention, as done ones). A dead
        command holds no place in its domain's queue, so the queues stay as they are.
        Returns the ids discarded: any not dead are left alone.
        """
        now = self.clock()
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(commands.c.id, commands.c.type, commands.c.attempts)
                .where(commands.c.id.in_(list(ids)), commands.c.status == DEAD).order_by(commands.c.id).with_for_update()
            ).all()
            if rows:
                conn.execute(update(commands).where(commands.c.id.in_([row.id for row in rows]))
                             .values(status=DISCARDED, updated_at=now, finished_at=now))
                conn.execute(INSERT_ATTEMPT, [
                    _attempt_row(row.id, row.attempts, None, now, now, DISCARDED, None, reason, None) for row in rows
                ])
                self._tally(conn, [move for row in rows for move in moved(row.type, DEAD, DISCARDED)])
        return [row.id for row in rows]
