"""Shared fixtures: a fresh, migrated database on each backend the run can reach.

SQLite always runs. PostgreSQL and MariaDB run when OPBRIDGE_TEST_POSTGRES_URL and
OPBRIDGE_TEST_MYSQL_URL name a server URL (CI sets both); each test gets its own
database, created and dropped here, so parallel runs never see each other's rows.
"""
from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from outbox.db import make_engine, upgrade

SERVER_URLS = {"postgresql": "OPBRIDGE_TEST_POSTGRES_URL", "mysql": "OPBRIDGE_TEST_MYSQL_URL"}
_names = itertools.count()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--soak", action="store_true", help="also run the long soak tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--soak"):
        return
    skip = pytest.mark.skip(reason="soak test: run with --soak")
    for item in items:
        if "soak" in item.keywords:
            item.add_marker(skip)


def server_url(kind: str) -> str:
    variable = SERVER_URLS[kind]
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"{variable} is not set, so the {kind} backend is not tested here")
    return url


def _database_name() -> str:
    return f"opbridge_t{os.getpid()}_{next(_names)}"


@pytest.fixture
def fresh_database(tmp_path) -> Iterator[callable]:  # noqa: ANN001
    """A factory: fresh_database(kind) -> URL of a new, empty database of that kind."""
    cleanups = []

    def create(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / _database_name()}.db"
        base = make_url(server_url(kind))
        name = _database_name()
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()

        def drop() -> None:
            admin = create_engine(base, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                if kind == "postgresql":
                    conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                else:
                    conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            admin.dispose()

        cleanups.append(drop)
        return base.set(database=name).render_as_string(hide_password=False)

    yield create
    for drop in cleanups:
        drop()


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def database_url(request, fresh_database) -> str:  # noqa: ANN001
    """A migrated database on each backend (server backends skipped when unset)."""
    url = fresh_database(request.param)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url):  # noqa: ANN001, ANN201
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


class FakeClock:
    """A clock tests move by hand, so retry delays are checked without sleeping."""

    def __init__(self, start: datetime = datetime(2026, 1, 1, 12, 0, 0)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
