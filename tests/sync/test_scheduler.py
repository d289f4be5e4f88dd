"""Two real `opbridge worker` processes with a 2-second sync period: each period runs once."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select

from outbox.db import make_engine
from outbox.models import SyncRun
from tests.sync.conftest import day
from tests.sync.test_rules import op_domain, whmcs_domain
from whmcssandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET

ROOT = Path(__file__).resolve().parents[2]
PERIOD = 2
RUNNING_FOR = 9.0


class WorkerProcess:
    """An `opbridge worker` whose JSON log lines are collected as they come."""

    def __init__(self, env: dict[str, str]) -> None:
        self.lines: list[dict] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "opbridge", "worker", "--threads", "2", "--grace", "5"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            try:
                self.lines.append(json.loads(line))
            except ValueError:
                self.lines.append({"message": line.rstrip()})

    def messages(self, text: str) -> list[dict]:
        return [line for line in self.lines if line.get("message") == text]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)
            self.reader.join(timeout=5)


@pytest.fixture
def start_worker():  # noqa: ANN201
    started: list[WorkerProcess] = []

    def start(env: dict[str, str]) -> WorkerProcess:
        worker = WorkerProcess(env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_until(condition, timeout: float) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.timeout(120)
def test_two_workers_run_the_scheduled_sync_once_per_period(database_url, whmcs_side, openprovider_side,
                                                            start_worker) -> None:
    whmcs_side.seed({"domains": [whmcs_domain("steady.com", day(100), day(90))]})
    openprovider_side.seed({"domains": [op_domain("steady.com", day(100))]})
    env = {
        **os.environ, "PYTHONPATH": str(ROOT), "OPBRIDGE_DATABASE_URL": database_url,
        "OPBRIDGE_WHMCS_URL": whmcs_side.url, "OPBRIDGE_WHMCS_IDENTIFIER": DEFAULT_IDENTIFIER,
        "OPBRIDGE_WHMCS_SECRET": DEFAULT_SECRET, "OPBRIDGE_OP_URL": openprovider_side.url,
        "OPBRIDGE_OP_USERNAME": "sandbox", "OPBRIDGE_OP_PASSWORD": "sandbox",
        "OPBRIDGE_SYNC_EVERY_SECONDS": str(PERIOD), "OPBRIDGE_UPDATE_INTERVAL_DAYS": "0",
        "OPBRIDGE_SEND_EMPTY_REPORTS": "true", "OPBRIDGE_LOG_FORMAT": "json", "OPBRIDGE_LOG_LEVEL": "INFO",
    }
    workers = [start_worker(env), start_worker(env)]
    for worker in workers:
        wait_until(lambda worker=worker: worker.messages("sync scheduler started"), timeout=30)

    time.sleep(RUNNING_FOR)
    assert [worker.stop() for worker in workers] == [0, 0]

    ran, skipped = defaultdict(list), defaultdict(list)
    for number, worker in enumerate(workers):
        for line in worker.messages("scheduled sync ran"):
            ran[line["period"]].append(number)
        for line in worker.messages("scheduled sync skipped"):
            skipped[line["period"]].append(number)
    assert len(ran) >= RUNNING_FOR // PERIOD - 1
    assert all(len(runners) == 1 for runners in ran.values()), ran
    both_ticked = [period for period in ran if skipped.get(period)]
    assert both_ticked, "the second worker never ticked in a period the first ran"

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            runs = conn.execute(select(SyncRun.period_key, SyncRun.status).where(SyncRun.trigger == "schedule")).all()
    finally:
        engine.dispose()
    assert sorted(key for key, _ in runs) == sorted(ran)
    # Every run finished, but one the stop cut short: the newest, which the stop ends as "stopped".
    cut_short = [key for key, status in runs if status != "finished"]
    assert cut_short in ([], [max(ran)]), runs
    assert {status for _, status in runs} <= {"finished", "stopped"}
    reports = whmcs_side.admin("GET", "/emails")
    assert len(reports) <= len(runs) and len(runs) - len(reports) <= 1  # the last may be unsent at the stop
    assert len({mail["subject"] for mail in reports}) == len(reports)
