"""A fresh sandbox per test, served over real HTTP, with a client and an admin helper."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.support import serve_wsgi
from whmcsapi import WhmcsClient
from whmcssandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET, SandboxState, create_app


class SandboxAdmin:
    """The ``/_sandbox`` JSON API of one running sandbox."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def request(self, method: str, path: str, **kwargs) -> requests.Response:  # noqa: ANN003
        return self.http.request(method, f"{self.url}/_sandbox{path}", timeout=30, **kwargs)

    def get(self, path: str, **params: str) -> object:
        response = self.request("GET", path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def seed(self, spec: dict) -> dict:
        response = self.request("POST", "/seed", json=spec)
        assert response.status_code == 201, response.text
        return response.json()

    def faults(self, **settings: object) -> dict:
        response = self.request("PUT", "/faults", json=settings)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def state() -> SandboxState:
    return SandboxState()


@pytest.fixture
def sandbox_url(state: SandboxState) -> Iterator[str]:
    with serve_wsgi(create_app(state)) as url:
        yield url


@pytest.fixture
def admin(sandbox_url: str) -> Iterator[SandboxAdmin]:
    helper = SandboxAdmin(sandbox_url)
    yield helper
    helper.http.close()


@pytest.fixture
def client(sandbox_url: str) -> Iterator[WhmcsClient]:
    with WhmcsClient(sandbox_url, DEFAULT_IDENTIFIER, DEFAULT_SECRET, timeout=10) as whmcs:
        yield whmcs
