"""The migrations build exactly the models' schema, and undo it, on every backend."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from outbox.db import alembic_config, current_revision, head_revision, make_engine, upgrade
from outbox.models import AggregateLock, Base, Command


def test_migrations_match_the_models(engine):  # noqa: ANN001
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_downgrade_to_nothing_and_back(engine):  # noqa: ANN001
    command.downgrade(alembic_config(engine), "base")
    assert current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_sqlite_upgrades_itself_on_first_start(tmp_path):  # noqa: ANN001
    from outbox.db import ensure_schema

    engine = make_engine(f"sqlite:///{tmp_path}/first.db")
    ensure_schema(engine)
    assert current_revision(engine) == head_revision()
    assert "commands" in inspect(engine).get_table_names()


@pytest.mark.parametrize("slices", ["whole", "small"])
def test_queue_heads_upgrade_keeps_every_command_and_its_order(engine, monkeypatch, slices):  # noqa: ANN001
    """0003 and 0004 on a populated 0002 database: queues say what may run, tallies count, nothing else changes.

    With small slices every data step runs over several slices of keys and of ids.
    """
    from outbox.migrations import batches
    from outbox.store import Outbox
    from tests.conftest import FakeClock

    if slices == "small":
        monkeypatch.setattr(batches, "KEYS_PER_SLICE", 2)
        monkeypatch.setattr(batches, "IDS_PER_SLICE", 5)

    command.downgrade(alembic_config(engine), "0002")
    clock = FakeClock()
    now, later, earlier = clock.now, clock.now + timedelta(hours=1), clock.now - timedelta(minutes=5)
    rows = [  # (domain, status, next attempt), in id order
        ("a.example", "pending", earlier), ("a.example", "pending", now), ("a.example", "pending", now),
        ("b.example", "running", earlier), ("b.example", "pending", now), ("b.example", "pending", now),
        ("c.example", "done", earlier), ("c.example", "dead", earlier), ("c.example", "pending", later),
        ("c.example", "pending", now), ("d.example", "done", earlier), ("e.example", "pending", now),
    ]
    with engine.begin() as conn:
        # Written as 0002 knew the tables; e.example has no queue row, as if written by hand.
        conn.execute(text("INSERT INTO aggregate_locks (aggregate_key, enqueued) VALUES "
                          "('a.example', 1), ('b.example', 1), ('c.example', 2), ('d.example', 1)"))
        for key, status, due in rows:
            conn.execute(text(
                "INSERT INTO commands (type, aggregate_key, payload, status, attempts, max_attempts, next_attempt_at,"
                " lease_owner, lease_expires_at, claimed_at, state, created_at, updated_at)"
                " VALUES ('noop', :key, '{}', :status, :attempts, 4, :due, :owner, :expires, :claimed, '{}', :at, :at)"
            ), dict(key=key, status=status, due=due, attempts=1 if status == "running" else 0,
                    owner="gone" if status == "running" else None,
                    expires=earlier if status == "running" else None, claimed=earlier if status == "running" else None,
                    at=earlier))
        before = conn.execute(select(Command.id, Command.aggregate_key, Command.status, Command.attempts,
                                     Command.next_attempt_at).order_by(Command.id)).all()

    upgrade(engine)
    with engine.connect() as conn:
        after = conn.execute(select(Command.id, Command.aggregate_key, Command.status, Command.attempts,
                                    Command.next_attempt_at).order_by(Command.id)).all()
        queues = {row.aggregate_key: (row.unfinished, row.running, row.ready_at)
                  for row in conn.execute(select(AggregateLock))}
    assert after == before
    assert queues == {
        "a.example": (3, 0, earlier), "b.example": (3, 1, None), "c.example": (2, 0, later),
        "d.example": (0, 0, None), "e.example": (1, 0, now),
    }

    outbox = Outbox(engine, (10, 60, 300), lease_seconds=60, clock=clock)
    assert outbox.command_counts() == dict(Counter((status, "noop") for _, status, _ in rows))  # 0004's tallies
    ran = []
    for _ in range(20):
        claimed = outbox.claim("new", 10)
        for item in claimed:
            ran.append((item.aggregate_key, item.id))
            assert outbox.complete(item)
        if not claimed:
            clock.advance(3601)  # c's backed-off head, then b's lost lease
            outbox.recover_expired()
    expected = [(row.aggregate_key, row.id) for row in before if row.status in ("pending", "running")]
    for key in {key for key, _ in expected}:
        assert [cid for k, cid in ran if k == key] == [cid for k, cid in expected if k == key]
    assert outbox.counts() == {"pending": 0, "running": 0, "done": 11, "dead": 1, "discarded": 0}
