"""A refused token on a call (not the login) pauses every Openprovider command."""
from __future__ import annotations

import logging
from datetime import timedelta

from prometheus_client import REGISTRY

from tests.dispatch.harness import attempts, command, enqueue
from tests.dispatch.test_handlers import seed_domain

PAUSED = "calls paused: the service refused our credentials"


def test_a_196_on_a_call_opens_the_circuit_and_refunds_attempts(sandbox, engine, worker, settings, caplog) -> None:  # noqa: ANN001
    names = ("first.com", "second.com", "third.com")
    for name in names:
        seed_domain(sandbox, name)
    ids = [enqueue(worker.outbox, "domain.autorenew_changed", {"domain_id": 7, "domain": name, "autorenew": False})[0]
           for name in names]
    worker.threads = 1  # one command at a time: the later ones are claimed while the circuit is open
    with sandbox.state.lock:
        sandbox.state.tokens.lifetime = timedelta(0)  # logins succeed, every call is refused with 196
    caplog.set_level(logging.ERROR, logger="opbridge.circuit")
    worker.run_until_idle()
    rows = [command(engine, command_id) for command_id in ids]
    assert [(row.status, row.attempts) for row in rows] == [("pending", 0)] * 3
    assert rows[0].last_error_code == "196" and "Authentication/Authorization Failed" in rows[0].last_error
    for row in rows:
        pause = (row.next_attempt_at - row.updated_at).total_seconds()
        assert settings.circuit_pause_seconds - 5 < pause <= settings.circuit_pause_seconds
    assert [a.outcome for a in attempts(engine, ids[0])] == ["paused"]
    assert attempts(engine, ids[1]) == attempts(engine, ids[2]) == []  # released without a try
    calls = sandbox.counters()["calls"]
    assert calls["list_domains"] == 2  # the call, and once more after a fresh login; nothing for the others
    assert calls.get("update_domain", 0) == 0
    assert [record.getMessage() for record in caplog.records].count(PAUSED) == 1
    assert REGISTRY.get_sample_value("opbridge_circuit_open", {"service": "openprovider"}) == 1.0
