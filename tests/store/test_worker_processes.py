"""Real worker processes: concurrency, SIGKILL recovery and graceful SIGTERM."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select

from outbox.db import make_engine, upgrade
from outbox.models import Attempt, Command
from outbox.store import Outbox
from outbox.values import NewCommand
from tests.store.worker_process import executions, metadata

ROOT = Path(__file__).resolve().parents[2]


def prepared(fresh_database, kind: str):  # noqa: ANN001, ANN201
    url = fresh_database(kind)
    engine = make_engine(url)
    upgrade(engine)
    metadata.create_all(engine)
    return url, engine


@pytest.fixture(params=["postgresql", "mysql"])
def server_engine(request, fresh_database):  # noqa: ANN001, ANN201
    url, engine = prepared(fresh_database, request.param)
    yield url, engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def any_engine(request, fresh_database):  # noqa: ANN001, ANN201
    url, engine = prepared(fresh_database, request.param)
    yield url, engine
    engine.dispose()


class Workers:
    """Starts worker processes and makes sure none outlives the test."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []

    def start(self, url: str, threads: int = 4, lease: int = 60, sleep: float = 0.0) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.store.worker_process", url, str(threads), str(lease), str(sleep)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert process.stdout.readline().strip() == "ready"
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


@pytest.fixture
def workers():  # noqa: ANN201
    pool = Workers()
    yield pool
    pool.stop_all()


def enqueue_records(engine, commands: int, domains: int) -> None:  # noqa: ANN001
    outbox = Outbox(engine)
    batch = [NewCommand("record", f"d{i % domains}.example", {"seq": i}) for i in range(commands)]
    for start in range(0, commands, 100):
        outbox.enqueue(None, batch[start:start + 100])


def status_counts(engine) -> dict[str, int]:  # noqa: ANN001
    with engine.connect() as conn:
        return dict(conn.execute(select(Command.status, func.count()).group_by(Command.status)).all())


def wait_until(predicate, timeout: float, interval: float = 0.2) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def test_four_processes_drain_in_per_domain_order(server_engine, workers):  # noqa: ANN001
    url, engine = server_engine
    for _ in range(4):  # all ready before the work arrives: a fast drain cannot leave one out
        workers.start(url, threads=4)
    enqueue_records(engine, 2000, 50)
    wait_until(lambda: status_counts(engine).get("done", 0) == 2000, timeout=240)
    with engine.connect() as conn:
        rows = conn.execute(select(executions).order_by(executions.c.id)).all()
    runs = defaultdict(int)
    order = defaultdict(list)
    for row in rows:
        runs[row.command_id] += 1
        order[row.domain].append(row.seq)
    assert len(runs) == 2000 and set(runs.values()) == {1}  # each command ran exactly once
    for domain, seqs in order.items():
        assert seqs == sorted(seqs), f"{domain} ran out of order"
    assert len({row.worker for row in rows}) == 4  # all four processes took part
    assert status_counts(engine) == {"done": 2000}


def test_sigkill_leaves_nothing_lost(any_engine, workers):  # noqa: ANN001
    url, engine = any_engine
    enqueue_records(engine, 40, 10)
    victim = workers.start(url, threads=4, lease=3, sleep=30)
    # The worker leases its threads plus a batch of four: four run, four wait in its queue.
    wait_until(lambda: status_counts(engine).get("running", 0) == 8, timeout=30)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    workers.start(url, threads=4, lease=3, sleep=0)
    wait_until(lambda: status_counts(engine).get("done", 0) == 40, timeout=90)
    assert status_counts(engine) == {"done": 40}
    with engine.connect() as conn:
        expired = conn.scalar(select(func.count()).where(Attempt.outcome == "lease_expired"))
    assert expired == 8


def test_sigterm_finishes_in_flight_work_and_exits_zero(any_engine, workers):  # noqa: ANN001
    url, engine = any_engine
    enqueue_records(engine, 8, 8)
    process = workers.start(url, threads=4, sleep=2)
    wait_until(lambda: status_counts(engine).get("running", 0) == 8, timeout=30)  # four run, four queued
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    counts = status_counts(engine)
    assert counts == {"done": 4, "pending": 4}  # the running four finished, the queued four went back
    with engine.connect() as conn:  # giving them back spent none of their attempts
        assert conn.scalars(select(Command.attempts).where(Command.status == "pending")).all() == [0, 0, 0, 0]
