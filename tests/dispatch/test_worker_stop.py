"""Ctrl-C on `opbridge worker`, as an operator presses it: said at once, and a second one stops now."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from outbox.store import Outbox
from tests.dispatch.harness import AT_REST_KEY, command, enqueue
from tests.dispatch.test_handlers import seed_domain

DOMAINS = [f"stop{i}.com" for i in range(5)]


def read_until(stream, wanted: str, timeout: float) -> str:  # noqa: ANN001
    """Lines of ``stream`` until one holds ``wanted``; all of them, for the assertion's message."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        seen.append(line)
        if wanted in line:
            return "".join(seen)
    raise AssertionError(f"{wanted!r} not said within {timeout} s: {''.join(seen)}")


def test_a_first_ctrl_c_says_what_it_waits_for_and_a_second_stops_now(sandbox, engine, database_url) -> None:  # noqa: ANN001
    for name in DOMAINS:
        seed_domain(sandbox, name)
    sandbox.set_faults(latency_ms=2500)  # each call holds its thread: the handlers are mid-call
    outbox = Outbox(engine)
    ids = [enqueue(outbox, "domain.autorenew_changed", {"domain_id": 7, "domain": name, "autorenew": False})[0]
           for name in DOMAINS]
    env = {key: value for key, value in os.environ.items() if not key.startswith("OPBRIDGE_")} | {
        "OPBRIDGE_DATABASE_URL": database_url, "OPBRIDGE_OP_URL": sandbox.url, "OPBRIDGE_OP_USERNAME": "sandbox",
        "OPBRIDGE_OP_PASSWORD": "sandbox", "OPBRIDGE_AT_REST_KEYS": AT_REST_KEY, "OPBRIDGE_LOG_FORMAT": "text",
        "OPBRIDGE_SYNC_EVERY_MINUTES": "0",
    }
    worker = subprocess.Popen([sys.executable, "-m", "opbridge", "worker", "--threads", "2", "--grace", "30"],
                              env=env, stderr=subprocess.PIPE, text=True)
    try:
        read_until(worker.stderr, "worker started", 30)
        deadline = time.monotonic() + 20
        while sum(command(engine, i).status == "running" for i in ids) < len(ids) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the two threads are in their first calls
        worker.send_signal(signal.SIGINT)
        told = read_until(worker.stderr, "stopping:", 2)
        assert "3 queued command(s) given back; waiting up to 30 s for the 2 running" in told
        assert "a second Ctrl-C" in told
        worker.send_signal(signal.SIGINT)
        assert worker.wait(timeout=5) == 1
        rest = worker.stderr.read()
        assert "stopped at once: 2 running command(s) given back" in rest
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    rows = [command(engine, i) for i in ids]
    assert [(row.status, row.attempts) for row in rows] == [("pending", 0)] * len(ids)
