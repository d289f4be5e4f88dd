"""One engine factory for SQLite, PostgreSQL and MariaDB/MySQL, and the schema's state."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from core.settings import ConfigError

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaNotCurrent(Exception):
    """The database is reachable but its schema is not at the newest migration."""


def backend(engine: Engine) -> str:
    """'sqlite', 'postgresql' or 'mysql' (MariaDB answers to 'mysql' too)."""
    name = engine.dialect.name
    return "mysql" if name == "mariadb" else name


def make_engine(url: str, pool_size: int = 10) -> Engine:
    name = make_url(url).get_backend_name()
    if name == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30}, pool_size=pool_size, max_overflow=pool_size)
        _configure_sqlite(engine)
        return engine
    options = {"pool_size": pool_size, "max_overflow": pool_size, "pool_pre_ping": True, "pool_recycle": 1800}
    if name in {"mysql", "mariadb"}:
        # REPEATABLE READ would hand a polling worker a stale snapshot and widen gap locks.
        options["isolation_level"] = "READ COMMITTED"
    try:
        return create_engine(url, **options)
    except ModuleNotFoundError as error:
        extra = "postgres" if name == "postgresql" else "mysql"
        raise ConfigError(
            f"OPBRIDGE_DATABASE_URL needs the {error.name} driver: pip install 'opbridge[{extra}]'."
        ) from None


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):  # noqa: ANN001
        # Transactions are opened by hand below, so the driver must not open its own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):  # noqa: ANN001
        # IMMEDIATE takes the write lock up front: a deferred transaction that later
        # writes fails with "database is locked" instead of waiting for busy_timeout.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


MIGRATION_LOCK = "migrations"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate, one process at a time: a second ``db upgrade`` waits, then finds nothing to do.

    Without the database's own lock, two at once on a fresh PostgreSQL database both
    created the first tables and the loser failed on the catalogue's unique index.
    """
    from outbox.leader import exclusive  # the leader module builds on this one

    with exclusive(engine, MIGRATION_LOCK, wait=True):
        command.upgrade(alembic_config(engine), revision)


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ensure_schema(engine: Engine) -> None:
    """Upgrade an embedded SQLite database in place; servers are upgraded by an operator."""
    if current_revision(engine) == head_revision():
        return
    if backend(engine) == "sqlite":
        upgrade(engine)
        return
    raise SchemaNotCurrent("The database schema is not current: run `opbridge db upgrade` first.")
