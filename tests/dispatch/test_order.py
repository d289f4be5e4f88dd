"""Per-domain order survives fast toggling and retries."""
from __future__ import annotations

import requests

from listener import create_app
from tests.dispatch.harness import attempts, command, drain, enqueue, order, paid_renewal, signed_post
from tests.dispatch.test_handlers import seed_domain
from tests.support import serve_wsgi


def test_autorenew_on_off_on_off_ends_off(sandbox, settings, engine, worker) -> None:  # noqa: ANN001
    seed_domain(sandbox, "flip.com", autorenew="off")
    with serve_wsgi(create_app(settings, engine)) as listener_url, requests.Session() as http:
        ids = [signed_post(http, listener_url, "domain.autorenew_changed",
                           {"domain_id": 7, "domain": "flip.com", "autorenew": value}).json()["commands"][0]
               for value in (True, False, True, False)]
    drain(worker)
    assert sandbox.domain("flip.com")["autorenew"] == "off"
    assert sandbox.succeeded("update_domain") == 4  # each one a real change, none skipped
    finished = [command(engine, command_id).finished_at for command_id in ids]
    assert finished == sorted(finished)


def test_a_renewal_waits_for_the_registration_it_follows_even_through_retries(sandbox, engine, worker) -> None:  # noqa: ANN001
    sandbox.set_faults(script=[{"fault": "error", "operation": "create_domain", "times": 3}])
    [register] = enqueue(worker.outbox, "order.accepted", order("fresh.com", period_years=2))
    [renew] = enqueue(worker.outbox, "invoice.paid", paid_renewal("fresh.com", None))
    drain(worker)
    assert [a.outcome for a in attempts(engine, register)] == ["retry", "retry", "retry", "done"]
    assert [a.outcome for a in attempts(engine, renew)] == ["done"]
    assert attempts(engine, renew)[0].started_at >= command(engine, register).finished_at
    domain = sandbox.domain("fresh.com")
    created, expires = domain["creation_date"], domain["expiration_date"]
    assert int(expires[:4]) - int(created[:4]) == 3 and expires[4:] == created[4:]  # two years, then one
    assert (sandbox.succeeded("create_domain"), sandbox.succeeded("renew_domain")) == (1, 1)
