"""Claiming and leasing: the worker's round (record successes, lease the next batch), lease
renewal and the recovery of commands whose worker vanished."""
from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, func, select, update
from sqlalchemy.engine import Connection

from outbox.models import DEAD, PENDING, RUNNING, TALLY_SLOTS
from outbox.store.changes import elapsed_ms
from outbox.store.schema import OUTCOMES_CHANNEL, commands, queues
from outbox.store.tallies import Move, moved
from outbox.values import Claimed, Failure, Finished

# What a claim found a due queue to hold: its head leased (``leased`` 1), busy, or not yet due.
PARK_QUEUE = update(queues).where(queues.c.aggregate_key == bindparam("key")).values(
    ready_at=bindparam("ready"), running=queues.c.running + bindparam("leased", type_=Integer),
    version=queues.c.version + 1,
)
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
# it walked every pending command once per head. A success is settled only where its
# try still holds the lease (see Changes._finish_try); a late one is recorded lease_lost.
#
# Locks: ``woken`` locks in key order, as enqueue does (Python sorts by code point, as
# collation "C" does), so neither waits for the other; and it waits for its locks before
# ``due`` takes any (``due`` reads its result), since a queue ``due`` held meanwhile could
# be the one an enqueue waits for. ``tallied`` reads ``leased`` whole, so it takes its
# locks last, as every transaction does (see Tallies._tally).
#
# Claiming._claim is the same rule for the other backends: change both.
COMPLETE_AND_CLAIM_POSTGRESQL = """
WITH finished AS (
    SELECT * FROM json_to_recordset(%(finished)s::json)
        AS f(id bigint, number int, started_at timestamp, duration_ms int, note text, calls json)
), settled AS (
    UPDATE commands
    SET status = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = %(now)s, finished_at = %(now)s,
        last_error_code = NULL, last_error = NULL
    WHERE id = ANY(ARRAY(SELECT id FROM finished)) AND status = 'running' AND lease_owner = %(owner)s
      AND attempts IN (SELECT f.number FROM finished f WHERE f.id = commands.id)
    RETURNING id, attempts, aggregate_key, type
), recorded AS (
    INSERT INTO attempts (command_id, number, worker, started_at, duration_ms, outcome, error, calls)
    SELECT f.id, f.number, %(owner)s, f.started_at, f.duration_ms,
           CASE WHEN (f.id, f.number) IN (SELECT id, attempts FROM settled) THEN 'done' ELSE 'lease_lost' END,
           f.note, f.calls
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


def _claimed(row: Any, owner: str, now: datetime) -> Claimed:
    return Claimed(
        id=row.id, type=row.type, aggregate_key=row.aggregate_key, payload=row.payload, attempts=row.attempts,
        max_attempts=row.max_attempts, state=row.state or {}, lease_owner=owner, claimed_at=now,
        runnable_since=row.next_attempt_at,
    )


class Claiming:
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
                self._tally(conn, moves + [move for row in rows for move in moved(row.type, PENDING, RUNNING)])
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

    def _round_parameters(self, owner: str, finished: Sequence[Finished], limit: int, now: datetime) -> dict[str, Any]:
        # One JSON document rather than six arrays: the driver escapes array elements one
        # by one, which for call records cost more than the rest of the round.
        rows = [
            dict(id=command.id, number=command.attempts, started_at=command.claimed_at.isoformat(),
                 duration_ms=elapsed_ms(command.claimed_at, now), note=note, calls=calls)
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
