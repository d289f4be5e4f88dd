"""Handlers that write to WHMCS: the pull-sync's domain and invoice updates, activity-log
lines and the run report.

Domain updates set absolute values, so a repeat writes the same thing again. An invoice
is re-read before its due date moves, because it may have been paid or re-dated since
the sync looked. A report is sent once: the run remembers that it went out.
"""
from __future__ import annotations

from datetime import date

from outbox.mirror import remember_whmcs
from outbox.catalogue.audit import stored_findings
from outbox.registry import Context, PermanentFailure, registry
from outbox.sync import records, report
from outbox.sync.commands import LOG_ACTIVITY, SEND_REPORT, UPDATE_DOMAIN, UPDATE_INVOICE

WHMCS = "whmcs"
UNPAID = "Unpaid"


def _date(payload: dict, field: str) -> date | None:
    value = payload.get(field)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise PermanentFailure(f"{field} must be a YYYY-MM-DD date, not {value!r}.", "invalid_payload") from None


@registry.register(UPDATE_DOMAIN, service=WHMCS)
def whmcs_update_domain(context: Context) -> str:
    payload = context.payload
    changes = payload["changes"]
    written = {"status": changes.get("status"), "expiry_date": _date(changes, "expiry_date"),
               "next_due_date": _date(changes, "next_due_date")}
    context.services.whmcs.update_client_domain(payload["domain_id"], **written)
    remember_whmcs(context.services.engine, payload["domain"],
                   {field: value for field, value in written.items() if value is not None})
    return "set " + ", ".join(f"{field}={value}" for field, value in sorted(changes.items()))


@registry.register(UPDATE_INVOICE, service=WHMCS)
def whmcs_update_invoice(context: Context) -> str:
    payload = context.payload
    whmcs = context.services.whmcs
    new_due, expected = _date(payload, "due_date"), _date(payload, "expected_due_date")
    invoice = whmcs.get_invoice(payload["invoice_id"])
    if invoice.status != UNPAID:
        return f"left alone: the invoice is {invoice.status} now"
    if invoice.due_date == new_due:
        return f"already due on {new_due}"
    if invoice.due_date != expected:
        return f"left alone: its due date was changed to {invoice.due_date} meanwhile"
    whmcs.update_invoice(invoice.id, due_date=new_due)
    return f"due date {expected} -> {new_due}"


@registry.register(LOG_ACTIVITY, service=WHMCS)
def whmcs_log_activity(context: Context) -> None:
    context.services.whmcs.log_activity(context.payload["description"], client_id=context.payload.get("client_id"))


@registry.register(SEND_REPORT, service=WHMCS)
def send_sync_report(context: Context) -> str:
    engine = context.services.engine
    run_id = context.payload["run_id"]
    run = records.load_run(engine, run_id)
    if run is None:
        raise PermanentFailure(f"Sync run {run_id} does not exist (purged?).", "unknown_run")
    if run["report_sent"]:
        return "already sent"
    changes = records.load_changes(engine, run_id)
    # The margin audit's findings that are new since the last report mailed.
    margins = stored_findings(engine, since=records.last_report_time(engine, run_id))
    admin_url = f"{context.services.settings.whmcs_url}/admin" if context.services.settings.whmcs_url else ""
    context.services.whmcs.send_admin_email(
        report.subject(run, changes), report.render_html(run, changes, admin_url, margins), type="system"
    )
    records.mark_report_sent(engine, run_id)
    return f"sent the report of run {run_id} ({len(changes)} row(s))"
