"""One pull-sync run: import, select, read, decide, enqueue, record, report.

The run only reads remote systems; every write it decides is an outbox command, run by
the workers with retries like any other. One run at a time holds the sync lock, and a
scheduled run also claims its period in ``sync_runs``, so however many workers tick,
each period runs once.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from core.metrics import SYNC_CHANGES, SYNC_DOMAINS_CHECKED, SYNC_RUNS
from outbox import calllog
from outbox.leader import exclusive
from outbox.store import Outbox
from outbox.values import utcnow
from outbox.sync import records
from outbox.sync.commands import Planned, planned_commands, report_command
from outbox.sync.decisions import DUE_DATE, ERROR, Decision, Rules, decide
from outbox.sync.importer import import_domains
from outbox.sync.invoices import InvoicePlan, plan_invoice_moves
from outbox.sync.reading import Readings, read_domains, reading_client
from outbox.sync.selection import DueDomain, Visit, count_ours, record_visits, select_due
from outbox.sync.verifications import verification_rows

log = logging.getLogger("opbridge.sync")

LOCK_NAME = "sync"
REQUESTED_RUN_KEY = "sync-run"  # the aggregate key of runs asked for through the admin API: one at a time
ENQUEUE_BATCH = 500  # commands per outbox transaction
DRY_RUN_COMMENT = "Dry run: a run would write this."
Progress = Callable[[str, int, int], None]  # (phase, done, total)


class SyncBusy(Exception):
    """Another sync run holds the lock."""


@dataclasses.dataclass
class Job:
    services: Any
    outbox: Outbox
    run_id: int
    now: datetime  # naive UTC, as the database keeps time
    dry_run: bool
    progress: Progress
    stop: threading.Event

    @property
    def settings(self) -> Any:
        return self.services.settings

    @property
    def engine(self) -> Any:
        return self.outbox.engine


def run_sync(
    services: Any,
    outbox: Outbox,
    *,
    trigger: str = "manual",
    dry_run: bool = False,
    period_key: str | None = None,
    clock: Callable[[], datetime] = utcnow,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Run one sync and return its id. Raises ``SyncBusy`` when another run holds the lock,
    ``records.PeriodAlreadyRun`` when ``period_key`` was run already."""
    engine = outbox.engine
    with exclusive(engine, LOCK_NAME) as held:
        if not held:
            raise SyncBusy("Another sync run is in progress.")
        now = clock()
        records.abandon_unfinished(engine, now)
        run_id = records.start_run(engine, trigger=trigger, dry_run=dry_run, period_key=period_key, now=now)
        job = Job(services, outbox, run_id, now, dry_run, progress or _no_progress, stop or threading.Event())
        try:
            outcome = _reconcile(job)
        except BaseException as error:
            records.finish_run(engine, run_id, clock(), status=records.FAILED, message=f"{type(error).__name__}: {error}")
            SYNC_RUNS.labels(records.FAILED).observe((clock() - now).total_seconds())
            raise
        pending = outcome.pop("pending_verifications", 0)
        records.finish_run(engine, run_id, clock(), **outcome)
        SYNC_RUNS.labels(outcome["status"]).observe((clock() - now).total_seconds())
        SYNC_DOMAINS_CHECKED.inc(outcome.get("domains_checked", 0))
        SYNC_CHANGES.inc(outcome["changes"])
        if outcome["status"] == records.FINISHED and _wants_report(job, outcome, pending):
            outbox.enqueue(None, [report_command(run_id)])
    log.info("sync run finished", extra={"sync_run": run_id, "sync_status": outcome["status"],
                                          "sync_changes": outcome["changes"], "sync_errors": outcome["errors"]})
    return run_id


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


def _wants_report(job: Job, outcome: dict, pending_verifications: int) -> bool:
    """A report when something changed or needs attention: errors, or registrants whose
    domains are to be suspended."""
    busy = outcome["changes"] + outcome["errors"] + pending_verifications > 0
    return not job.dry_run and (busy or job.settings.send_empty_reports)


def _reconcile(job: Job) -> dict[str, Any]:
    whmcs_calls: list[Any] = []  # the reads' own count covers Openprovider
    with calllog.collecting(whmcs_calls):
        job.progress("import", 0, 0)
        imported = import_domains(job.services.whmcs, job.engine, job.settings.whmcs_registrar, job.now)
        if job.stop.is_set():
            return _stopped(whmcs_calls)
        due = select_due(job.engine, job.settings.whmcs_registrar, job.now,
                         job.settings.update_interval_days, job.settings.max_domains_per_sync)
        readings = _read(job, due)
        if job.stop.is_set():
            return _stopped(whmcs_calls)
        decisions = _decide(job, due, readings)
        invoices = plan_invoice_moves(job.services.whmcs, decisions, job.settings.sync_concurrency)
    with reading_client(job.settings, 1) as client:
        pending, unread = verification_rows(client)
    rows, enqueued = _carry_out(job, decisions, invoices)
    rows += _read_failures(due, readings)
    records.save_changes(job.engine, job.run_id, rows + pending)
    if not job.dry_run:
        visits = (Visit(d.domain, readings.found.get(d.domain), d.notices) for d in decisions)
        record_visits(job.engine, visits, job.now)
    errors = sum(1 for row in rows if row.kind == ERROR)
    return {
        "status": records.FINISHED,
        "domains_checked": len(decisions),
        "changes": len(rows) - errors,
        "errors": errors,
        "pending_verifications": len(pending),
        "api_calls": len(whmcs_calls) + readings.calls + 1,
        "commands_enqueued": enqueued,
        "message": _message(imported.invalid_names, readings, unread),
    }


