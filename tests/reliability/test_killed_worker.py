"""Workers SIGKILLed during paid renewals, before and after Openprovider applied them.

Each killed worker dies at its first renewal: alternately just before the request is
sent, and just after Openprovider answered but before the command is marked done. Then
the leases expire, a worker drains the rest, and every renewal was made exactly once.
"""
from __future__ import annotations

import signal
import time

from tests.dispatch.harness import drain, enqueue, make_worker, paid_renewal, test_settings
from tests.dispatch.killed_worker import run_killed_worker
from tests.reliability.figures import record

LEASE_SECONDS = 7


def test_renewals_survive_workers_killed_around_the_call(database_url, sandbox, engine, soak):  # noqa: ANN001
    renewals, kills = (300, 8) if soak else (10, 2)
    sandbox.seed(generate={"count": renewals, "name": "paid{n}.com", "expiration_date": "2027-06-01 12:00:00"})
    settings = test_settings(database_url, sandbox.url, lease_seconds=LEASE_SECONDS)
    worker = make_worker(engine, settings)
    for number in range(1, renewals + 1):
        enqueue(worker.outbox, "invoice.paid", paid_renewal(f"paid{number}.com", None, invoice_id=number))
    moments = [("before", "after")[kill % 2] for kill in range(kills)]
    for moment in moments:
        assert run_killed_worker(database_url, sandbox.url, LEASE_SECONDS, moment) == -signal.SIGKILL
    renewed_by_the_killed = sandbox.succeeded("renew_domain")
    time.sleep(LEASE_SECONDS)  # the last killed worker's leases run out
    worker.outbox.recover_expired()
    counts = drain(worker, timeout=300)
    record("worker SIGKILL during renewals", worker.outbox.backend, renewals=renewals, kills=kills, **counts,
           renewed=sandbox.succeeded("renew_domain"), renew_calls=sandbox.calls("renew_domain"))
    assert renewed_by_the_killed >= kills // 2  # the "after" kills landed after Openprovider renewed
    assert counts == {"pending": 0, "running": 0, "done": renewals, "dead": 0, "discarded": 0}
    assert sandbox.succeeded("renew_domain") == sandbox.calls("renew_domain") == renewals  # each exactly once
