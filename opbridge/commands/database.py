"""``opbridge db upgrade`` and ``opbridge purge``: the schema, and what the retention lets go."""
from __future__ import annotations


import click

from outbox.db import upgrade
from opbridge.commands.runtime import Group, Runtime, pass_runtime


@click.group(cls=Group)
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_runtime
def db_upgrade(runtime: Runtime) -> None:
    """Create or upgrade the schema to the newest migration."""
    upgrade(runtime.engine)
    click.echo("Database schema is current.")


@click.command()
@click.option("--older-than", "days", type=click.IntRange(1), help="Days to keep (default OPBRIDGE_RETENTION_DAYS).")
@pass_runtime
def purge(runtime: Runtime, days: int | None) -> None:
    """Delete done and discarded commands and their events older than the retention period."""
    from outbox.event_log import purge_refusals

    outbox, days = runtime.outbox, days or runtime.settings.retention_days
    removed = outbox.purge(days)
    purge_refusals(outbox.engine, outbox.clock(), days)
    click.echo(f"Purged {removed} done or discarded command(s).")