def _stopped(calls: list) -> dict[str, Any]:
    return {"status": records.STOPPED, "changes": 0, "errors": 0, "api_calls": len(calls),
            "message": "Stopped before it finished: the worker is shutting down."}


def _read(job: Job, due: Sequence[DueDomain]) -> Readings:
    job.progress("read", 0, len(due))
    concurrency = job.settings.sync_concurrency
    with reading_client(job.settings, concurrency) as client:
        return read_domains(
            client, [domain.name for domain in due],
            account_size=count_ours(job.engine, job.settings.whmcs_registrar),
            concurrency=concurrency,
            expiry_source=job.settings.expiry_source,
            progress=lambda done, total: job.progress("read", done, total),
        )


def _decide(job: Job, due: Sequence[DueDomain], readings: Readings) -> list[Decision]:
    rules = Rules(job.settings.next_due_date_offset, job.settings.due_date_max_difference_days)
    now = job.now.replace(tzinfo=UTC)
    return [
        decide(domain.name, domain.whmcs, readings.found.get(domain.name), rules, now, domain.reported)
        for domain in due if domain.name not in readings.failed
    ]


def _carry_out(job: Job, decisions: Sequence[Decision],
               invoices: dict[str, InvoicePlan]) -> tuple[list[records.ChangeRow], int]:
    """Enqueue each decision's commands (unless dry) and describe its changes for the record."""
    per_domain = [planned_commands(decision, invoices.get(decision.domain)) for decision in decisions]
    ids = [[None] * len(planned) for planned in per_domain] if job.dry_run else _enqueue(job.outbox, per_domain)
    rows = [
        row
        for decision, planned, command_ids in zip(decisions, per_domain, ids)
        for row in _change_rows(decision, list(zip(planned, command_ids)), invoices.get(decision.domain), job.dry_run)
    ]
    return rows, 0 if job.dry_run else sum(map(len, ids))


def _enqueue(outbox: Outbox, per_domain: Sequence[list[Planned]]) -> list[list[int]]:
    """Enqueue in batches that never split a domain; returns the command ids per domain."""
    ids: list[list[int]] = []
    batch: list[list[Planned]] = []
    queued = 0  # commands in the batch, counted as it grows: most domains add none, so the batch grows long

    def flush() -> None:
        nonlocal queued
        enqueued = iter(outbox.enqueue(None, [item.command for planned in batch for item in planned]).command_ids)
        ids.extend([next(enqueued) for _ in planned] for planned in batch)
        batch.clear()
        queued = 0

    for planned in per_domain:
        if batch and queued + len(planned) > ENQUEUE_BATCH:
            flush()
        batch.append(planned)
        queued += len(planned)
    if batch:
        flush()
    return ids


def _change_rows(decision: Decision, commands: Sequence[tuple[Planned, int | None]],
                 plan: InvoicePlan | None, dry_run: bool) -> list[records.ChangeRow]:
    plan = plan or InvoicePlan()
    rows = []
    for change in decision.changes:
        if dry_run and change.applied:
            # Nothing of a dry run is applied: its report says what a run would write.
            change = dataclasses.replace(change, applied=False, comment=_joined(change.comment, DRY_RUN_COMMENT))
        carriers = (command_id for item, command_id in commands if change.applied and change.kind in item.kinds)
        command_id = next(carriers, None)
        comment, moved = change.comment, None
        if change.kind == DUE_DATE and change.applied:
            moved = ", ".join(str(move.invoice_id) for move in plan.moves) or None
            comment = _joined(comment, plan.problem and f"Invoices not checked: {plan.problem}")
        rows.append(records.ChangeRow(decision.domain, decision.whmcs.domain_id, change.kind, change.old, change.new,
                                      change.applied, comment or None, moved, command_id))
    return rows


def _joined(*sentences: str | None) -> str:
    return " ".join(sentence for sentence in sentences if sentence)


def _read_failures(due: Sequence[DueDomain], readings: Readings) -> list[records.ChangeRow]:
    return [
        records.ChangeRow(domain.name, domain.whmcs.domain_id, ERROR, None, None, False,
                          f"{readings.failed[domain.name]}. It is read again next run.")
        for domain in due if domain.name in readings.failed
    ]


def _message(invalid_names: Sequence[str], readings: Readings, unread_verifications: str | None) -> str | None:
    parts = [unread_verifications] if unread_verifications else []
    if invalid_names:
        shown = ", ".join(invalid_names[:5])
        parts.append(f"{len(invalid_names)} WHMCS domain name(s) are not valid and were skipped: {shown}.")
    if readings.failed:
        parts.append(f"{len(readings.failed)} domain(s) could not be read from Openprovider.")
    return " ".join(parts) or None
