"""docs/databases.md, proven: its statements applied to a fresh database and fresh roles on
the test servers; the schema upgraded as the migration role; the outbox run as the runtime
role, which cannot change the schema."""
from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import URL, make_url

from outbox.db import make_engine, upgrade
from outbox.leader import exclusive
from outbox.models import DEAD, DONE, PENDING
from outbox.store import NOTIFY_CHANNEL, Outbox
from outbox.values import Failure, NewCommand, NewEvent, utcnow
from tests.conftest import server_url

DOC = Path(__file__).resolve().parents[1] / "docs" / "databases.md"
DOC_SECTION = {"postgresql": "postgresql", "mysql": "mariadb"}  # the servers' URLs say mysql


def statements(block: str) -> list[str]:
    """The SQL statements of the fenced block whose info string is ``sql <block>``."""
    [body] = re.findall(rf"^```sql {block}\n(.*?)^```", DOC.read_text(), flags=re.M | re.S)
    return [statement.strip() for statement in body.split(";\n") if statement.strip()]


def renamed(sql: list[str], names: dict[str, str]) -> list[str]:
    """The documented names and passwords replaced by this run's own."""
    pattern = re.compile("|".join(rf"\b{re.escape(name)}\b" for name in sorted(names, key=len, reverse=True)))
    return [pattern.sub(lambda match: names[match.group(0)], statement) for statement in sql]


def run_as(url: URL, sql: list[str]) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")  # CREATE DATABASE takes no transaction
    try:
        with engine.connect() as conn:
            # The driver's own cursor, so a host pattern such as '%' is not read as a parameter.
            cursor = conn.connection.cursor()
            for statement in sql:
                cursor.execute(statement)
    finally:
        engine.dispose()


@pytest.fixture
def names() -> dict[str, str]:
    suffix = f"t{os.getpid()}_{secrets.token_hex(3)}"
    return {
        "opbridge_migrate": f"opbridge_migrate_{suffix}", "opbridge_app": f"opbridge_app_{suffix}",
        "opbridge": f"opbridge_grants_{suffix}",
        "change-me-migrate": secrets.token_hex(12), "change-me-app": secrets.token_hex(12),
    }


def login(base: URL, names: dict[str, str], role: str) -> URL:
    return base.set(username=names[role], password=names[f"change-me-{role.removeprefix('opbridge_')}"],
                    database=names["opbridge"])


@contextlib.contextmanager
def installed(kind: str, names: dict[str, str], teardown: list[str]) -> Iterator[tuple[URL, URL]]:
    """The documented setup run as the server's administrator and the schema upgraded as the
    migration role; yields the migration and runtime logins; ``teardown`` runs whatever happens."""
    base = make_url(server_url(kind))
    migrate, app = login(base, names, "opbridge_migrate"), login(base, names, "opbridge_app")
    try:
        run_as(base, renamed(statements(f"{DOC_SECTION[kind]}-setup"), names))
        engine = make_engine(migrate.render_as_string(hide_password=False))
        upgrade(engine)
        engine.dispose()
        yield migrate, app
    finally:
        for statement in teardown:
            with contextlib.suppress(Exception):  # what setup did not get to create: the driver's error
                run_as(base, [statement])


def run_the_outbox(url: URL) -> Outbox:
    """What a listener and a worker do, as the runtime role; fails on any missing privilege."""
    engine = make_engine(url.render_as_string(hide_password=False))
    outbox = Outbox(engine, (0,), lease_seconds=60)
    event = NewEvent(webhook_id="evt_grants", type="domain.lock_changed", body="{}")
    work = [NewCommand("set_lock", "a.example", {"locked": True}), NewCommand("set_lock", "b.example", {"locked": True})]
    stored = outbox.enqueue(event, work)
    assert outbox.enqueue(event, work).duplicate
    first, second = outbox.claim("worker-1", limit=10)
    assert outbox.renew_lease("worker-1", [first.id, second.id]) == 2
    assert outbox.save_state(first, {"expiration_before": "2027-01-01"})
    assert outbox.complete_and_claim("worker-1", [(first, "locked", None)], 10) == []
    assert outbox.fail(second, Failure("Openprovider is down.", "50", transient=True)) == PENDING
    [again] = outbox.claim("worker-1")
    assert outbox.fail(again, Failure("Refused.", "399", transient=False)) == DEAD
    assert outbox.replay([second.id]) == [second.id]
    [replayed] = outbox.claim("worker-1")
    assert outbox.complete(replayed, "locked")
    assert outbox.recover_expired() == 0
    outbox.refresh_statistics()
    later = Outbox(engine, (0,), clock=lambda: utcnow() + timedelta(days=2))
    assert later.purge(older_than_days=1) == 2 and outbox.get_event("evt_grants") is None
    with exclusive(engine, "sync") as held:
        assert held
    assert outbox.counts()[DONE] == 0 and stored.command_ids == [first.id, second.id]
    return outbox


def refused(url: URL, statement: str) -> bool:
    try:
        run_as(url, [statement])
    except Exception as error:  # noqa: BLE001 - the driver's own error class, whichever driver
        return bool(re.search(r"permission denied|denied|must be owner", str(error), re.I))
    return False


def test_the_postgresql_runtime_role_runs_the_outbox_and_nothing_more(names):
    teardown = [f"DROP DATABASE IF EXISTS {names['opbridge']} WITH (FORCE)",
                f"DROP ROLE IF EXISTS {names['opbridge_app']}", f"DROP ROLE IF EXISTS {names['opbridge_migrate']}"]
    with installed("postgresql", names, teardown) as (migrate, app):
        run_as(migrate, renamed(statements("postgresql-grants"), names))

        import psycopg  # the runtime role LISTENs, as a worker does

        with psycopg.connect(app.set(drivername="postgresql").render_as_string(hide_password=False),
                             autocommit=True) as listener:
            listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
            outbox = run_the_outbox(app)
            assert next(listener.notifies(timeout=10)).channel == NOTIFY_CHANNEL
        outbox.engine.dispose()

        # A later migration's table is the runtime's to use without a new grant.
        run_as(migrate, ["CREATE TABLE later_table (id BIGSERIAL PRIMARY KEY, note TEXT)"])
        run_as(app, ["INSERT INTO later_table (note) VALUES ('ok')", "DELETE FROM later_table"])

        assert refused(app, "CREATE TABLE mine (id INT)")
        assert refused(app, "DROP TABLE commands")
        assert refused(app, "ALTER TABLE commands ADD COLUMN x INT")
        assert refused(app, "TRUNCATE attempts")
        assert refused(app, "UPDATE alembic_version SET version_num = version_num")


def test_the_mariadb_runtime_user_runs_the_outbox_and_nothing_more(names):
    teardown = [f"DROP DATABASE IF EXISTS {names['opbridge']}",
                f"DROP USER IF EXISTS '{names['opbridge_app']}'@'%'", f"DROP USER IF EXISTS '{names['opbridge_migrate']}'@'%'"]
    with installed("mysql", names, teardown) as (_, app):
        run_the_outbox(app).engine.dispose()

        assert refused(app, "CREATE TABLE mine (id INT)")
        assert refused(app, "DROP TABLE commands")
        assert refused(app, "ALTER TABLE commands ADD COLUMN x INT")
        assert refused(app, "CREATE INDEX ix_mine ON commands (type)")
