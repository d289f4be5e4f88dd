"""``opbridge commands list | show | replay | discard``: the outbox as an operator reads and mends it."""
from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

import click

from listener.domains import normalise_domain
from listener.ids import MAX_ID
from core.tables import cell
from opbridge.commands.output import call_summary, echo_json, echo_records
from outbox.models import DEAD, DONE, STATUSES
from outbox.store import Outbox
from opbridge.commands.runtime import Failure, Group, Runtime, pass_runtime


COMMAND_COLUMNS = ("id", "type", "aggregate_key", "status", "attempts", "next_attempt_at", "last_error")


@click.group(cls=Group)
def commands() -> None:
    """Inspect and replay outbox commands."""


def _domain(_ctx: Any, _param: Any, value: str | None) -> str | None:
    """The outbox's key for a name as typed: any case, Unicode or punycode, as the listener keys it."""
    if value is None:
        return None
    try:
        return normalise_domain(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} {error}") from None


@commands.command("list")
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--type", "type_")
@click.option("--domain", callback=_domain, help="Any case, Unicode or punycode.")
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
@click.option("--before", type=click.IntRange(1), help="Only commands older than this id: the last id of the page before.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_runtime
def commands_list(runtime: Runtime, status: str | None, type_: str | None, domain: str | None, limit: int,
                  before: int | None, as_json: bool) -> None:
    """List commands, newest first, a page at a time."""
    rows = runtime.outbox.list_commands(status, type_, domain, limit, after_id=before)
    echo_records(rows, COMMAND_COLUMNS, as_json, empty=f"No commands in {runtime.database}.")


# Ids are 64-bit in every table: a larger number names no command, and must not reach the
# database (PostgreSQL refuses it as out of range, which read as an outage).
COMMAND_ID = click.IntRange(1)


@commands.command("show")
@click.argument("command_id", type=COMMAND_ID)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_runtime
def commands_show(runtime: Runtime, command_id: int, as_json: bool) -> None:
    """Show one command with its attempt history."""
    record = runtime.outbox.get_command(command_id) if command_id <= MAX_ID else None
    if record is None:
        raise Failure(f"There is no command with id {command_id} in {runtime.database}.")
    if as_json:
        echo_json(record)
        return
    history = record.pop("history")
    record.pop("event_id")  # the row id of the event; people know it by its webhook id
    for key, value in record.items():
        click.echo(f"{key:>16}: {cell(value)}")
    click.echo("")
    echo_records(history, ("number", "started_at", "duration_ms", "outcome", "error_code", "error", "note"), False)
    for attempt in history:
        if attempt["calls"]:
            click.echo(f"\nCalls of try {attempt['number']} ({attempt['outcome']}):")
            echo_records([call_summary(call) for call in attempt["calls"]], ("call", "status", "ms", "error"), False)


def _parse_since(_ctx: Any, _param: Any, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date or time such as 2026-11-28T10:00") from None


@commands.command("replay")
@click.argument("ids", nargs=-1, type=COMMAND_ID)
@click.option("--status", type=click.Choice((DEAD, DONE)), help="Replay every command in this status.")
@click.option("--type", "type_")
@click.option("--domain", callback=_domain, help="Any case, Unicode or punycode.")
@click.option("--since", callback=_parse_since, help="Only commands last changed at or after this UTC time.")
@pass_runtime
def commands_replay(runtime: Runtime, ids: tuple[int, ...], status: str | None, type_: str | None,
                    domain: str | None, since: datetime | None) -> None:
    """Send dead (or done) commands back to pending with fresh attempts."""
    if bool(ids) == bool(status):
        raise click.UsageError("Give command ids or --status, not both and not neither.")
    outbox = runtime.outbox
    if ids:
        replayed = outbox.replay([command_id for command_id in ids if command_id <= MAX_ID])
    else:
        replayed = _in_batches(outbox, outbox.replayable(status, type_, domain, since), "Replaying", outbox.replay)
    missing = sorted(set(ids) - set(replayed))
    click.echo(f"Replayed {len(replayed)} command(s).")
    if missing:
        raise Failure(f"Not replayed: {_why_not(outbox, missing)}; only dead or done commands can be replayed.")


@commands.command("discard")
@click.argument("ids", nargs=-1, type=COMMAND_ID)
@click.option("--reason", required=True, help="Why: kept in each command's history.")
@click.option("--all-dead", is_flag=True, help="Discard every dead command the filters pick.")
@click.option("--type", "type_")
@click.option("--domain", callback=_domain, help="Any case, Unicode or punycode.")
@click.option("--since", callback=_parse_since, help="Only commands last changed at or after this UTC time.")
@pass_runtime
def commands_discard(runtime: Runtime, ids: tuple[int, ...], reason: str, all_dead: bool, type_: str | None,
                     domain: str | None, since: datetime | None) -> None:
    """Set dead commands aside for good: never run again, kept with the reason until purged."""
    if bool(ids) == all_dead:
        raise click.UsageError("Give command ids or --all-dead, not both and not neither.")
    if not reason.strip():
        raise click.BadParameter("say why, in a few words", param_hint="--reason")
    outbox = runtime.outbox
    if ids:
        chosen = [command_id for command_id in ids if command_id <= MAX_ID]
    else:
        chosen = outbox.replayable(DEAD, type_, domain, since)
    discarded = _in_batches(outbox, chosen, "Discarding", lambda batch: outbox.discard(batch, reason.strip()))
    missing = sorted(set(ids) - set(discarded))
    click.echo(f"Discarded {len(discarded)} command(s).")
    if missing:
        raise Failure(f"Not discarded: {_why_not(outbox, missing)}; only dead commands can be discarded.")


def _why_not(outbox: Outbox, ids: list[int]) -> str:
    reasons = []
    for command_id in ids:
        record = outbox.get_command(command_id) if command_id <= MAX_ID else None
        reasons.append(f"{command_id} is {record['status']}" if record else f"{command_id} does not exist")
    return ", ".join(reasons)


def _in_batches(outbox: Outbox, ids: list[int], label: str, change: Any, batch: int = 500) -> list[int]:
    # Short transactions: a bulk change must not hold locks live traffic waits on.
    changed: list[int] = []
    with click.progressbar(length=len(ids), label=label, file=sys.stderr) as bar:
        for start in range(0, len(ids), batch):
            chunk = ids[start:start + batch]
            changed += change(chunk)
            bar.update(len(chunk))
    return changed
