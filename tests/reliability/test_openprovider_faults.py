"""Openprovider down, then failing half its calls, then rate-limiting: all done after recovery.

The worker runs on throughout; each phase brings new work. "Down" is the API unreachable
(a TCP proxy in front of the sandbox, cut); then the sandbox answers half the calls with
500s, with one token expiry; then it rate-limits. After recovery every command is done,
each paid renewal renewed exactly once, and the worker logged in no more often than the
tokens expired, plus once.
"""
from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from outbox.models import Command
from tests.dispatch.harness import enqueue, make_worker, paid_renewal, test_settings
from tests.dispatch.test_faults import toggles
from tests.reliability.figures import record
from tests.reliability.proxy import proxy_to

OPERATIONS = ["list_domains", "update_domain", "renew_domain", "get_domain"]


def _open(engine) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Command).where(Command.status.in_(["pending", "running"])))


def test_everything_is_done_after_openprovider_recovers(database_url, sandbox, engine, soak):  # noqa: ANN001
    domains_per_phase, phase_seconds = (40, 10) if soak else (6, 1.5)
    sandbox.seed(generate={"count": 3 * domains_per_phase, "name": "op{n}.com", "expiration_date": "2027-06-01 12:00:00"})
    host, port = sandbox.url.removeprefix("http://").split(":")
    with proxy_to(host, int(port)) as proxy:
        settings = test_settings(database_url, f"http://{host}:{proxy.port}", op_timeout_seconds=1)
        # Retries every 0.3 s for half a minute: the phases, not the attempts, run out first.
        worker = make_worker(engine, settings, threads=8, schedule=(0.3,) * 100)
        worker.services.openprovider.tlds.get("com")  # logged in: the count below starts with a valid token
        sandbox.reset_counters()
        phase = iter(range(3))

        def more_work() -> None:
            first = next(phase) * domains_per_phase + 1
            for number in range(first, first + domains_per_phase):
                enqueue(worker.outbox, "invoice.paid", paid_renewal(f"op{number}.com", None, invoice_id=number))
                for event_type, data in toggles(f"op{number}.com"):
                    enqueue(worker.outbox, event_type, data)

        runner = threading.Thread(target=worker.run, name="worker")
        runner.start()
        try:
            proxy.cut()
            more_work()
            time.sleep(phase_seconds)
            stuck_while_down = _open(engine)
            proxy.start()
            sandbox.set_faults(seed=3, error_rate=0.5, operations=OPERATIONS)
            sandbox.expire_tokens(after_calls=20)
            more_work()
            time.sleep(phase_seconds)
            sandbox.set_faults(seed=4, rate_limit_rate=0.5, calls_per_window=20, window_seconds=0.5,
                               retry_after_seconds=1, operations=OPERATIONS)
            more_work()
            time.sleep(phase_seconds)
            sandbox.set_faults()
            deadline = time.monotonic() + (120 if soak else 60)
            while _open(engine) and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            worker.stop()
            runner.join(60)
    counts = worker.outbox.counts()
    counters = sandbox.counters()
    record("Openprovider down, 50 % errors, rate limits", worker.outbox.backend, commands=sum(counts.values()),
           **counts, renewals=counters["succeeded"].get("renew_domain", 0), token_expiries=1, logins=counters["calls"].get("login", 0),
           failed_calls=sum(counters["failed"].values()), rate_limited=counters["error_codes"].get("rate_limit", 0))
    assert not runner.is_alive()
    assert stuck_while_down == 5 * domains_per_phase  # nothing got through while it was down
    assert counts == {"pending": 0, "running": 0, "done": 15 * domains_per_phase, "dead": 0, "discarded": 0}
    assert counters["failed"]["update_domain"] > 0 and counters["error_codes"]["rate_limit"] > 0  # the faults hit
    assert counters["succeeded"]["renew_domain"] == 3 * domains_per_phase  # exactly once
    assert counters["calls"]["login"] <= 1 + 1  # one token expiry, plus at most one more
