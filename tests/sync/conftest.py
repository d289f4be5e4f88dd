"""Both sandboxes over real HTTP, a migrated database, and the sync run against them.

The Openprovider sandbox's clock is frozen at START and the sync runs on a FakeClock at
the same moment, so every date in a scenario is exact. Writes the sync enqueues are run
by a real Worker with the real handlers.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import requests

import outbox.handlers  # noqa: F401 - registers every handler the drained commands need
from core.settings import load_settings
from opsandbox import Clock
from opsandbox import create_app as openprovider_app
from outbox.db import make_engine
from outbox.services import OutboxServices
from outbox.store import Outbox
from outbox.sync import run_sync
from outbox.sync.records import load_changes, load_run
from outbox.worker import Worker
from tests.conftest import FakeClock
from tests.support import serve_wsgi
from whmcssandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET
from whmcssandbox import create_app as whmcs_app

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TODAY = START.date()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def as_date(text: str) -> date:
    return date.fromisoformat(text)


class SandboxSide:
    """The ``/_sandbox`` side door of one served sandbox."""

    def __init__(self, url: str, app) -> None:  # noqa: ANN001
        self.url = url
        self.app = app
        self.http = requests.Session()

    def admin(self, method: str, path: str, **kwargs) -> object:  # noqa: ANN003
        answer = self.http.request(method, f"{self.url}/_sandbox{path}", timeout=60, **kwargs)
        assert answer.ok, answer.text
        return answer.json()

    def seed(self, spec: dict) -> object:
        return self.admin("POST", "/seed", json=spec)

    def counters(self) -> dict:
        return self.admin("GET", "/counters")

    def reset_counters(self) -> None:
        self.admin("DELETE", "/counters")


class Harness:
    def __init__(self, database_url: str, whmcs: SandboxSide, openprovider: SandboxSide, **overrides: object) -> None:
        self.whmcs = whmcs
        self.openprovider = openprovider
        self.clock = FakeClock(START.replace(tzinfo=None))
        settings = dict(
            database_url=database_url, whmcs_url=whmcs.url, whmcs_identifier=DEFAULT_IDENTIFIER,
            whmcs_secret=DEFAULT_SECRET, op_url=openprovider.url, op_username="sandbox", op_password="sandbox",
            update_interval_days=0, max_domains_per_sync=0, send_empty_reports=False, sync_concurrency=4,
        )
        self.settings = load_settings(environ={}, **(settings | overrides))
        self.engine = make_engine(database_url)
        self.outbox = Outbox.from_settings(self.engine, self.settings)
        self.services = OutboxServices(self.settings, self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- acting ------------------------------------------------------------------------

    def sync(self, **options: object) -> int:
        return run_sync(self.services, self.outbox, clock=self.clock, **options)

    def drain(self) -> None:
        """Run every enqueued write, then check WHMCS was never sent an invalid value."""
        Worker(self.outbox, threads=4, poll_seconds=0.05, services=self.services).run_until_idle()
        assert self.whmcs.admin("GET", "/rejections") == []
        stuck = [c for c in self.outbox.list_commands(limit=1000) if c["status"] != "done"]
        assert stuck == [], stuck

    def sync_and_drain(self, **options: object) -> int:
        run_id = self.sync(**options)
        self.drain()
        return run_id

    # -- looking -----------------------------------------------------------------------

    def whmcs_domain(self, name: str) -> dict:
        return self.whmcs.admin("GET", f"/domains/{name}")

    def op_domain(self, name: str) -> dict:
        return self.openprovider.admin("GET", f"/domains/{name}")["domain"]

    def whmcs_calls(self) -> dict:
        return self.whmcs.counters()["calls"]

    def op_updates(self) -> dict:
        """How often each domain was changed at Openprovider (PUT /domains/{id})."""
        domains = self.openprovider.counters()["domains"]
        return {name: counts["update_domain"] for name, counts in domains.items() if counts.get("update_domain")}

    def emails(self) -> list[dict]:
        return self.whmcs.admin("GET", "/emails")

    def activity(self) -> list[dict]:
        return self.whmcs.admin("GET", "/activity")

    def run(self, run_id: int) -> dict:
        return load_run(self.engine, run_id)

    def changes(self, run_id: int) -> list[dict]:
        return load_changes(self.engine, run_id)

    def rows(self, run_id: int, kind: str) -> dict[str, dict]:
        return {row["domain"]: row for row in self.changes(run_id) if row["kind"] == kind}


@pytest.fixture
def whmcs_side() -> Iterator[SandboxSide]:
    app = whmcs_app()
    with serve_wsgi(app) as url:
        side = SandboxSide(url, app)
        yield side
        side.http.close()


@pytest.fixture
def openprovider_side() -> Iterator[SandboxSide]:
    app = openprovider_app(clock=Clock(START, ticking=False))
    with serve_wsgi(app) as url:
        side = SandboxSide(url, app)
        yield side
        side.http.close()


@pytest.fixture
def make_harness(database_url, whmcs_side, openprovider_side):  # noqa: ANN001, ANN201
    """A factory, so a test may change settings: make_harness(next_due_date_offset=14)."""
    made: list[Harness] = []

    def make(**overrides: object) -> Harness:
        harness = Harness(database_url, whmcs_side, openprovider_side, **overrides)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()


@pytest.fixture
def harness(make_harness) -> Harness:  # noqa: ANN001
    return make_harness()
