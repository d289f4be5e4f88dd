"""Fixtures for the listener: the real app over real HTTP on a migrated database."""
from __future__ import annotations

import base64
import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from listener import create_app
from listener.signing import sign
from core.settings import load_settings
from outbox.models import Command, Event
from tests.support import serve_wsgi

OLD_SECRET = "whsec_" + base64.b64encode(b"old-secret-old-secret-32-bytes!!").decode()
NEW_SECRET = "whsec_" + base64.b64encode(b"new-secret-new-secret-32-bytes!!").decode()
UNKNOWN_SECRET = "whsec_" + base64.b64encode(b"who-knows-who-knows-32-bytes!!!!").decode()
AT_REST_KEY = base64.urlsafe_b64encode(b"at-rest-key-for-listener-tests!!").decode()

_ids = itertools.count()


def new_webhook_id() -> str:
    return f"evt_{time.time_ns()}_{next(_ids)}"


def signed_headers(body: bytes, secret: str = NEW_SECRET, webhook_id: str | None = None,
                   timestamp: int | None = None) -> dict[str, str]:
    webhook_id = webhook_id or new_webhook_id()
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, webhook_id, timestamp, body),
    }


class Client:
    """Posts events to one running listener and reads what it stored."""

    def __init__(self, base_url: str, engine) -> None:  # noqa: ANN001
        self.base_url = base_url
        self.engine = engine
        self.http = requests.Session()

    def post(self, body: Any, headers: dict[str, str]) -> requests.Response:
        return self.http.post(f"{self.base_url}/hooks/whmcs", data=body, headers=headers, timeout=30)

    def post_event(self, event: dict[str, Any], **signing: Any) -> requests.Response:
        body = json.dumps(event).encode()
        return self.post(body, signed_headers(body, **signing))

    def counts(self) -> tuple[int, int]:
        with self.engine.connect() as conn:
            return (conn.scalar(select(func.count()).select_from(Event)),
                    conn.scalar(select(func.count()).select_from(Command)))

    def commands(self, ids: list[int] | None = None) -> list[Any]:
        query = select(Command).order_by(Command.id)
        if ids is not None:
            query = query.where(Command.id.in_(ids))
        with self.engine.connect() as conn:
            return conn.execute(query).all()

    def events(self) -> list[Any]:
        with self.engine.connect() as conn:
            return conn.execute(select(Event).order_by(Event.id)).all()


@pytest.fixture
def settings(database_url):  # noqa: ANN001, ANN201
    return load_settings(environ={}, database_url=database_url, webhook_secrets=f"{OLD_SECRET} {NEW_SECRET}",
                         at_rest_keys=AT_REST_KEY)


@pytest.fixture
def client(settings, engine) -> Iterator[Client]:  # noqa: ANN001
    with serve_wsgi(create_app(settings, engine)) as base_url:
        yield Client(base_url, engine)
