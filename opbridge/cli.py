"""The ``opbridge`` command line. Exit codes: 0 success, 1 failure, 2 usage."""
from __future__ import annotations

import base64
import dataclasses
import functools
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import datetime
from typing import Any

import click
from cryptography.fernet import Fernet
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from listener.domains import normalise_domain
from listener.signing import SECRET_PREFIX
from listener.ids import MAX_ID
from core import logs
from opbridge.database_name import database_name, sqlite_file
from opbridge.doctor import one_line
from core.settings import ConfigError, load_settings, require
from core.tables import call_summary, cell, echo_json, echo_records
from outbox.db import SchemaNotCurrent, ensure_schema, make_engine, upgrade
from outbox.models import DEAD, DONE, STATUSES
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


@click.group(cls=Group)
@click.version_option(package_name="opbridge", prog_name="opbridge")
@click.option("--config", "config_path", type=click.Path(), help="TOML settings file (or OPBRIDGE_CONFIG).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """opbridge: WHMCS to Openprovider, out of the request path."""
    if config_path:
        # Verbs that load settings themselves, and the processes they start, read it here.
        os.environ["OPBRIDGE_CONFIG"] = config_path
    ctx.obj = Runtime(config_path)


@cli.group(cls=Group)
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_runtime
def db_upgrade(runtime: Runtime) -> None:
    """Create or upgrade the schema to the newest migration."""
    upgrade(runtime.engine)
    click.echo("Database schema is current.")


# Without these every Openprovider command would fail on its first call; the worker
# refuses to start instead, with the setting named.
WORKER_NEEDS = ("op_url", "op_username", "op_password")


@cli.command()
@click.option("--threads", type=click.IntRange(1, 256), help="Dispatcher threads (default OPBRIDGE_WORKER_THREADS).")
@click.option("--grace", type=click.FloatRange(0), default=30.0, show_default=True, help="Seconds in-flight work may finish after SIGTERM.")
@click.option("--metrics-port", type=click.IntRange(1, 65535), help="Serve this worker's Prometheus metrics on 127.0.0.1:PORT.")
@pass_runtime
def worker(runtime: Runtime, threads: int | None, grace: float, metrics_port: int | None) -> None:
    """Run dispatcher threads until SIGTERM or SIGINT."""
    import outbox.handlers  # noqa: F401 - registers every handler
    from outbox.catalogue.schedule import start_catalogue_scheduler
    from outbox.circuits import SERVICE_SETTINGS, credentials_digest
    from outbox.scheduler import start_scheduler
    from outbox.worker import Worker

    settings = runtime.settings
    require(settings, *WORKER_NEEDS)
    runtime.creates_database = True
    runner = Worker(
        runtime.outbox, threads or settings.worker_threads, settings.poll_seconds, grace_seconds=grace,
        services=runtime.services, circuit_pause_seconds=settings.circuit_pause_seconds,
        credentials={service: credentials_digest(settings, service) for service in SERVICE_SETTINGS},
    )
    if metrics_port:
        from prometheus_client import start_http_server

        from core.metrics import scrape_registry

        start_http_server(metrics_port, addr="127.0.0.1", registry=scrape_registry())
    runner.install_signal_handlers()
    schedulers = [start_scheduler(runtime.services, runtime.outbox, settings),
                  start_catalogue_scheduler(runtime.services, settings)]
    try:
        runner.run()
    finally:
        for scheduler in schedulers:
            if scheduler is not None:
                scheduler.stop()
    if runner.forced.is_set():
        # Handler threads may still be in a call; waiting for them is what a second Ctrl-C refused.
        logging.shutdown()
        os._exit(1)


COMMAND_COLUMNS = ("id", "type", "aggregate_key", "status", "attempts", "next_attempt_at", "last_error")


@cli.group(cls=Group)
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


@cli.group(cls=Group)
def circuit() -> None:
    """Circuits: calls to a service paused after it refused opbridge's credentials."""


@circuit.command("show")
@pass_runtime
def circuit_show(runtime: Runtime) -> None:
    """The circuits open now, with until when and why."""
    from outbox.circuits import open_circuits

    rows = open_circuits(runtime.outbox.engine, runtime.outbox.clock())
    echo_records(rows, ("service", "open_until", "code", "reason"), False, empty="Every circuit is closed: calls flow.")


@circuit.command("close")
@click.argument("service", type=click.Choice(("openprovider", "whmcs", "configuration")), default="openprovider")
@pass_runtime
def circuit_close(runtime: Runtime, service: str) -> None:
    """Resume calls to SERVICE now: after fixing what it refused (an IP whitelist, a password)."""
    import outbox.handlers  # noqa: F401 - registers every handler
    from outbox import circuits
    from outbox.registry import registry

    outbox = runtime.outbox
    who = f"opbridge circuit close, by {os.environ.get('USER') or 'an operator'}"
    due = circuits.close(outbox.engine, service, registry.types_of(service), outbox.clock(), who)
    if due is None:
        raise Failure(f"The {service} circuit is not open.")
    click.echo(f"Closed the {service} circuit: {due} command(s) due now; running workers resume within a heartbeat "
               f"({max(1, runtime.settings.lease_seconds // 3)} s).")


@cli.command()
@click.option("--older-than", "days", type=click.IntRange(1), help="Days to keep (default OPBRIDGE_RETENTION_DAYS).")
@pass_runtime
def purge(runtime: Runtime, days: int | None) -> None:
    """Delete done and discarded commands and their events older than the retention period."""
    from outbox.event_log import purge_refusals

    outbox, days = runtime.outbox, days or runtime.settings.retention_days
    removed = outbox.purge(days)
    purge_refusals(outbox.engine, outbox.clock(), days)
    click.echo(f"Purged {removed} done or discarded command(s).")


@cli.command()
@click.option("--bind", metavar="HOST:PORT", help="Where the listener listens; defaults to OPBRIDGE_BIND.")
@pass_runtime
def run(runtime: Runtime, bind: str | None) -> None:
    """Run the listener and a worker (with its scheduler) together, for one node."""
    require(runtime.settings, "webhook_secrets", *WORKER_NEEDS)
    runtime.creates_database = True
    runtime.outbox  # noqa: B018 - upgrade an embedded database once, before both start
    verbs = [["serve", *(["--bind", bind] if bind else [])], ["worker"]]
    children = [subprocess.Popen([sys.executable, "-m", "opbridge", *verb]) for verb in verbs]

    def forward(signum: int, _frame: Any) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, forward)
    # When either stops, stop the other: half a node is worse than none.
    while all(child.poll() is None for child in children):
        time.sleep(0.5)
    forward(signal.SIGTERM, None)
    sys.exit(max(child.wait() for child in children))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_runtime
