"""The registrar module's world: the Openprovider sandbox over HTTP, opbridge's listener
under gunicorn on a migrated database, a worker to drain the outbox, and a WHMCS played by
php-cli through tests/registrar/harness.php (module) and tests/hook/harness.php (hooks).
"""
from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from outbox.db import make_engine, upgrade
from outbox.values import utcnow
from outbox.sync import records
from outbox.sync.verifications import verification_rows
from tests.dispatch.conftest import sandbox, sandbox_server  # noqa: F401 - the sandbox fixtures, shared
from tests.dispatch.harness import AT_REST_KEY, Sandbox, drain, make_worker, test_settings
from tests.listener.processes import gunicorn
from tests.support import free_port

PHP = shutil.which("php")
REPO = Path(__file__).resolve().parents[2]
MODULE_HARNESS = Path(__file__).with_name("harness.php")
HOOK_HARNESS = REPO / "tests" / "hook" / "harness.php"
FIELDS_HARNESS = Path(__file__).with_name("additionalfields.php")
SECRET = "whsec_" + base64.b64encode(b"opbridge-module-test-key-32byte!").decode()
TOKEN = "module-admin-token-5f1e2d3c4b5a"


@pytest.fixture
def database(request: pytest.FixtureRequest, fresh_database: Any) -> str:
    """A migrated SQLite database, or the backend a test names with
    ``@pytest.mark.parametrize("database", [...], indirect=True)``."""
    url = fresh_database(getattr(request, "param", "sqlite"))
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


class Opbridge:
    """The listener under gunicorn, and a worker on the same database that drains on demand."""

    def __init__(self, database_url: str, sandbox: Sandbox, log: Path, **settings: str) -> None:
        self.database_url = database_url
        self.settings = settings  # more OPBRIDGE_<NAME> settings of the listener
        self.sandbox = sandbox
        self.log = log
        self.base_url = ""
        self.engine = make_engine(database_url)
        self.worker = make_worker(self.engine, test_settings(database_url, sandbox.url))

    def environment(self) -> dict[str, str]:
        return {
            "OPBRIDGE_DATABASE_URL": self.database_url, "OPBRIDGE_WEBHOOK_SECRETS": SECRET,
            "OPBRIDGE_AT_REST_KEYS": AT_REST_KEY, "OPBRIDGE_ADMIN_TOKENS": TOKEN, "OPBRIDGE_OP_URL": self.sandbox.url,
            "OPBRIDGE_OP_USERNAME": "sandbox", "OPBRIDGE_OP_PASSWORD": "sandbox",
            "OPBRIDGE_OP_TIMEOUT_SECONDS": "5", "OPBRIDGE_LOG_LEVEL": "INFO",
        } | {f"OPBRIDGE_{name.upper()}": value for name, value in self.settings.items()}

    @contextlib.contextmanager
    def running(self) -> Iterator[Opbridge]:
        args = ["-m", "gunicorn", "wsgi:app", "--bind", "127.0.0.1:{port}", "--workers", "1", "--threads", "4"]
        with gunicorn(args, self.environment(), self.log) as url:
            self.base_url = url
            yield self

    def drain(self) -> dict[str, int]:
        """Run the outbox empty; the statuses that have commands, with their counts."""
        return {status: count for status, count in drain(self.worker).items() if count}

    def query(self, sql: str, **args: Any) -> list[Any]:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return conn.execute(text(sql), args).all()


class Whmcs:
    """One WHMCS installation: its database (the spool) and the module's settings."""

    def __init__(self, workdir: Path, opbridge_url: str) -> None:
        self.root = workdir / "whmcs-root"
        self.root.mkdir(exist_ok=True)
        self.database = workdir / "whmcs.db"
        self.settings = {"ListenerURL": f"{opbridge_url}/hooks/whmcs", "WebhookSecret": SECRET,
                         "AdminURL": opbridge_url, "AdminToken": TOKEN, "Timeout": "5",
                         # No worker runs while these tests call the module: nothing to wait for.
                         "OutcomeWait": "0"}
        self.hook_url = f"{opbridge_url}/hooks/whmcs"
        self.secret = SECRET  # the hook file's, from the environment as configuration.php would give it
        self.logs: list[dict[str, Any]] = []  # every module log entry of every run

    def _run(self, harness: Path, name: str, argument: dict[str, Any], patch: dict[str, Any] | None,
             post: dict[str, Any] | None = None, session: dict[str, Any] | None = None) -> dict[str, Any]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("OPBRIDGE_")}
        env |= {"OPBRIDGE_HARNESS_DB": str(self.database), "OPBRIDGE_HARNESS_ROOT": str(self.root),
                "OPBRIDGE_HOOK_URL": self.hook_url, "OPBRIDGE_HOOK_SECRET": self.secret,
                "OPBRIDGE_HARNESS_PATCH": json.dumps({"domains": patch or {}}),
                "OPBRIDGE_HARNESS_SESSION": json.dumps(session or {})}
        done = subprocess.run([PHP, str(harness), name, json.dumps(argument), json.dumps(post or {})], env=env,
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr or done.stdout
        report = json.loads(done.stdout)
        assert report["php_errors"] == [], report["php_errors"]
        self.logs += report["module_log"]
        return report

    def call(self, function: str, params: dict[str, Any] | None = None, patch: dict[str, Any] | None = None,
             post: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
        """``opbridge_<function>($params)`` with the module's settings merged in, as WHMCS does,
        and ``post`` as the form the client posted ($_POST)."""
        return self._run(MODULE_HARNESS, function, {**self.settings, **overrides, **(params or {})}, patch, post)

    def fire(self, hook: str, hook_vars: dict[str, Any], patch: dict[str, Any] | None = None,
             session: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._run(HOOK_HARNESS, hook, hook_vars, patch, session=session)

    def additional_fields(self, admin_file: str) -> dict[str, Any]:
        """WHMCS's $additionaldomainfields after loading ``admin_file`` as the admin's
        resources/domains/additionalfields.php."""
        target = self.root / "resources" / "domains" / "additionalfields.php"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(admin_file, encoding="utf-8")
        return self._run(FIELDS_HARNESS, "", {}, None)


@pytest.fixture
def opbridge(database: str, sandbox: Sandbox, tmp_path: Path) -> Iterator[Opbridge]:
    service = Opbridge(database, sandbox, tmp_path / "gunicorn.log")
    try:
        with service.running():
            yield service
    finally:
        service.engine.dispose()


@pytest.fixture
def whmcs(opbridge: Opbridge, tmp_path: Path) -> Whmcs:
    return Whmcs(tmp_path, opbridge.base_url)


def record_sync_run(engine: Any, openprovider: Any, started_at: datetime) -> int:
    """A finished pull-sync run that read the account's verifications at the sandbox, as a run does."""
    run_id = records.start_run(engine, trigger="manual", dry_run=False, period_key=None, now=started_at)
    rows, unread = verification_rows(openprovider)
    records.save_changes(engine, run_id, rows)
    records.finish_run(engine, run_id, utcnow(), status=records.FINISHED, message=unread)
    return run_id


def unreachable_url() -> str:
    """A loopback port nothing listens on: opbridge down."""
    return f"http://127.0.0.1:{free_port()}"
