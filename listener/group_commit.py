"""Group commit: the request threads of one process share their transactions.

An event is answered only once its transaction has committed, and a transaction costs
the same round trips and the same commit whether it holds one event or twenty. While
one thread writes, the events that arrive meanwhile queue; the first of them then
writes all of them in one transaction and hands each thread its own result. Nothing
waits for a batch to fill: an event that finds no write in progress is written at once.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError

from outbox.store import Outbox

from outbox.values import Enqueued, NewCommand, NewEvent

Item = tuple[NewEvent, Sequence[NewCommand]]
Outcome = Enqueued | Exception


class _Waiter:
    """One request's event, parked until its batch has committed or it is its turn to write."""

    def __init__(self, item: Item) -> None:
        self.item = item
        self.leads = False
        self.outcome: Outcome | None = None
        # A lock taken here and released by another thread: the cheapest one-shot wake-up.
        self._wake = threading.Lock()
        self._wake.acquire()

    def wait(self) -> None:
        self._wake.acquire()

    def settle(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self._wake.release()

    def promote(self) -> None:
        self.leads = True
        self._wake.release()

    def result(self) -> Enqueued:
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


class GroupCommit:
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self._mutex = threading.Lock()
        self._queue: list[_Waiter] = []
        self._writing = False

    def enqueue(self, event: NewEvent, new_commands: Sequence[NewCommand]) -> Enqueued:
        """Like Outbox.enqueue, and returns only once the event is committed, perhaps with others."""
        waiter = _Waiter((event, new_commands))
        with self._mutex:
            self._queue.append(waiter)
            waiter.leads = not self._writing
            self._writing = True
        if not waiter.leads:
            waiter.wait()
        if waiter.leads:
            self._write_queued()
        return waiter.result()

    def _write_queued(self) -> None:
        with self._mutex:
            batch, self._queue = self._queue, []
        # Every batch enters the unique index of webhook ids in one order, so two listeners'
        # batches that share an id wait for each other instead of deadlocking.
        batch.sort(key=lambda waiter: waiter.item[0].webhook_id)
        # Should this thread be torn out of the write, no request may wait for it forever.
        outcomes: list[Outcome] = [RuntimeError("the write of this event's batch was interrupted")] * len(batch)
        try:
            outcomes = self._store([waiter.item for waiter in batch])
        finally:
            self._hand_over()
            for waiter, outcome in zip(batch, outcomes):
                waiter.settle(outcome)

    def _hand_over(self) -> None:
        """Wake the oldest queued request to write the next batch, or stand down."""
        with self._mutex:
            successor = self._queue[0] if self._queue else None
            self._writing = successor is not None
        if successor:
            successor.promote()

    def _store(self, items: list[Item]) -> list[Outcome]:
        if len(items) > 1:
            try:
                return self.outbox.enqueue_many(items)
            except Exception as error:  # noqa: BLE001 - it becomes each waiting request's answer
                if not _one_events_fault(error):
                    return [error] * len(items)
        # Alone, a webhook id seen before is a duplicate, and any other refusal fails only its own request.
        return [_outcome(self.outbox, item) for item in items]


def _one_events_fault(error: Exception) -> bool:
    """A statement failed on a live connection: a duplicate or a refused value, not an outage."""
    return isinstance(error, DBAPIError) and error.statement is not None and not error.connection_invalidated


def _outcome(outbox: Outbox, item: Item) -> Outcome:
    try:
        return outbox.enqueue(*item)
    except Exception as error:  # noqa: BLE001 - it becomes this request's answer
        return error
