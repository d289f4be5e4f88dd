"""``opbridge sync run [--dry-run]`` and ``opbridge sync report [RUN] [--json]``."""
from __future__ import annotations

import sys
import threading
from typing import Any

import click

from opbridge.settings import require
from opbridge.tables import echo_json, echo_records
from outbox.sync import records, report
from outbox.sync.run import SyncBusy, run_sync

SYNC_NEEDS = ("whmcs_url", "whmcs_identifier", "whmcs_secret", "op_url", "op_username", "op_password")
CHANGE_COLUMNS = ("domain", "kind", "old_value", "new_value", "applied", "invoices", "command_id", "comment")
PHASE_LABELS = {"import": "Importing the WHMCS domains", "read": "Reading the due domains from Openprovider"}


def _runtime() -> Any:
    """The ``Runtime`` the top-level ``opbridge`` group put on the context."""
    return click.get_current_context().obj


@click.group()
def sync() -> None:
    """The pull-sync: Openprovider leads expiry and status, WHMCS leads auto-renew and ID protection."""


@sync.command("run")
@click.option("--dry-run", is_flag=True, help="Decide and report, but enqueue nothing (the mirror still takes WHMCS's list of domains).")
@click.option("--drain", is_flag=True, help="Carry out the enqueued writes in this process before returning.")
def sync_run(dry_run: bool, drain: bool) -> None:
    """Run one sync now and print what it decided."""
    runtime = _runtime()
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
        _drain(runtime)
    _echo_report(runtime.engine, run_id, as_json=False)


@sync.command("report")
@click.argument("run_id", required=False, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def sync_report(run_id: int | None, as_json: bool) -> None:
    """Show a run's decisions (the latest run when RUN is left out)."""
    runtime = _runtime()
    runtime.outbox  # noqa: B018 - brings an embedded database's schema up to date first
    _echo_report(runtime.engine, run_id, as_json)


def _echo_report(engine: Any, run_id: int | None, as_json: bool) -> None:
    run = records.load_run(engine, run_id)
    if run is None:
        raise click.ClickException("There is no such sync run." if run_id else "No sync has run yet.")
    changes = records.load_changes(engine, run["id"])
    if as_json:
        echo_json(run | {"changes": changes})
    else:
        _echo_table(run, changes)
    if run["status"] == records.FAILED:
        raise click.ClickException(f"Sync run #{run['id']} failed: {run['message']}")


def _echo_table(run: dict[str, Any], changes: list[dict[str, Any]]) -> None:
    click.echo(report.render_text(run, []).splitlines()[0])
    click.echo(f"status {run['status']}, {run['changes']} change(s), {run['errors']} error(s), "
               f"{run['commands_enqueued']} command(s) enqueued, {run['api_calls']} API call(s), "
               f"report {'sent' if run['report_sent'] else 'not sent'}")
    echo_records(changes, CHANGE_COLUMNS, False)


def _drain(runtime: Any) -> None:
    import outbox.handlers  # noqa: F401 - registers every handler
    from outbox.worker import Worker

    settings = runtime.settings
    Worker(runtime.outbox, settings.worker_threads, settings.poll_seconds, services=runtime.services,
           circuit_pause_seconds=settings.circuit_pause_seconds).run_until_idle()


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
