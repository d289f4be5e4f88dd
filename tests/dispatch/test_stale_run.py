"""A command leased again by the worker whose earlier try of it has not ended yet.

Two ways this happens: a failed try is recorded (the command is due again at once)
before its thread has finished with it, and the next round leases it again; or a
run's lease expires under it (a heartbeat late under load) and, put back in line, the
command is leased again by the same worker. The earlier try then ends beside the new
one: it must neither drop the new try from what the worker holds nor touch its row.

The tests drive the worker's rounds one at a time (``_round``, what the loop of
``run`` and ``run_until_idle`` calls), so each interleaving happens exactly as named.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from outbox.registry import Context, Registry, TransientFailure
from outbox.store import Outbox
from outbox.values import NewCommand
from outbox.worker import Worker
from tests.conftest import FakeClock
from tests.dispatch.harness import attempts, command

LEASE_SECONDS = 60
NOW = (0,) * 3  # a failed try is due again at once


class Tries:
    """A handler whose first try waits to be let go, then fails or succeeds as told."""

    def __init__(self, first_fails: bool) -> None:
        self.first_fails = first_fails
        self.started = {1: threading.Event(), 2: threading.Event()}
        self.let_go = {1: threading.Event(), 2: threading.Event()}
        self.seen: list[int] = []

    def __call__(self, context: Context) -> str:
        number = context.command.attempts
        self.seen.append(number)
        self.started[number].set()
        assert self.let_go[number].wait(30), f"try {number} was never let go"
        if number == 1 and self.first_fails:
            raise TransientFailure("Openprovider timed out", "timeout")
        return f"renewed by try {number}"


class HoldRetryLine(logging.Handler):
    """Holds the thread that logs a retry: its try is recorded, its thread not yet done."""

    def __init__(self) -> None:
        super().__init__()
        self.logged, self.go = threading.Event(), threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "will be retried" in record.getMessage():
            self.logged.set()
            assert self.go.wait(30)


@pytest.fixture
def hold_retry_line() -> Iterator[HoldRetryLine]:
    handler, logger = HoldRetryLine(), logging.getLogger("opbridge.worker")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def start(engine, tries: Tries, threads: int, clock: FakeClock) -> tuple[Worker, int]:  # noqa: ANN001
    registry = Registry()
    registry.register("renew")(tries)
    outbox = Outbox(engine, NOW, lease_seconds=LEASE_SECONDS, clock=clock)
    [command_id] = outbox.enqueue(None, [NewCommand("renew", "stale.example", {})]).command_ids
    return Worker(outbox, threads=threads, poll_seconds=0.01, registry=registry), command_id


def expire_the_lease(worker: Worker, clock: FakeClock) -> None:
    clock.advance(LEASE_SECONDS + 1)
    assert worker.outbox.recover_expired() == 1  # what any worker's heartbeat does


@contextlib.contextmanager
def pool_of(threads: int, *gates: threading.Event) -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(threads)
    try:
        yield pool
    finally:
        for gate in gates:  # a failed assertion must not leave a thread waiting on its gate
            gate.set()
        pool.shutdown(wait=True)


def history(engine, command_id: int) -> list[tuple[int, str]]:  # noqa: ANN001
    return [(row.number, row.outcome) for row in attempts(engine, command_id)]


def wait_until(done, timeout: float = 30) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_retry_leased_before_the_failed_try_ends_stays_held(engine, clock, hold_retry_line) -> None:  # noqa: ANN001
    tries = Tries(first_fails=True)
    worker, command_id = start(engine, tries, threads=1, clock=clock)
    tries.let_go[1].set()
    tries.let_go[2].set()
    # One thread: try 2 starts once try 1 has ended, its done callback included.
    with pool_of(1, hold_retry_line.go) as pool:
        assert worker._round(pool)
        assert hold_retry_line.logged.wait(30)  # try 1 failed and is recorded; its thread is not done
        assert worker._round(pool)  # try 2, due at once, leased and queued
        hold_retry_line.go.set()
    worker.run_until_idle()  # records try 2
    assert tries.seen == [1, 2]
    assert (command(engine, command_id).status, history(engine, command_id)) == ("done", [(1, "retry"), (2, "done")])
    assert worker._held_ids() == []


def test_a_try_whose_lease_expired_fails_beside_the_new_try(engine, clock) -> None:  # noqa: ANN001
    tries = Tries(first_fails=True)
    worker, command_id = start(engine, tries, threads=1, clock=clock)
    # One thread: try 2 starts once try 1 has ended, its done callback included.
    with pool_of(1, *tries.let_go.values()) as pool:
        assert worker._round(pool)
        assert tries.started[1].wait(30)
        expire_the_lease(worker, clock)
        assert worker._round(pool)  # the same worker leases it again: try 2, queued
        tries.let_go[1].set()
        tries.let_go[2].set()
    worker.run_until_idle()
    assert tries.seen == [1, 2]
    row = command(engine, command_id)
    assert (row.status, row.attempts) == ("done", 2)
    assert history(engine, command_id) == [(1, "lease_expired"), (1, "lease_lost"), (2, "done")]
    assert worker._held_ids() == []


def test_a_try_whose_lease_expired_succeeds_while_the_new_try_runs(engine, clock) -> None:  # noqa: ANN001
    tries = Tries(first_fails=False)
    worker, command_id = start(engine, tries, threads=2, clock=clock)
    with pool_of(2, *tries.let_go.values()) as pool:
        assert worker._round(pool)
        assert tries.started[1].wait(30)
        expire_the_lease(worker, clock)
        assert worker._round(pool)
        assert tries.started[2].wait(30)
        tries.let_go[1].set()
        wait_until(lambda: worker._succeeded)  # try 1's success waits for a round
        worker._round(pool)  # records try 1 while try 2 runs
        row = command(engine, command_id)
        assert (row.status, row.attempts) == ("running", 2)  # try 2's lease is untouched
        assert worker._held_ids() == [command_id]
        tries.let_go[2].set()
    worker.run_until_idle()
    assert command(engine, command_id).status == "done"
    assert history(engine, command_id) == [(1, "lease_expired"), (1, "lease_lost"), (2, "done")]
    [stale] = [row for row in attempts(engine, command_id) if row.outcome == "lease_lost"]
    assert stale.error == "renewed by try 1"  # the stale try's note is kept with its row
    assert worker._held_ids() == []
