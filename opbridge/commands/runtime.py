"""What every verb shares: the settings, engine and outbox built on first use, and the
errors an operator can fix turned into one sentence and exit code 1."""
from __future__ import annotations

import functools
import os
from typing import Any

import click
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from core import logs
from opbridge.database_name import database_name, sqlite_file
from opbridge.doctor import one_line
from core.settings import ConfigError, load_settings
from outbox.db import SchemaNotCurrent, ensure_schema, make_engine
from outbox.store import Outbox


class Failure(click.ClickException):
    """A problem the operator can fix, told in one sentence (exit 1, no traceback).

    Shown as click shows its own usage errors, ``Error: <sentence>``, so every verb of
    every part speaks with one prefix.
    """


class Runtime:
    """Settings, engine and outbox, built on first use so `--help` never needs a database.

    Only the verbs that set ``creates_database`` (a worker, ``run``, ``sync run``) may
    create an embedded database: one that reads never leaves a new empty file behind.
    """

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path
        self.creates_database = False

    @property
    def database(self) -> str:
        """The database this verb opens, for messages: its URL with the password masked."""
        return database_name(self.settings.database_url)

    @functools.cached_property
    def settings(self) -> Any:
        settings = load_settings(self.config_path)
        logs.configure_from(settings)
        return settings

    @functools.cached_property
    def engine(self) -> Any:
        # Handlers hold a connection only to record an outcome, so a few serve many threads,
        # and several workers stay within a server's connection limit.
        return make_engine(self.settings.database_url, pool_size=min(self.settings.worker_threads + 2, 12))

    @functools.cached_property
    def services(self) -> Any:
        from outbox.services import OutboxServices

        return OutboxServices(self.settings, self.engine)

    @functools.cached_property
    def outbox(self) -> Outbox:
        path = sqlite_file(self.settings.database_url)
        if path and not self.creates_database and not os.path.exists(path):
            raise Failure(f"There is no database at {self.database}: set OPBRIDGE_DATABASE_URL to the one the "
                          "listener and workers use, or create this one with `opbridge db upgrade`.")
        ensure_schema(self.engine)
        return Outbox.from_settings(self.engine, self.settings)


def _describe_database_error(error: DBAPIError) -> str:
    # A lost or refused connection is the operator's to fix; a statement the database
    # refused is not about reachability, and saying so sent people checking the network.
    if isinstance(error, (OperationalError, InterfaceError)) or error.connection_invalidated:
        return f"The database is not reachable ({one_line(error)})."
    return f"The database refused the request ({one_line(error)})."


class Group(click.Group):
    """Turns the errors an operator can fix into one sentence and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ConfigError, SchemaNotCurrent) as error:
            raise Failure(str(error)) from None
        except DBAPIError as error:
            raise Failure(_describe_database_error(error)) from None


pass_runtime = click.make_pass_decorator(Runtime)
