"""Enqueueing: an event and its commands in one transaction, each domain's queue row locked in key order."""
from __future__ import annotations

import collections
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, insert, literal_column, select
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from outbox.models import PENDING
from outbox.store.schema import NOTIFY_CHANNEL, commands, events, queues
from outbox.values import Enqueued, NewCommand, NewEvent

# Built once: constructing .values() per call costs more than executing the insert.
# Built once: constructing .values() per call costs more than executing the insert.
INSERT_EVENT = insert(events)
INSERT_COMMAND = insert(commands)


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


class Enqueueing:
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
