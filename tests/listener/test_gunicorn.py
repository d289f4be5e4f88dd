"""The listener under a real gunicorn, as production runs it."""
from __future__ import annotations

import json
import threading

import pytest
import requests
from sqlalchemy import func, select

from outbox.db import make_engine
from outbox.models import Command, Event
from tests.listener.conftest import AT_REST_KEY, NEW_SECRET, OLD_SECRET, signed_headers
from tests.listener.events import EXPECTED_COMMANDS, SAMPLES, sample
from tests.listener.processes import gunicorn


def _post_every_sample(base_url: str) -> int:
    session = requests.Session()
    commands = 0
    for event_type, event in SAMPLES.items():
        body = json.dumps(event).encode()
        headers = signed_headers(body)
        response = session.post(f"{base_url}/hooks/whmcs", data=body, headers=headers, timeout=30)
        assert response.status_code == 202, response.text
        assert len(response.json()["commands"]) == len(EXPECTED_COMMANDS[event_type])
        commands += len(EXPECTED_COMMANDS[event_type])
        again = session.post(f"{base_url}/hooks/whmcs", data=body, headers=headers, timeout=30)
        assert again.status_code == 200 and again.json()["status"] == "duplicate"
    return commands


def _counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return (conn.scalar(select(func.count()).select_from(Event)),
                    conn.scalar(select(func.count()).select_from(Command)))
    finally:
        engine.dispose()


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    # A fresh SQLite file: several workers start at once and must agree on migrating it.
    return {
        "OPBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'gunicorn.db'}",
        "OPBRIDGE_WEBHOOK_SECRETS": f"{OLD_SECRET} {NEW_SECRET}",
        "OPBRIDGE_AT_REST_KEYS": AT_REST_KEY,
        "OPBRIDGE_LOG_FORMAT": "text",
    }


def test_gunicorn_serves_wsgi_app(tmp_path, env):
    args = ["-m", "gunicorn", "--bind", "127.0.0.1:{port}", "--workers", "3", "--no-control-socket", "wsgi:app"]
    with gunicorn(args, env, tmp_path / "gunicorn.log") as base_url:
        commands = _post_every_sample(base_url)
        assert requests.get(f"{base_url}/readyz", timeout=10).status_code == 200
    assert _counts(env["OPBRIDGE_DATABASE_URL"]) == (len(SAMPLES), commands)


def test_serve_command_runs_gunicorn_with_its_config(tmp_path, env):
    args = ["-c", "from opbridge.commands.serve import serve; serve()", "--bind", "127.0.0.1:{port}"]
    log = tmp_path / "serve.log"
    with gunicorn(args, {**env, "WEB_CONCURRENCY": "2"}, log) as base_url:
        _post_every_sample(base_url)
    access = log.read_text()
    assert '"POST /hooks/whmcs HTTP/1.1" 202' in access
    assert "webhook-signature" not in access and "v1," not in access


def _deliver_at_once(base_url: str, deliveries: list[tuple[bytes, dict[str, str]]]) -> list[requests.Response]:
    start = threading.Barrier(len(deliveries))
    responses: list[requests.Response] = [None] * len(deliveries)

    def deliver(index: int, body: bytes, headers: dict[str, str]) -> None:
        start.wait()
        responses[index] = requests.post(f"{base_url}/hooks/whmcs", data=body, headers=headers, timeout=60)

    threads = [threading.Thread(target=deliver, args=(i, *delivery)) for i, delivery in enumerate(deliveries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def test_concurrent_events_under_the_production_config(tmp_path, database_url):
    """Redeliveries of one id racing each other and distinct events, batched by the workers' threads."""
    env = {"OPBRIDGE_DATABASE_URL": database_url, "OPBRIDGE_WEBHOOK_SECRETS": NEW_SECRET,
           "OPBRIDGE_AT_REST_KEYS": AT_REST_KEY, "WEB_CONCURRENCY": "2"}
    args = ["-m", "gunicorn", "--config", "python:listener.gunicorn_conf", "--bind", "127.0.0.1:{port}", "wsgi:app"]
    paid = json.dumps(SAMPLES["invoice.paid"]).encode()
    redelivered = [(paid, signed_headers(paid, webhook_id="evt_paid_once"))] * 20
    locks = [json.dumps(sample("domain.lock_changed")).encode() for _ in range(20)]
    distinct = [(body, signed_headers(body)) for body in locks]
    with gunicorn(args, env, tmp_path / "gunicorn.log") as base_url:
        responses = _deliver_at_once(base_url, redelivered + distinct)

    statuses = [response.status_code for response in responses]
    assert sorted(statuses[:20]) == [200] * 19 + [202], [response.text for response in responses]
    assert statuses[20:] == [202] * 20
    assert _counts(database_url) == (21, len(EXPECTED_COMMANDS["invoice.paid"]) + 20)