def doctor(runtime: Runtime, as_json: bool) -> None:
    """Check the configuration, database, Openprovider login, WHMCS API and DNS template."""
    from opbridge.doctor import FAIL, diagnose

    findings = diagnose(runtime.settings, runtime.services)
    echo_records([dataclasses.asdict(finding) for finding in findings], ("check", "status", "detail"), as_json)
    if any(finding.status == FAIL for finding in findings):
        sys.exit(1)


@cli.command()
@click.option("--serve", is_flag=True, help="Then keep it all up, with the dashboard, until Ctrl-C.")
def demo(serve: bool) -> None:
    """Run the whole pipeline on SQLite against both sandboxes, printing what happens."""
    import outbox.handlers  # noqa: F401 - registers every handler
    from opbridge import demo as scenario

    logs.configure("WARNING", "text")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the sandboxes' access logs
    scenario.run(serve=serve)


SECRET_KINDS = {
    # Standard Webhooks' form: whsec_ and 32 random bytes in base64 (OPBRIDGE_WEBHOOK_SECRETS).
    "webhook": lambda: SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode(),
    "admin-token": lambda: secrets.token_urlsafe(32),  # OPBRIDGE_ADMIN_TOKENS
    "at-rest-key": lambda: Fernet.generate_key().decode(),  # OPBRIDGE_AT_REST_KEYS
}


@cli.group("secrets")
def secrets_group() -> None:
    """Make the secrets opbridge's settings take."""


@secrets_group.command("new")
@click.argument("kind", type=click.Choice(tuple(SECRET_KINDS)), default="webhook")
def secrets_new(kind: str) -> None:
    """Print a new webhook secret, admin token or at-rest key, from the system's random source."""
    click.echo(SECRET_KINDS[kind]())


@cli.group(cls=Group)
def sandbox() -> None:
    """Serve a simulator of Openprovider or WHMCS, for tests and demos."""


def _register_parts() -> None:
    # Each part's verbs live in opbridge.commands; the root group only gathers them.
    from opbridge.commands.events import events
    from opbridge.commands.openprovider import authcode, check, dns_templates
    from opbridge.commands.portfolio import portfolio
    from opbridge.commands.registrar_move import move_registrar
    from opbridge.commands.sandbox_openprovider import sandbox_openprovider
    from opbridge.commands.sandbox_whmcs import sandbox_whmcs
    from opbridge.commands.serve import serve
    from opbridge.commands.sync import sync
    from opbridge.commands.tlds import tlds

    for command in (serve, events, check, authcode, dns_templates, sync, tlds, portfolio, move_registrar):
        cli.add_command(command)
    sandbox.add_command(sandbox_openprovider)
    sandbox.add_command(sandbox_whmcs)


_register_parts()


def main() -> None:
    cli(prog_name="opbridge")
