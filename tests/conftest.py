"""Shared fixtures: a fresh, migrated database on each backend the run can reach.

SQLite always runs. PostgreSQL and MariaDB run when OPBRIDGE_TEST_POSTGRES_URL and
OPBRIDGE_TEST_MYSQL_URL name a server URL (CI sets both); each test gets its own
database, created and dropped here, so parallel runs never see each other's rows.

The migrations run once a session per backend, into a template: a test's migrated
database is a copy of it (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on
PostgreSQL), which costs a third of running them again. MariaDB has no template
databases, so its tests run the migrations each. tests/store/test_migrations.py runs
them itself on empty databases.
"""
from __future__ import annotations

import itertools
import os
import shutil
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


def _migrate(url: str) -> str:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Iterator[callable]:  # noqa: ANN001
    """A factory: migrated_template(kind) -> a migrated database to copy (None on MariaDB)."""
    made: dict[str, str] = {}

    def template(kind: str) -> str | None:
        if kind == "mysql":
            return None
        if kind not in made:
            if kind == "sqlite":
                made[kind] = str(tmp_path_factory.mktemp("template") / "migrated.db")
                _migrate(f"sqlite:///{made[kind]}")
            else:
                made[kind] = f"opbridge_template{os.getpid()}"
                _server_statement(kind, f"CREATE DATABASE {made[kind]}")
                _migrate(make_url(server_url(kind)).set(database=made[kind]).render_as_string(hide_password=False))
        return made[kind]

    yield template
    if "postgresql" in made:
        _server_statement("postgresql", f"DROP DATABASE IF EXISTS {made['postgresql']} WITH (FORCE)")


def _server_statement(kind: str, statement: str) -> None:
    admin = create_engine(make_url(server_url(kind)), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(statement))
    admin.dispose()


@pytest.fixture
def fresh_database(tmp_path) -> Iterator[callable]:  # noqa: ANN001
    """A factory: fresh_database(kind) -> URL of a new, empty database of that kind, or
    fresh_database(kind, template) -> a copy of ``template`` (see migrated_template)."""
    cleanups = []

    def create(kind: str, template: str | None = None) -> str:
        if kind == "sqlite":
            path = tmp_path / f"{_database_name()}.db"
            if template:
                shutil.copyfile(template, path)
            return f"sqlite:///{path}"
        base = make_url(server_url(kind))
        name = _database_name()
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else "")))
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
def database_url(request, fresh_database, migrated_template) -> str:  # noqa: ANN001
    """A migrated database on each backend (server backends skipped when unset)."""
    template = migrated_template(request.param)
    url = fresh_database(request.param, template)
    return url if template else _migrate(url)


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
