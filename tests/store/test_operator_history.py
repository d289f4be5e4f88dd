"""What an operator reads of a command after replays, successes and discards (issue 21)."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from outbox.store import Outbox

from outbox.values import Failure, NewCommand, NewEvent

SCHEDULE = (10, 60, 300)


@pytest.fixture
def outbox(engine, clock) -> Outbox:  # noqa: ANN001
    return Outbox(engine, SCHEDULE, lease_seconds=60, clock=clock, rng=random.Random(7))


def dead_command(outbox: Outbox, key: str = "a.com") -> int:
    [command_id] = outbox.enqueue(NewEvent(f"evt_{key}", "test.event", "{}"), [NewCommand("noop", key, {})]).command_ids
    [command] = outbox.claim("w1")
    outbox.fail(command, Failure("Openprovider error 366: prohibited", "366", transient=False))
    return command_id


def test_tries_go_on_counting_after_a_replay(outbox, clock):  # noqa: ANN001
    command_id = dead_command(outbox)
    assert outbox.replay([command_id]) == [command_id]
    [again] = outbox.claim("w1")
    outbox.fail(again, Failure("busy", "50"))  # retried: the schedule starts over
    assert outbox.get_command(command_id)["next_attempt_at"] <= clock.now + timedelta(seconds=SCHEDULE[0] * 1.2)
    clock.advance(20)
    [third] = outbox.claim("w1")
    outbox.complete(third, "renewed")
    history = outbox.get_command(command_id)["history"]
    assert [attempt["number"] for attempt in history] == [1, 2, 3]


def test_a_done_command_shows_no_error_of_an_earlier_try(outbox, clock):  # noqa: ANN001
    command_id = dead_command(outbox)
    outbox.replay([command_id])
    [again] = outbox.claim("w1")
    outbox.complete(again, "Renewed until 2027-12-01.")
    record = outbox.get_command(command_id)
    assert record["status"] == "done" and record["last_error"] is None and record["last_error_code"] is None
    listed = outbox.list_commands(status="done")[0]
    assert listed["last_error"] is None
    first, second = record["history"]
    assert (first["error"], first["note"]) == ("Openprovider error 366: prohibited", None)
    assert (second["error"], second["note"]) == (None, "Renewed until 2027-12-01.")
    assert record["webhook_id"] == "evt_a.com"


def test_discard_keeps_the_command_and_its_reason_until_the_purge(outbox, clock):  # noqa: ANN001
    command_id, other = dead_command(outbox), dead_command(outbox, "b.com")
    [pending] = outbox.enqueue(None, [NewCommand("noop", "c.com", {})]).command_ids
    assert outbox.discard([command_id, pending], "The customer cancelled the order.") == [command_id]
    record = outbox.get_command(command_id)
    assert record["status"] == "discarded"
    assert record["history"][-1]["outcome"] == "discarded"
    assert record["history"][-1]["note"] == "The customer cancelled the order."
    assert outbox.counts()["discarded"] == 1 and outbox.counts()["dead"] == 1
    assert outbox.replay([command_id]) == []  # set aside for good
    assert outbox.get_command(pending)["status"] == "pending"

    assert outbox.purge(1, pause=0) == 0
    clock.advance(2 * 86400)
    assert outbox.purge(1, pause=0) == 1
    assert outbox.get_command(command_id) is None and outbox.get_command(other)["status"] == "dead"
    assert outbox.counts()["discarded"] == 0
