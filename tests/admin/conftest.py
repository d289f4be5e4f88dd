"""Fixtures for the admin API: the real app over real HTTP, with both sandboxes behind it."""
from __future__ import annotations

import base64

import pytest
import requests

from listener import create_app
from core.settings import load_settings
from opsandbox import create_app as create_sandbox
from tests.support import serve_wsgi
from whmcssandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET
from whmcssandbox import create_app as create_whmcs

TOKEN = "admin-token-0123456789"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"admin-tests-webhook-secret-32by!").decode()


@pytest.fixture(scope="module")
def sandbox_url():  # noqa: ANN201
    with serve_wsgi(create_sandbox()) as url:
        requests.post(f"{url}/_sandbox/seed", json={
            "domains": [{"name": "kept.com", "status": "ACT", "auth_code": "Secret-Code-1"}],
        }, timeout=10).raise_for_status()
        yield url


@pytest.fixture(scope="module")
def whmcs_url():  # noqa: ANN201
    with serve_wsgi(create_whmcs()) as url:
        requests.post(f"{url}/_sandbox/seed", json={
            "domains": [{"domain": "kept.com", "registrar": "openprovider", "status": "Active"}],
        }, timeout=10).raise_for_status()
        yield url


@pytest.fixture
def admin(database_url, sandbox_url, whmcs_url):  # noqa: ANN001, ANN201
    settings = load_settings(environ={}, database_url=database_url, admin_tokens=TOKEN, webhook_secrets=WEBHOOK_SECRET,
                             op_url=sandbox_url, op_username="sandbox", op_password="sandbox",
                             whmcs_url=whmcs_url, whmcs_identifier=DEFAULT_IDENTIFIER, whmcs_secret=DEFAULT_SECRET)
    app = create_app(settings)
    with serve_wsgi(app) as url:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {TOKEN}"
        session.base = url
        session.app = app
        session.sandbox_url = sandbox_url
        session.outbox = app.extensions["opbridge"].outbox
        session.clients = app.extensions["opbridge"].clients
        yield session


def api(session, method: str, path: str, **kwargs) -> requests.Response:  # noqa: ANN001
    return session.request(method, f"{session.base}/api/v1{path}", timeout=30, **kwargs)
