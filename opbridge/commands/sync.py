"""``opbridge sync run [--dry-run]`` and ``opbridge sync report [RUN] [--json]``."""
from __future__ import annotations

import sys
import threading
import time
from typing import Any

import click

from core.settings import require
from opbridge.commands.output import echo_json, echo_records
from opbridge.commands.runtime import Runtime, pass_runtime
from outbox.models import PENDING, RUNNING
from outbox.sync import records, report
from outbox.sync.commands import REPORT_KEY
from outbox.sync.run import SyncBusy, run_sync

SYNC_NEEDS = ("whmcs_url", "whmcs_identifier", "whmcs_secret", "op_url", "op_username", "op_password")
CHANGE_COLUMNS = ("domain", "kind", "old_value", "new_value", "applied", "invoices", "command_id", "comment")
DRAIN_REPORT_SECONDS = 60  # how long --drain waits for the report behind retried writes
PHASE_LABELS = {"import": "Importing the WHMCS domains", "read": "Reading the due domains from Openprovider"}


@click.group()
def sync() -> None:
    """The pull-sync: Openprovider leads expiry and status, WHMCS leads auto-renew and ID protection."""


@sync.command("run")
@click.option("--dry-run", is_flag=True, help="Decide and report, but enqueue nothing (the mirror still takes WHMCS's list of domains).")
@click.option("--drain", is_flag=True, help="Carry out the enqueued writes in this process before returning.")
@pass_runtime
def sync_run(runtime: Runtime, dry_run: bool, drain: bool) -> None:
    """Run one sync now and print what it decided."""
    # A run that cannot start is not recorded: its report would read as a run that happened.
    require(runtime.settings, *SYNC_NEEDS)
    runtime.creates_database = True
    progress = PhaseProgress()
    try:
        run_id = run_sync(runtime.services, runtime.outbox, trigger="cli", dry_run=dry_run, progress=progress)
    except SyncBusy as busy:
        raise click.ClickException(str(busy)) from None
    finally:
        progress.close()
    if drain:
        _drain(runtime, run_id)
    _echo_report(runtime.engine, run_id, as_json=False, outbox=runtime.outbox)


@sync.command("report")
@click.argument("run_id", required=False, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_runtime
def sync_report(runtime: Runtime, run_id: int | None, as_json: bool) -> None:
    """Show a run's decisions (the latest run when RUN is left out)."""
    runtime.outbox  # noqa: B018 - brings an embedded database's schema up to date first
    _echo_report(runtime.engine, run_id, as_json, runtime.outbox)


def _echo_report(engine: Any, run_id: int | None, as_json: bool, outbox: Any) -> None:
    run = records.load_run(engine, run_id)
    if run is None:
        raise click.ClickException("There is no such sync run." if run_id else "No sync has run yet.")
    changes = records.load_changes(engine, run["id"])
    if as_json:
        echo_json(run | {"changes": changes})
    else:
        _echo_table(run, changes, _report_state(run, outbox))
    if run["status"] == records.FAILED:
        raise click.ClickException(f"Sync run #{run['id']} failed: {run['message']}")


def _echo_table(run: dict[str, Any], changes: list[dict[str, Any]], report_state: str) -> None:
    click.echo(report.render_text(run, []).splitlines()[0])
    click.echo(f"status {run['status']}, {run['changes']} change(s), {run['errors']} error(s), "
               f"{run['commands_enqueued']} command(s) enqueued, {run['api_calls']} API call(s), {report_state}")
    echo_records(changes, CHANGE_COLUMNS, False)


def _report_command(outbox: Any, run_id: int) -> dict[str, Any] | None:
    """The run's report command while it waits or runs: the newest few of the report queue hold it."""
    for status in (PENDING, RUNNING):
        for command in outbox.list_commands(status=status, aggregate_key=REPORT_KEY, limit=20):
            if command["payload"].get("run_id") == run_id:
                return command
    return None


def _report_state(run: dict[str, Any], outbox: Any) -> str:
    """Said of the report as it stands, never "not sent" for one that is on its way or none at all."""
    if run["report_sent"]:
        return "report sent"
    if run["dry_run"]:
        return "no report: a dry run sends none"
    waiting = _report_command(outbox, run["id"])
    if waiting:
        return f"report queued (command {waiting['id']}), not sent yet"
    return "no report sent"


def _drain(runtime: Any, run_id: int) -> None:
    import outbox.handlers  # noqa: F401 - registers every handler
    from outbox.worker import Worker

    settings = runtime.settings
    worker = Worker(runtime.outbox, settings.worker_threads, settings.poll_seconds, services=runtime.services,
                    circuit_pause_seconds=settings.circuit_pause_seconds)
    worker.run_until_idle()
    # A write retried later ends the round's work early; the report runs after its domain's writes.
    deadline = time.monotonic() + DRAIN_REPORT_SECONDS
    while _report_command(runtime.outbox, run_id) and time.monotonic() < deadline:
        time.sleep(settings.poll_seconds)
        worker.run_until_idle()


class PhaseProgress:
    """A run's progress on stderr: a line per phase, and a bar once a phase has a count.

    Lookups report from several threads, so updates are serialised here.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.phase: str | None = None
        self.bar: Any = None
        self.done = 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        with self.lock:
            if phase != self.phase:
                self.close()
                self.phase = phase
                click.echo(f"{PHASE_LABELS.get(phase, phase)}...", err=True)
            if not total:
                return
            if self.bar is None:
                self.bar = click.progressbar(length=total, file=sys.stderr).__enter__()
            self.bar.length = total
            self.bar.update(max(0, done - self.done))
            self.done = max(done, self.done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
        self.bar, self.done = None, 0
