"""Probes, and what a database outage looks like to a sender."""
from __future__ import annotations

import json
import threading

import pytest
import requests
from sqlalchemy import text

from listener import create_app
from core.settings import load_settings
from outbox.db import make_engine
from tests.listener.conftest import NEW_SECRET, signed_headers
from tests.listener.events import sample
from tests.support import free_port, serve_wsgi


def test_healthz_and_readyz(client):
    assert requests.get(f"{client.base_url}/healthz", timeout=10).json() == {"status": "ok"}
    ready = requests.get(f"{client.base_url}/readyz", timeout=10)
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_readyz_refuses_an_outdated_schema(client):
    with client.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    response = requests.get(f"{client.base_url}/readyz", timeout=10)
    assert response.status_code == 503
    assert response.json()["error"] == "schema_not_current" and response.headers["Retry-After"]


@pytest.fixture
def unreachable_database():
    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/gone?connect_timeout=2"
    settings = load_settings(environ={}, database_url=url, webhook_secrets=NEW_SECRET)
    engine = make_engine(url)
    with serve_wsgi(create_app(settings, engine)) as base_url:
        yield base_url
    engine.dispose()


def test_database_down_answers_503_with_retry_after(unreachable_database):
    assert requests.get(f"{unreachable_database}/healthz", timeout=10).status_code == 200
    ready = requests.get(f"{unreachable_database}/readyz", timeout=10)
    assert ready.status_code == 503 and ready.json()["error"] == "database_unavailable"

    body = json.dumps(sample("domain.lock_changed")).encode()
    response = requests.post(f"{unreachable_database}/hooks/whmcs", data=body, headers=signed_headers(body), timeout=10)
    assert response.status_code == 503
    assert response.json()["error"] == "database_unavailable"
    assert int(response.headers["Retry-After"]) > 0


def test_without_secrets_no_event_is_accepted(database_url, engine):
    settings = load_settings(environ={}, database_url=database_url)
    body = json.dumps(sample("domain.lock_changed")).encode()
    with serve_wsgi(create_app(settings, engine)) as base_url:
        response = requests.post(f"{base_url}/hooks/whmcs", data=body, headers=signed_headers(body), timeout=10)
    assert response.status_code == 503 and response.json()["error"] == "no_webhook_secrets"


def test_database_down_answers_503_to_every_event_of_a_batch(unreachable_database):
    bodies = [json.dumps(sample("domain.lock_changed")).encode() for _ in range(8)]
    responses = []

    def post(body: bytes) -> None:
        responses.append(requests.post(f"{unreachable_database}/hooks/whmcs", data=body, headers=signed_headers(body),
                                       timeout=30))

    threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [response.status_code for response in responses] == [503] * 8
    assert all(response.json()["error"] == "database_unavailable" for response in responses)
    assert all(int(response.headers["Retry-After"]) > 0 for response in responses)
