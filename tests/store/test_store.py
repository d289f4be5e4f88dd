"""The outbox store's contract, on SQLite, PostgreSQL and MariaDB alike."""
from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outbox.registry import Registry, TransientFailure
from outbox.models import Attempt, Command, Event
from outbox.store import Outbox
from outbox.values import Failure, NewCommand, NewEvent
from outbox.worker import Worker

SCHEDULE = (10, 60, 300)


@pytest.fixture
def outbox(engine, clock) -> Outbox:  # noqa: ANN001
    return Outbox(engine, SCHEDULE, lease_seconds=60, clock=clock, rng=random.Random(7))


def enqueue(outbox: Outbox, *keys: str, webhook_id: str | None = None) -> list[int]:
    event = NewEvent(webhook_id, "test.event", "{}") if webhook_id else None
    result = outbox.enqueue(event, [NewCommand("noop", key, {"n": i}) for i, key in enumerate(keys)])
    return result.command_ids


def count(engine, model) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def attempt_rows(engine, command_id: int) -> list:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.execute(select(Attempt).where(Attempt.command_id == command_id).order_by(Attempt.id)).all()


def test_enqueue_stores_event_and_commands_once(outbox, engine):  # noqa: ANN001
    first = outbox.enqueue(NewEvent("evt-1", "order.accepted", '{"a": 1}', "k0"),
                           [NewCommand("noop", "a.com", {}), NewCommand("noop", "b.com", {})])
    again = outbox.enqueue(NewEvent("evt-1", "order.accepted", '{"other": 2}'), [NewCommand("noop", "c.com", {})])
    assert not first.duplicate and len(first.command_ids) == 2
    assert again.duplicate and again.event_id == first.event_id and again.command_ids == []
    assert count(engine, Event) == 1
    assert count(engine, Command) == 2


