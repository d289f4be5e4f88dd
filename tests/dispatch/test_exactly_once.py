"""One paid renewal renews once: redelivered, replayed, timed out, or its worker killed."""
from __future__ import annotations

import signal
import time

import pytest
import requests

from listener import create_app
from tests.dispatch.harness import attempts, command, drain, enqueue, make_worker, paid_renewal, signed_post, test_settings
from tests.dispatch.killed_worker import run_killed_worker
from tests.dispatch.test_handlers import EXPIRY, seed_domain
from tests.support import serve_wsgi

RENEWED_EXPIRY = "2028-06-01"
LEASE_SECONDS = 7


def notes(engine, command_id: int) -> list[str]:  # noqa: ANN001
    return [attempt.error for attempt in attempts(engine, command_id)]


@pytest.mark.parametrize("expiry_date", [None, EXPIRY[:10]], ids=["without-expiry", "with-expiry"])
def test_the_same_paid_item_posted_twice_renews_once(expiry_date, sandbox, settings, engine, worker) -> None:  # noqa: ANN001
    seed_domain(sandbox, "twice.com")
    data = paid_renewal("twice.com", expiry_date)
    with serve_wsgi(create_app(settings, engine)) as listener_url, requests.Session() as http:
        answers = [signed_post(http, listener_url, "invoice.paid", data) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [202, 202]  # two webhook ids: both accepted
    first, second = (answer.json()["commands"][0] for answer in answers)
    assert drain(worker)["done"] == 2
    assert sandbox.succeeded("renew_domain") == 1
    assert sandbox.domain("twice.com")["expiration_date"].startswith(RENEWED_EXPIRY)
    assert notes(engine, second) == [f"Invoice 55 item 102 was already renewed by command {first}; not renewed again."]


def test_a_replayed_renewal_does_not_renew_again(sandbox, engine, worker) -> None:  # noqa: ANN001
    seed_domain(sandbox, "replayed.com")
    [command_id] = enqueue(worker.outbox, "invoice.paid", paid_renewal("replayed.com", None))
    drain(worker)
    assert worker.outbox.replay([command_id]) == [command_id]
    drain(worker)
    assert command(engine, command_id).status == "done"
    assert sandbox.succeeded("renew_domain") == 1
    assert sandbox.domain("replayed.com")["expiration_date"].startswith(RENEWED_EXPIRY)
    assert notes(engine, command_id)[-1].startswith("Renewed by an earlier try")


def test_a_renewal_whose_answer_timed_out_is_not_renewed_again(sandbox, engine, worker) -> None:  # noqa: ANN001
    seed_domain(sandbox, "slow.com")
    sandbox.set_faults(timeout_seconds=2.5, script=[{"fault": "timeout", "operation": "renew_domain"}])
    [command_id] = enqueue(worker.outbox, "invoice.paid", paid_renewal("slow.com", None))
    drain(worker)
    assert [a.outcome for a in attempts(engine, command_id)] == ["retry", "done"]
    assert sandbox.calls("renew_domain") == 1
    assert sandbox.domain("slow.com")["expiration_date"].startswith(RENEWED_EXPIRY)
    assert notes(engine, command_id)[-1].startswith("Renewed by an earlier try")


def test_a_worker_killed_after_the_renewal_answer_renews_once(database_url, sandbox, engine) -> None:  # noqa: ANN001
    seed_domain(sandbox, "killed.com")
    settings = test_settings(database_url, sandbox.url, lease_seconds=LEASE_SECONDS)
    worker = make_worker(engine, settings)
    [command_id] = enqueue(worker.outbox, "invoice.paid", paid_renewal("killed.com", None))
    assert run_killed_worker(database_url, sandbox.url, LEASE_SECONDS) == -signal.SIGKILL
    assert sandbox.succeeded("renew_domain") == 1
    assert command(engine, command_id).status == "running"  # killed before it could say done
    deadline = time.monotonic() + 3 * LEASE_SECONDS
    while not worker.outbox.recover_expired():
        assert time.monotonic() < deadline, "the dead worker's lease never expired"
        time.sleep(0.2)
    drain(worker)
    assert command(engine, command_id).status == "done"
    assert [a.outcome for a in attempts(engine, command_id)] == ["lease_expired", "done"]
    assert notes(engine, command_id)[-1].startswith("Renewed by an earlier try")
    assert sandbox.calls("renew_domain") == 1
    assert sandbox.domain("killed.com")["expiration_date"].startswith(RENEWED_EXPIRY)
