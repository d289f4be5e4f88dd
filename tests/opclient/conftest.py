"""A sandbox over real HTTP, emptied for each test, and a client of it that records its calls."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from opclient.auth import TokenStore
from opclient.client import OpenproviderClient
from opclient.calls import CallRecord
from tests.opsandbox.harness import CREDENTIALS, SandboxAdmin, contact
from tests.support import serve_wsgi


@pytest.fixture(scope="module")
def sandbox_server() -> Iterator[SandboxAdmin]:
    from opsandbox import create_app  # here, so the pure tests never depend on it

    with serve_wsgi(create_app()) as url:
        admin = SandboxAdmin(url)
        yield admin
        admin.close()


@pytest.fixture
def sandbox(sandbox_server: SandboxAdmin) -> SandboxAdmin:
    """The module's sandbox, emptied: one server per module, a clean account per test."""
    sandbox_server.reset()
    return sandbox_server


@pytest.fixture
def records() -> list[CallRecord]:
    return []


@pytest.fixture
def client(sandbox: SandboxAdmin, records: list[CallRecord]) -> Iterator[OpenproviderClient]:
    with OpenproviderClient(
        sandbox.url, *CREDENTIALS, read_timeout=5, token_store=TokenStore(), on_call=records.append
    ) as client:
        yield client


@pytest.fixture
def handle(client: OpenproviderClient) -> str:
    return client.customers.create(contact())
