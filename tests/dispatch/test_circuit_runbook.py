"""The runbook's "Circuit open", step by step: what an operator does, and what then happens.

Step 1 (doctor names the refusal) and step 2 (the fix) are the operator's; these tests
exercise step 3: a worker restarted with other credentials tries at once, a worker
restarted with the same ones waits out the pause, and `opbridge circuit close` (after a
fix outside opbridge, such as an IP whitelist) makes the held commands due at once.
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta

from click.testing import CliRunner

from opbridge.cli import cli
from outbox import circuits
from outbox.circuits import SERVICE_SETTINGS, credentials_digest
from tests.dispatch.harness import command, enqueue, make_worker, test_settings
from tests.dispatch.test_handlers import seed_domain


def worker_with(engine, settings):  # noqa: ANN001, ANN201
    """A worker as `opbridge worker` builds it: knowing the digest of its settings."""
    worker = make_worker(engine, settings, threads=2)
    worker.credentials = {service: credentials_digest(settings, service) for service in SERVICE_SETTINGS}
    return worker


def run_until(worker, done, timeout: float = 20.0) -> None:  # noqa: ANN001
    """Run the worker as a process does (heartbeat, start-up checks) until ``done()``, then stop it."""
    runner = threading.Thread(target=worker.run)
    runner.start()
    try:
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
        runner.join(30)


def open_with_a_wrong_password(sandbox, engine, database_url) -> int:  # noqa: ANN001
    seed_domain(sandbox, "first.com")
    wrong = worker_with(engine, test_settings(database_url, sandbox.url, op_password="wrong"))
    [command_id] = enqueue(wrong.outbox, "domain.autorenew_changed", {"domain_id": 7, "domain": "first.com", "autorenew": False})
    wrong.run_until_idle()
    row = command(engine, command_id)
    assert row.status == "pending" and row.next_attempt_at > row.updated_at + timedelta(seconds=290)
    [opened] = circuits.open_circuits(engine, wrong.outbox.clock())
    assert opened["service"] == "openprovider" and opened["code"] == "196"
    assert "wrong" not in str(opened)  # a digest, never the password
    return command_id


def test_a_worker_restarted_with_the_right_password_tries_at_once(sandbox, engine, database_url) -> None:  # noqa: ANN001
    command_id = open_with_a_wrong_password(sandbox, engine, database_url)
    same = worker_with(engine, test_settings(database_url, sandbox.url, op_password="wrong"))
    run_until(same, lambda: False, timeout=1.5)  # restarted unchanged: the pause holds
    assert command(engine, command_id).status == "pending"

    fixed = worker_with(engine, test_settings(database_url, sandbox.url))
    run_until(fixed, lambda: command(engine, command_id).status == "done")
    row = command(engine, command_id)
    assert row.status == "done" and row.last_error is None  # the 196 stays in the tries only
    assert circuits.open_circuits(engine, fixed.outbox.clock()) == []


def test_an_operator_closes_the_circuit_after_a_fix_outside_opbridge(sandbox, engine, database_url) -> None:  # noqa: ANN001
    seed_domain(sandbox, "first.com")
    worker = worker_with(engine, test_settings(database_url, sandbox.url))
    [command_id] = enqueue(worker.outbox, "domain.autorenew_changed", {"domain_id": 7, "domain": "first.com", "autorenew": False})
    with sandbox.state.lock:
        lifetime, sandbox.state.tokens.lifetime = sandbox.state.tokens.lifetime, timedelta(0)  # every call refused
    worker.run_until_idle()
    assert worker.circuits["openprovider"].remaining() > 0
    with sandbox.state.lock:
        sandbox.state.tokens.lifetime = lifetime  # the cause is gone, as after a whitelist fix

    env = {"OPBRIDGE_DATABASE_URL": database_url, "OPBRIDGE_LOG_LEVEL": "WARNING"}
    closed = CliRunner(env=env).invoke(cli, ["circuit", "close", "openprovider"])
    assert closed.exit_code == 0 and "Closed the openprovider circuit: 1 command(s) due now" in closed.output
    again = CliRunner(env=env).invoke(cli, ["circuit", "close"])
    assert again.exit_code == 1 and "The openprovider circuit is not open." in again.output

    worker._follow_closed_circuits()  # what the running worker's next heartbeat does
    assert worker.circuits["openprovider"].remaining() == 0
    worker.run_until_idle()
    assert command(engine, command_id).status == "done"
    [row] = [dict(r._mapping) for r in circuits_rows(engine)]
    assert row["closed_by"].startswith("opbridge circuit close, by ")


def circuits_rows(engine):  # noqa: ANN001, ANN201
    with engine.connect() as conn:
        return conn.execute(circuits.circuits.select()).all()
