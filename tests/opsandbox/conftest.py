"""A sandbox served over real HTTP with a frozen clock, and a client that speaks to it."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
from flask import Flask

from opsandbox import Clock, create_app
from opsandbox.faults import FaultSettings
from tests.support import serve_wsgi

START = datetime(2025, 1, 10, 11, 0, tzinfo=UTC)  # 12:00 in Amsterdam
NAME_SERVERS = [{"name": "ns1.example.net"}, {"name": "ns2.example.net"}]
CONTACT = {
    "name": {"first_name": "Jane", "last_name": "Doe", "initials": "J.D"},
    "address": {"street": "Main", "number": "1", "zipcode": "1011AA", "city": "Amsterdam",
                "country": "NL"},
    "phone": {"country_code": "+31", "area_code": "20", "subscriber_number": "1234567"},
    "email": "jane@example.com",
}


class Sandbox:
    """Plain ``requests`` calls to one served sandbox: the API with a token, and the admin side."""

    def __init__(self, base_url: str, app) -> None:  # noqa: ANN001
        self.url = base_url
        self.app = app
        self.state = app.extensions["opsandbox"]
        self.http = requests.Session()
        self.token = ""

    def login(self, username: str = "sandbox", password: str = "sandbox") -> requests.Response:
        answer = self.http.post(f"{self.url}/v1beta/auth/login",
                                json={"username": username, "password": password, "ip": "0.0.0.0"})
        if answer.status_code == 200:
            self.token = answer.json()["data"]["token"]
        return answer

    def call(self, method: str, path: str, **kwargs) -> requests.Response:  # noqa: ANN003
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        kwargs.setdefault("timeout", 10)
        return self.http.request(method, f"{self.url}/v1beta{path}", headers=headers, **kwargs)

    def ok(self, method: str, path: str, **kwargs) -> dict:  # noqa: ANN003
        answer = self.call(method, path, **kwargs)
        assert answer.status_code == 200, answer.text
        assert answer.json()["code"] == 0
        return answer.json()["data"]

    def refused(self, method: str, path: str, **kwargs) -> dict:  # noqa: ANN003
        """The error envelope of a call that must fail with HTTP 500."""
        answer = self.call(method, path, **kwargs)
        assert answer.status_code == 500, answer.text
        return answer.json()

    def admin(self, method: str, path: str, **kwargs) -> dict:  # noqa: ANN003
        answer = self.http.request(method, f"{self.url}/_sandbox{path}", timeout=10, **kwargs)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def advance(self, **delta: float) -> None:
        """Move the clock, then log in again: a jump past two days outlives the token."""
        self.admin("POST", "/clock", json=delta)
        self.login()

    def customer(self, **changes: object) -> str:
        return self.ok("POST", "/customers", json={**CONTACT, **changes})["handle"]

    def register(self, full_name: str, handle: str, **fields: object) -> dict:
        name, extension = full_name.split(".", 1)
        body = {"domain": {"name": name, "extension": extension}, "period": 1,
                "owner_handle": handle, "admin_handle": handle, "tech_handle": handle,
                "name_servers": NAME_SERVERS, **fields}
        return self.ok("POST", "/domains", json=body)

    def domain(self, full_name: str) -> dict:
        return self.admin("GET", f"/domains/{full_name}")["domain"]


@pytest.fixture(scope="session")
def served() -> Iterator[tuple[str, Flask]]:
    """One server for the session (starting one costs half a second); tests reset it."""
    app = create_app(clock=Clock(START, ticking=False))
    with serve_wsgi(app) as url:
        yield url, app


@pytest.fixture
def sandbox(served: tuple[str, Flask]) -> Iterator[Sandbox]:
    url, app = served
    state = app.extensions["opsandbox"]
    with state.lock:
        state.clock.set(START)
        state.faults.configure(FaultSettings())
        state.clear()
    client = Sandbox(url, app)
    client.login()
    yield client
    client.http.close()


@pytest.fixture
def handle(sandbox: Sandbox) -> str:
    return sandbox.customer()
