"""The reliability suite reuses the other suites' fixtures and helpers rather than its own.

``stack`` is the whole service in one process, as a new user runs it: the listener over
real HTTP with signed hooks, the admin API and the dashboard open, both sandboxes behind
it, and a worker (driven by the test) on the same database.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from listener import create_app
from outbox.db import make_engine
from outbox.worker import Worker
from tests.admin.conftest import TOKEN, sandbox_url, whmcs_url  # noqa: F401
from tests.dispatch.conftest import sandbox, sandbox_server  # noqa: F401
from tests.dispatch.harness import make_worker, test_settings
from tests.listener.conftest import client, settings  # noqa: F401
from tests.support import serve_wsgi
from whmcssandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET


@dataclasses.dataclass
class Stack:
    url: str
    engine: Any
    worker: Worker
    admin: requests.Session  # signed in with the admin token

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.admin.request(method, f"{self.url}{path}", timeout=30, **kwargs)


@pytest.fixture
def stack(database_url, sandbox_url, whmcs_url) -> Iterator[Stack]:  # noqa: ANN001, F811
    settings = test_settings(database_url, sandbox_url, admin_tokens=TOKEN, whmcs_url=whmcs_url,
                             whmcs_identifier=DEFAULT_IDENTIFIER, whmcs_secret=DEFAULT_SECRET)
    engine = make_engine(database_url, pool_size=20)
    try:
        with serve_wsgi(create_app(settings, engine)) as url, requests.Session() as admin:
            admin.headers["Authorization"] = f"Bearer {TOKEN}"
            yield Stack(url, engine, make_worker(engine, settings), admin)
    finally:
        engine.dispose()


@pytest.fixture
def soak(request) -> bool:  # noqa: ANN001
    """True in the long run (``--soak``): scenarios then run at full length."""
    return bool(request.config.getoption("--soak"))


@pytest.fixture
def sqlite_unless_soak(database_url: str, soak: bool) -> str:
    """``database_url``, but the short run keeps to SQLite: where the backend matters
    little, the other two run with ``--soak``, which CI time can afford only once."""
    if not soak and not database_url.startswith("sqlite"):
        pytest.skip("runs on this backend with --soak")
    return database_url