def test_concurrent_duplicates_store_one_event(outbox, engine):  # noqa: ANN001
    results, barrier = [], threading.Barrier(20)

    def deliver() -> None:
        barrier.wait()
        results.append(outbox.enqueue(NewEvent("same-id", "t", "{}"), [NewCommand("noop", "x.com", {})]))

    threads = [threading.Thread(target=deliver) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(not result.duplicate for result in results) == 1
    assert count(engine, Event) == 1
    assert count(engine, Command) == 1


def test_claim_is_fifo_per_domain(outbox):  # noqa: ANN001
    a1, a2, b1 = enqueue(outbox, "a.com", "a.com", "b.com")
    claimed = outbox.claim("w1", 10)
    assert [c.id for c in claimed] == [a1, b1]
    assert outbox.claim("w2", 10) == []
    outbox.complete(claimed[0])
    assert [c.id for c in outbox.claim("w2", 10)] == [a2]


def test_a_retrying_command_holds_back_its_domain(outbox, clock):  # noqa: ANN001
    first, second = enqueue(outbox, "a.com", "a.com")
    [command] = outbox.claim("w1")
    assert outbox.fail(command, Failure("busy")) == "pending"
    assert outbox.claim("w1") == []  # the younger one waits for the retry
    clock.advance(13)
    assert [c.id for c in outbox.claim("w1")] == [first]


def test_a_replayed_older_command_waits_for_a_running_younger_one(outbox):  # noqa: ANN001
    older, younger = enqueue(outbox, "a.com", "a.com")
    [command] = outbox.claim("w1")
    outbox.fail(command, Failure("bad", transient=False))
    [running] = outbox.claim("w1")
    assert running.id == younger
    assert outbox.replay([older]) == [older]
    assert outbox.claim("w2") == []
    outbox.complete(running)
    assert [c.id for c in outbox.claim("w2")] == [older]


def test_transient_failure_schedules_retry_with_jitter(outbox, clock, engine):  # noqa: ANN001
    [command_id] = enqueue(outbox, "a.com")
    [command] = outbox.claim("w1")
    assert outbox.fail(command, Failure("timeout", "transport")) == "pending"
    row = outbox.get_command(command_id)
    delay = (row["next_attempt_at"] - clock.now).total_seconds()
    assert 8 <= delay <= 12
    assert row["last_error_code"] == "transport" and row["attempts"] == 1
    assert [a.outcome for a in attempt_rows(engine, command_id)] == ["retry"]


def test_retry_after_wins_when_longer(outbox, clock):  # noqa: ANN001
    [command_id] = enqueue(outbox, "a.com")
    [command] = outbox.claim("w1")
    outbox.fail(command, Failure("rate limited", "50", retry_after=600))
    delay = (outbox.get_command(command_id)["next_attempt_at"] - clock.now).total_seconds()
    assert delay == 600


def test_permanent_failure_is_dead_at_once(outbox):  # noqa: ANN001
    [command_id] = enqueue(outbox, "a.com")
    [command] = outbox.claim("w1")
    assert outbox.fail(command, Failure("invalid handle", "331", transient=False)) == "dead"
    row = outbox.get_command(command_id)
    assert row["status"] == "dead" and row["finished_at"] is not None and row["last_error_code"] == "331"


def test_out_of_attempts_is_dead(outbox, clock):  # noqa: ANN001
    [command_id] = enqueue(outbox, "a.com")
    statuses = []
    for _ in range(len(SCHEDULE) + 1):
        [command] = outbox.claim("w1")
        statuses.append(outbox.fail(command, Failure("down")))
        clock.advance(10_000)
    assert statuses == ["pending", "pending", "pending", "dead"]
    assert outbox.get_command(command_id)["attempts"] == 4


def test_expired_lease_is_recovered_and_the_old_owner_loses(outbox, clock, engine):  # noqa: ANN001
    [command_id] = enqueue(outbox, "a.com")
    [stale] = outbox.claim("w1")
    clock.advance(30)
    assert outbox.renew_lease("w1", [command_id]) == 1
    clock.advance(59)
    assert outbox.recover_expired() == 0  # renewed lease still holds
    clock.advance(2)
    assert outbox.recover_expired() == 1
    [fresh] = outbox.claim("w2")
    assert fresh.id == command_id and fresh.attempts == 2
    assert outbox.complete(stale) is False
    assert outbox.complete(fresh) is True
    outcomes = [a.outcome for a in attempt_rows(engine, command_id)]
    assert outcomes == ["lease_expired", "lease_lost", "done"]


def test_a_stale_try_of_the_same_worker_loses_to_its_new_try(outbox, clock, engine):  # noqa: ANN001
    [command_id] = enqueue(outbox, "a.com")
    [stale] = outbox.claim("w1")
    clock.advance(61)
    assert outbox.recover_expired() == 1
    [fresh] = outbox.claim("w1")  # the same worker leases it again: only the try tells them apart
    assert not outbox.save_state(stale, {"renewed": True})
    assert outbox.fail(stale, Failure("timed out")) == "pending"  # what it would have been; nothing changed
    assert outbox.complete_and_claim("w1", [(stale, "late", None)], 0) == []
    assert outbox.get_command(command_id)["status"] == "running"
    assert outbox.complete_and_claim("w1", [(fresh, None, None)], 0) == []
    assert outbox.get_command(command_id)["status"] == "done"
    outcomes = [(a.number, a.outcome) for a in attempt_rows(engine, command_id)]
    assert outcomes == [(1, "lease_expired"), (1, "lease_lost"), (1, "lease_lost"), (2, "done")]


def test_release_gives_the_attempt_back(outbox, clock):  # noqa: ANN001
    [command_id] = enqueue(outbox, "a.com")
    [command] = outbox.claim("w1")
    outbox.release(command, delay_seconds=300, failure=Failure("circuit open", "paused"))
    row = outbox.get_command(command_id)
    assert row["status"] == "pending" and row["attempts"] == 0
    assert row["next_attempt_at"] == clock.now + timedelta(seconds=300)


def test_replay_by_filter_keeps_history(outbox, engine, clock):  # noqa: ANN001
    ids = enqueue(outbox, "a.com", "b.com", "c.com")
    for command in outbox.claim("w1", 3):
        if command.aggregate_key == "c.com":
            outbox.complete(command)
        else:
            outbox.fail(command, Failure("no", transient=False))
    assert outbox.replay(outbox.replayable(aggregate_key="b.com")) == [ids[1]]
    assert outbox.replay(outbox.replayable("dead")) == [ids[0]]
    row = outbox.get_command(ids[0])
    assert row["status"] == "pending" and len(row["history"]) == 1
    assert row["max_attempts"] - row["attempts"] == outbox.max_attempts  # a whole schedule again
    assert outbox.get_command(ids[2])["status"] == "done"
    with pytest.raises(ValueError):
        outbox.replayable("pending")


def test_purge_removes_old_done_work_only(outbox, clock, engine):  # noqa: ANN001
    done_id, dead_id = enqueue(outbox, "a.com", "b.com", webhook_id="old")
    [recent_id] = enqueue(outbox, "c.com", webhook_id="recent")
    for command in outbox.claim("w1", 2):
        if command.id == done_id:
            outbox.complete(command)
        else:
            outbox.fail(command, Failure("no", transient=False))
    clock.advance(40 * 86400)
    [recent] = outbox.claim("w1")
    outbox.complete(recent)
    assert outbox.purge(30, batch=1) == 1
    assert outbox.get_command(done_id) is None
    assert outbox.get_command(dead_id)["status"] == "dead"
    assert outbox.get_command(recent_id)["status"] == "done"
    assert count(engine, Event) == 2  # the old event still has its dead command
    assert attempt_rows(engine, done_id) == []


def test_purge_walks_id_ranges_and_keeps_the_counts(outbox, clock, engine):  # noqa: ANN001
    outbox.enqueue(NewEvent("nothing-to-do", "test.event", "{}"), [])  # an event that enqueued no command
    old = [enqueue(outbox, f"d{i}.com", f"e{i}.com", webhook_id=f"old-{i}") for i in range(5)]
    while claimed := outbox.claim("w1", 4):
        for command in claimed:
            outbox.complete(command)
    clock.advance(40 * 86400)
    outbox.enqueue(NewEvent("young", "test.event", "{}"), [])
    [young] = enqueue(outbox, "f.com")
    assert outbox.counts() == {"pending": 1, "running": 0, "done": 10, "dead": 0, "discarded": 0}
    assert outbox.purge(30, batch=3, pause=0) == 10
    assert [outbox.get_command(cid) for ids in old for cid in ids] == [None] * 10
    assert outbox.get_command(young)["status"] == "pending"
    with engine.connect() as conn:
        assert conn.scalars(select(Event.webhook_id)).all() == ["young"]
    assert outbox.counts() == {"pending": 1, "running": 0, "done": 0, "dead": 0, "discarded": 0}


def test_transient_twice_then_success_leaves_three_attempts(outbox, clock):  # noqa: ANN001
    registry, calls = Registry(), []

    @registry.register("flaky")
    def flaky(context) -> None:  # noqa: ANN001
        calls.append(clock.now)
        if len(calls) <= 2:
            raise TransientFailure("Openprovider timed out", "timeout")

    [command_id] = outbox.enqueue(None, [NewCommand("flaky", "a.com", {})]).command_ids
    worker = Worker(outbox, threads=1, registry=registry)
    delays = []
    for _ in range(3):
        [command] = outbox.claim(worker.name)
        worker.execute(command)
        row = outbox.get_command(command_id)
        if row["status"] == "pending":
            delays.append((row["next_attempt_at"] - clock.now).total_seconds())
            clock.advance(delays[-1] - 0.5)
            assert outbox.claim(worker.name) == []  # not due yet
            clock.advance(0.5)
    row = outbox.get_command(command_id)
    assert row["status"] == "done"
    assert [a["outcome"] for a in row["history"]] == ["retry", "retry", "done"]
    assert [a["number"] for a in row["history"]] == [1, 2, 3]
    assert [a["error_code"] for a in row["history"]] == ["timeout", "timeout", None]
    rng = random.Random(7)  # the seed the fixture gave the store: the same jitter draws
    assert delays == pytest.approx([SCHEDULE[0] * rng.uniform(0.8, 1.2), SCHEDULE[1] * rng.uniform(0.8, 1.2)], abs=1e-3)
    assert (calls[1] - calls[0]).total_seconds() == pytest.approx(delays[0], abs=1e-3)
