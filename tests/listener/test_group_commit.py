"""Group commit: events that arrive together are stored in one transaction, each answered alone."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from listener.group_commit import GroupCommit
from outbox.db import make_engine
from outbox.models import Command, Event
from outbox.store import Outbox
from outbox.values import Enqueued, NewCommand, NewEvent
from tests.support import free_port


def _item(webhook_id: str, *domains: str, event_type: str | None = "domain.lock_changed") -> tuple[NewEvent, list[NewCommand]]:
    commands = [NewCommand("set_lock", domain, {"domain": domain, "webhook_id": webhook_id}) for domain in domains]
    return NewEvent(webhook_id, event_type, "{}"), commands


class GatedOutbox:
    """Holds the first write at a gate, so that the events arriving meanwhile queue into one batch."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self.gate = threading.Event()
        self.batches: list[list[str]] = []
        self.alone: list[str] = []

    def enqueue(self, event: NewEvent, new_commands: list[NewCommand]) -> Enqueued:
        self.alone.append(event.webhook_id)
        self.gate.wait(30)
        return self.outbox.enqueue(event, new_commands)

    def enqueue_many(self, batch: list[tuple[NewEvent, list[NewCommand]]]) -> list[Enqueued]:
        self.batches.append([event.webhook_id for event, _ in batch])
        return self.outbox.enqueue_many(batch)


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "the requests did not queue"
        time.sleep(0.005)


def enqueue_together(group: GroupCommit, first, batch) -> dict[str, Enqueued | BaseException]:  # noqa: ANN001
    """Enqueue ``first`` alone and, while it is held, every item of ``batch`` from a thread of its own."""
    outbox = group.outbox
    outcomes: dict[str, Enqueued | BaseException] = {}

    def deliver(key: str, item) -> None:  # noqa: ANN001
        try:
            outcomes[key] = group.enqueue(*item)
        except BaseException as error:  # noqa: BLE001 - the test looks at it
            outcomes[key] = error

    threads = [threading.Thread(target=deliver, args=("first", first))]
    threads[0].start()
    _wait_for(lambda: outbox.alone)
    threads += [threading.Thread(target=deliver, args=(str(n), item)) for n, item in enumerate(batch)]
    for thread in threads[1:]:
        thread.start()
    _wait_for(lambda: len(group._queue) == len(batch))
    outbox.gate.set()
    for thread in threads:
        thread.join(30)
    return outcomes


@pytest.fixture
def outbox(engine) -> GatedOutbox:  # noqa: ANN001
    return GatedOutbox(Outbox(engine))


def _counts(engine) -> tuple[int, int]:  # noqa: ANN001
    with engine.connect() as conn:
        return (conn.scalar(select(func.count()).select_from(Event)),
                conn.scalar(select(func.count()).select_from(Command)))


def _commands_of(engine, stored: Enqueued) -> list[Command]:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.execute(select(Command).where(Command.id.in_(stored.command_ids)).order_by(Command.id)).all()


def test_events_arriving_together_share_one_transaction(outbox, engine):
    batch = [_item("b", "b.example"), _item("a", "a.example", "shared.example"), _item("c", "shared.example")]
    outcomes = enqueue_together(GroupCommit(outbox), _item("first", "first.example"), batch)

    assert outbox.batches == [["a", "b", "c"]]
    assert all(isinstance(stored, Enqueued) and not stored.duplicate for stored in outcomes.values())
    for key, (event, new_commands) in zip("012", batch):
        commands = _commands_of(engine, outcomes[key])
        assert [c.aggregate_key for c in commands] == [c.aggregate_key for c in new_commands]
        assert {c.payload["webhook_id"] for c in commands} == {event.webhook_id}
        assert {c.event_id for c in commands} == {outcomes[key].event_id}
    # One domain's commands keep the order of their commits, within a batch too.
    assert outcomes["1"].command_ids[1] < outcomes["2"].command_ids[0]
    assert _counts(engine) == (4, 5)


def test_two_copies_of_one_id_in_a_batch_store_it_once(outbox, engine):
    batch = [_item("a", "a.example"), _item("twice", "t.example"), _item("twice", "t.example"), _item("c", "c.example")]
    outcomes = enqueue_together(GroupCommit(outbox), _item("first", "first.example"), batch)

    assert outbox.batches == [["a", "c", "twice", "twice"]]
    copies = sorted((outcomes["1"], outcomes["2"]), key=lambda stored: stored.duplicate)
    assert [stored.duplicate for stored in copies] == [False, True]
    assert copies[1] == Enqueued(copies[0].event_id, [], duplicate=True)
    assert not outcomes["0"].duplicate and not outcomes["3"].duplicate
    assert _counts(engine) == (4, 4)


def test_an_id_seen_before_is_a_duplicate_and_the_rest_of_its_batch_is_stored(outbox, engine):
    earlier = outbox.outbox.enqueue(*_item("seen", "s.example"))
    batch = [_item("a", "a.example"), _item("seen", "s.example"), _item("c", "c.example")]
    outcomes = enqueue_together(GroupCommit(outbox), _item("first", "first.example"), batch)

    assert outcomes["1"] == Enqueued(earlier.event_id, [], duplicate=True)
    assert not outcomes["0"].duplicate and not outcomes["2"].duplicate
    assert _counts(engine) == (4, 4)


def test_a_refused_row_fails_only_its_own_request(outbox, engine):
    batch = [_item("a", "a.example"), _item("untyped", "u.example", event_type=None), _item("c", "c.example")]
    outcomes = enqueue_together(GroupCommit(outbox), _item("first", "first.example"), batch)

    assert isinstance(outcomes["1"], IntegrityError)
    assert not outcomes["0"].duplicate and not outcomes["2"].duplicate
    assert _counts(engine) == (3, 3)


def test_database_down_fails_every_request_of_a_batch_without_retrying_each():
    engine = make_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/gone?connect_timeout=2")
    outbox = GatedOutbox(Outbox(engine))
    try:
        outcomes = enqueue_together(GroupCommit(outbox), _item("first", "f.example"),
                                    [_item(n, f"{n}.example") for n in "abcd"])
    finally:
        engine.dispose()

    assert len(outcomes) == 5 and all(isinstance(error, OperationalError) for error in outcomes.values())
    assert outbox.batches == [["a", "b", "c", "d"]] and outbox.alone == ["first"]


class TornOutbox(GatedOutbox):
    """Its batch writes end as a thread torn out of them would: with a BaseException."""

    def enqueue_many(self, batch: list[tuple[NewEvent, list[NewCommand]]]) -> list[Enqueued]:
        super().enqueue_many([])
        raise SystemExit


def test_a_torn_write_neither_strands_its_batch_nor_stops_later_events(engine):
    outbox = TornOutbox(Outbox(engine))
    group = GroupCommit(outbox)
    outcomes = enqueue_together(group, _item("first", "f.example"), [_item(n, f"{n}.example") for n in "abc"])

    assert len(outbox.batches) == 1 and isinstance(outcomes.pop("first"), Enqueued)
    # The thread that wrote leaves with its SystemExit; the requests it wrote for are answered.
    assert sorted(type(outcome).__name__ for outcome in outcomes.values()) == ["RuntimeError"] * 2 + ["SystemExit"]
    assert not group.enqueue(*_item("later", "l.example")).duplicate
