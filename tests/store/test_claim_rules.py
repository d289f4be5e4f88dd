"""The claim's rules under any sequence of queue operations, against the real store.

A hypothesis state machine enqueues, claims, completes (alone and in a worker's round),
fails, releases, lets leases expire, replays and moves the clock over a few domains. A
model of the commands says what must be runnable at every step; the store must lease
only that (each domain's oldest pending command, none while one of the domain's runs,
never one already running) and, when it leases fewer than asked, all of it: nothing
runnable is left behind. At the end everything drains, every domain in order.
"""
from __future__ import annotations

import collections
import dataclasses
import random
from datetime import datetime

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import delete, select

from outbox.models import DEAD, DONE, PENDING, RUNNING, AggregateLock, Attempt, Command, CommandTally, Event
from outbox.store import Outbox
from outbox.values import Claimed, Failure, NewCommand
from tests.conftest import FakeClock

DOMAINS = ("a.example", "b.example", "c.example")
OWNERS = ("w1", "w2")
LEASE = 60
EXAMPLES = {"sqlite": 100, "postgresql": 40, "mysql": 25}


@dataclasses.dataclass
class Expected:
    key: str
    status: str = PENDING
    due: datetime | None = None


class ClaimRules(RuleBasedStateMachine):
    def __init__(self, engine) -> None:  # noqa: ANN001
        super().__init__()
        self.engine = engine
        self.clock = FakeClock()
        self.outbox = Outbox(engine, (10, 60, 300), lease_seconds=LEASE, clock=self.clock, rng=random.Random(3))
        self.expected: dict[int, Expected] = {}
        self.held: dict[int, Claimed] = {}

    @initialize()
    def empty_tables(self) -> None:
        with self.engine.begin() as conn:
            for model in (Attempt, Command, Event, AggregateLock, CommandTally):
                conn.execute(delete(model))

    # -- what the model says --------------------------------------------------

    def runnable(self) -> dict[str, int]:
        """Each domain's command that may run now: its oldest pending, if due and none runs."""
        found = {}
        for key in DOMAINS:
            mine = sorted((cid, item) for cid, item in self.expected.items() if item.key == key)
            if any(item.status == RUNNING for _, item in mine):
                continue
            pending = [(cid, item) for cid, item in mine if item.status == PENDING]
            if pending and pending[0][1].due <= self.clock.now:
                found[key] = pending[0][0]
        return found

    def took(self, claimed: list[Claimed], limit: int, runnable: dict[str, int], exempt: set[str] = frozenset()) -> None:
        """Check a lease against the model; with fewer than asked, lease on until all runnable is taken.

        A queue woken early (a domain's older command replayed while a younger runs) can
        fill a claim without giving it work, once: so a short claim is followed by more.
        """
        ids = [command.id for command in claimed]
        assert len(ids) <= limit
        assert len({command.aggregate_key for command in claimed}) == len(ids), "two of one domain at once"
        for command in claimed:
            assert command.id not in self.held, f"{command.id} leased while running"
            assert runnable.get(command.aggregate_key) == command.id, f"{command.id} is not its domain's runnable head"
            self.expected[command.id].status = RUNNING
            self.held[command.id] = command
        left = set(runnable) - {command.aggregate_key for command in claimed} - exempt
        if len(ids) < limit and left:
            more = self.outbox.claim(claimed[0].lease_owner if claimed else "w1", limit - len(ids))
            assert more, f"runnable domains left behind: {left}"
            self.took(more, limit - len(ids), {key: runnable[key] for key in left})

    def finished(self, command: Claimed, status: str) -> None:
        self.held.pop(command.id)
        self.expected[command.id].status = status

    def actual_due(self, command_id: int) -> datetime:
        with self.engine.connect() as conn:
            return conn.scalar(select(Command.next_attempt_at).where(Command.id == command_id))

    # -- operations ------------------------------------------------------------

    @rule(key=st.sampled_from(DOMAINS), n=st.integers(1, 3))
    def enqueue(self, key: str, n: int) -> None:
        result = self.outbox.enqueue(None, [NewCommand("noop", key, {"i": i}) for i in range(n)])
        for command_id in result.command_ids:
            self.expected[command_id] = Expected(key, PENDING, self.clock.now)

    @rule(owner=st.sampled_from(OWNERS), limit=st.integers(1, 4))
    def claim(self, owner: str, limit: int) -> None:
        runnable = self.runnable()
        self.took(self.outbox.claim(owner, limit), limit, runnable)

    @precondition(lambda self: self.held)
    @rule(owner=st.sampled_from(OWNERS), limit=st.integers(0, 4))
    def round(self, owner: str, limit: int) -> None:
        """A worker's round: record its successes and lease more, in one go."""
        mine = [command for command in self.held.values() if command.lease_owner == owner]
        for command in mine:
            self.finished(command, DONE)
        runnable = self.runnable()
        # On PostgreSQL a round leases from the snapshot before its own successes.
        settled = {command.aggregate_key for command in mine}
        claimed = self.outbox.complete_and_claim(owner, [(command, None, None) for command in mine], limit)
        self.took(claimed, limit, runnable, exempt=settled)

    @precondition(lambda self: self.held)
    @rule(data=st.data())
    def complete(self, data: st.DataObject) -> None:
        command = data.draw(st.sampled_from(sorted(self.held.values(), key=lambda c: c.id)))
        assert self.outbox.complete(command)
        self.finished(command, DONE)

    @precondition(lambda self: self.held)
    @rule(data=st.data(), transient=st.booleans())
    def fail(self, data: st.DataObject, transient: bool) -> None:
        command = data.draw(st.sampled_from(sorted(self.held.values(), key=lambda c: c.id)))
        status = self.outbox.fail(command, Failure("try again", "test", transient))
        self.finished(command, status)
        self.expected[command.id].due = self.actual_due(command.id)

    @precondition(lambda self: self.held)
    @rule(data=st.data(), delay=st.sampled_from([0, 5, 100]))
    def release(self, data: st.DataObject, delay: int) -> None:
        command = data.draw(st.sampled_from(sorted(self.held.values(), key=lambda c: c.id)))
        assert self.outbox.release(command, delay)
        self.finished(command, PENDING)
        self.expected[command.id].due = self.actual_due(command.id)

    @precondition(lambda self: self.held)
    @rule()
    def leases_expire(self) -> None:
        self.clock.advance(LEASE + 1)
        assert self.outbox.recover_expired() == len(self.held)
        for command in list(self.held.values()):
            exhausted = command.attempts >= command.max_attempts
            self.finished(command, DEAD if exhausted else PENDING)
            self.expected[command.id].due = self.clock.now

    @rule(seconds=st.sampled_from([1, 11, 70, 400]))
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(seconds)

    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        finished = sorted(cid for cid, item in self.expected.items() if item.status in (DONE, DEAD))
        if not finished:
            return
        chosen = data.draw(st.lists(st.sampled_from(finished), min_size=1, max_size=3, unique=True))
        assert sorted(self.outbox.replay(chosen)) == sorted(chosen)
        for command_id in chosen:
            self.expected[command_id].status = PENDING
            self.expected[command_id].due = self.clock.now

    # -- what must hold ----------------------------------------------------------

    @invariant()
    def statuses_match(self) -> None:
        with self.engine.connect() as conn:
            actual = dict(conn.execute(select(Command.id, Command.status)).all())
        assert actual == {cid: item.status for cid, item in self.expected.items()}
        with self.engine.connect() as conn:
            running = dict(conn.execute(select(AggregateLock.aggregate_key, AggregateLock.running)).all())
        for key in DOMAINS:
            assert running.get(key, 0) == sum(1 for item in self.expected.values() if item.key == key and item.status == RUNNING)
        # The tallies the counts come from agree with a count of the table.
        assert self.outbox.command_counts() == dict(collections.Counter((item.status, "noop") for item in self.expected.values()))

    def teardown(self) -> None:
        """Everything open drains, each lease still its domain's oldest pending command."""
        for _ in range(200):
            for command in list(self.held.values()):
                assert self.outbox.complete(command)
                self.finished(command, DONE)
            self.clock.advance(100_000)
            runnable = self.runnable()
            claimed = self.outbox.claim("drain", 10)
            self.took(claimed, 10, runnable)
            if not claimed and not self.held:
                break
        assert all(item.status in (DONE, DEAD) for item in self.expected.values())


def test_claims_follow_the_rules(engine):  # noqa: ANN001
    kind = engine.dialect.name.replace("mariadb", "mysql")
    run_state_machine_as_test(
        lambda: ClaimRules(engine),
        settings=settings(max_examples=EXAMPLES[kind], stateful_step_count=30, deadline=None,
                          suppress_health_check=list(HealthCheck)),
    )
