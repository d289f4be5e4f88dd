"""A sandbox over real HTTP per module, emptied per test; a migrated database per test."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from outbox.db import make_engine
from outbox.worker import Worker
from tests.dispatch.harness import Sandbox, make_worker, test_settings
from tests.support import serve_wsgi


@pytest.fixture(scope="module")
def sandbox_server() -> Iterator[Sandbox]:
    from opsandbox import create_app
    from opsandbox.api import STATE_KEY

    app = create_app()
    with serve_wsgi(app) as url:
        sandbox = Sandbox(url, app.extensions[STATE_KEY])
        yield sandbox
        sandbox.close()


@pytest.fixture
def sandbox(sandbox_server: Sandbox) -> Sandbox:
    sandbox_server.reset()
    return sandbox_server


@pytest.fixture
def engine(database_url: str) -> Iterator[Any]:
    engine = make_engine(database_url, pool_size=20)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str, sandbox: Sandbox) -> Any:
    return test_settings(database_url, sandbox.url)


@pytest.fixture
def worker(engine: Any, settings: Any) -> Worker:
    return make_worker(engine, settings)
