"""The migrations build exactly the models' schema, and undo it, on every backend."""
from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from outbox.db import alembic_config, current_revision, head_revision, make_engine, upgrade
from outbox.models import Base, created_on


def test_migrations_match_the_models(engine):  # noqa: ANN001
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": created_on(conn.dialect.name)})
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
