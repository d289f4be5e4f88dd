"""The database stopped and started under load: 503 + Retry-After, then everything done.

The server stays up for the other tests that share it: the listener and the worker reach
it through a TCP proxy this test cuts (every connection dropped, new ones refused) and
restores. Listener and worker run on, in this process, through the outage.
"""
from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from listener import create_app
from outbox.db import make_engine, upgrade
from outbox.worker import Worker
from tests.dispatch.harness import enqueue, make_worker, test_settings
from tests.reliability.figures import record
from tests.reliability.load import Load, outcome, wait_until_done
from tests.reliability.proxy import proxy_to
from tests.support import serve_wsgi

DOMAINS = 50


@contextlib.contextmanager
def running(worker: Worker) -> Iterator[tuple[threading.Thread, list[BaseException]]]:
    """The worker's loop in a thread, as ``opbridge worker`` runs it, with whatever it raised."""
    crashed: list[BaseException] = []

    def run() -> None:
        try:
            worker.run()
        except BaseException as error:  # noqa: BLE001 - the test reports it
            crashed.append(error)

    runner = threading.Thread(target=run, name="worker")
    runner.start()
    try:
        yield runner, crashed
    finally:
        worker.stop()
        runner.join(60)


def _lock_event(number: int) -> tuple[str, dict]:
    return "domain.lock_changed", {"domain_id": number, "domain": f"load{number % DOMAINS + 1}.com",
                                   "locked": number % 2 == 0}


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_a_database_outage_under_load_loses_nothing(kind, fresh_database, sandbox, soak):  # noqa: ANN001
    clients, before, down, after = (16, 10, 15, 10) if soak else (4, 2, 3, 2)
    url = make_url(fresh_database(kind))
    direct = make_engine(url.render_as_string(hide_password=False))
    upgrade(direct)
    sandbox.seed(generate={"count": DOMAINS, "name": "load{n}.com", "expiration_date": "2027-06-01 12:00:00"})
    with proxy_to(url.host, url.port) as proxy:
        proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
        settings = test_settings(proxied, sandbox.url, lease_seconds=10)
        engine = make_engine(proxied)
        worker = make_worker(engine, settings)
        try:
            with serve_wsgi(create_app(settings, engine)) as listener_url, running(worker) as (runner, crashed):
                with Load(listener_url, clients, _lock_event) as load:
                    time.sleep(before)
                    proxy.cut()
                    time.sleep(down)
                    during = list(load.answers)
                    proxy.start()
                    time.sleep(after)
                wait_until_done(direct, load, timeout=120 if soak else 60)
                assert runner.is_alive() and not crashed  # the worker rode out the outage
        finally:
            engine.dispose()
    assert not runner.is_alive() and not crashed, crashed
    tally, result = load.tally(), outcome(direct, load)
    direct.dispose()
    refused = [answer for answer in load.answers if answer.status == 503]
    record("database outage", kind, down_seconds=down, clients=clients, **tally, **result)
    assert any(answer.status == 503 for answer in during)  # the outage was seen
    assert all(answer.retry_after and answer.error == "database_unavailable" for answer in refused)
    assert tally["5xx"] == tally["503"] and tally["unanswered"] == 0
    assert tally["acknowledged"] > 0 and result["lost"] == 0 and result["doubled"] == 0


def test_a_worker_stopped_during_an_outage_returns(fresh_database, sandbox):  # noqa: ANN001
    """SIGTERM while the database is away: the worker gives up what it cannot record and ends cleanly."""
    url = make_url(fresh_database("postgresql"))
    direct = make_engine(url.render_as_string(hide_password=False))
    upgrade(direct)
    direct.dispose()
    sandbox.seed(generate={"count": DOMAINS, "name": "load{n}.com", "expiration_date": "2027-06-01 12:00:00"})
    sandbox.set_faults(latency_ms=300)  # commands are still running and queued when the database goes
    with proxy_to(url.host, url.port) as proxy:
        proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
        engine = make_engine(proxied)
        worker = make_worker(engine, test_settings(proxied, sandbox.url, lease_seconds=10), threads=2)
        worker.grace_seconds = 2
        for number in range(1, DOMAINS + 1):
            enqueue(worker.outbox, *_lock_event(number))
        try:
            with running(worker) as (runner, crashed):
                deadline = time.monotonic() + 30
                while not worker._held_ids() and time.monotonic() < deadline:
                    time.sleep(0.05)
                proxy.cut()
                worker.stop()  # what SIGTERM does
                runner.join(30)
        finally:
            engine.dispose()
    assert not runner.is_alive() and not crashed, crashed
