"""The outbox commands that carry out one domain's decision, in the order they must run.

All of a domain's commands share its aggregate key, so the worker runs them one after
another, after anything already queued for that domain.
"""
from __future__ import annotations

import dataclasses
from datetime import date

from outbox.values import NewCommand
from outbox.sync.decisions import AUTORENEW, DUE_DATE, ERROR, EXPIRY, ID_PROTECTION, STATUS, Decision
from outbox.sync.invoices import InvoicePlan

UPDATE_DOMAIN = "whmcs_update_domain"
UPDATE_INVOICE = "whmcs_update_invoice"
LOG_ACTIVITY = "whmcs_log_activity"
SET_AUTORENEW = "set_autorenew"
SET_ID_PROTECTION = "set_id_protection"
SEND_REPORT = "send_sync_report"
REPORT_KEY = "sync-report"


@dataclasses.dataclass(frozen=True)
class Planned:
    command: NewCommand
    kinds: frozenset[str]  # the change kinds this command carries out


def planned_commands(decision: Decision, invoices: InvoicePlan | None = None) -> list[Planned]:
    name, whmcs = decision.domain, decision.whmcs
    planned = []
    if decision.whmcs_update:
        changes = {field: _plain(value) for field, value in sorted(decision.whmcs_update.items())}
        payload = {"domain": name, "domain_id": whmcs.domain_id, "changes": changes}
        planned.append(Planned(NewCommand(UPDATE_DOMAIN, name, payload), frozenset({EXPIRY, DUE_DATE, STATUS})))
    for move in invoices.moves if invoices else ():
        payload = {"domain": name, "invoice_id": move.invoice_id, "due_date": move.new_due_date.isoformat(),
                   "expected_due_date": move.old_due_date.isoformat()}
        planned.append(Planned(NewCommand(UPDATE_INVOICE, name, payload), frozenset()))
    if decision.activity_log:
        payload = {"description": decision.activity_log, "client_id": whmcs.client_id}
        planned.append(Planned(NewCommand(LOG_ACTIVITY, name, payload), frozenset({ERROR})))
    if decision.push_autorenew is not None:
        payload = {"domain": name, "domain_id": whmcs.domain_id, "autorenew": decision.push_autorenew}
        planned.append(Planned(NewCommand(SET_AUTORENEW, name, payload), frozenset({AUTORENEW})))
    if decision.push_id_protection is not None:
        payload = {"domain": name, "domain_id": whmcs.domain_id, "enabled": decision.push_id_protection}
        planned.append(Planned(NewCommand(SET_ID_PROTECTION, name, payload), frozenset({ID_PROTECTION})))
    return planned


def report_command(run_id: int) -> NewCommand:
    return NewCommand(SEND_REPORT, REPORT_KEY, {"run_id": run_id})


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value
