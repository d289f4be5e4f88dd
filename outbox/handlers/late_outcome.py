"""``whmcs_late_outcome``: the outcome WHMCS was told was pending, written into WHMCS.

The registrar module answered WHMCS while the event's commands were still open, and its
hooks showed the domain as Pending Registration (or kept the renewal's old expiry) and
held back the customer's confirmation. This command is queued behind those commands on
the same domain (outbox.outcomes), so it runs when they end:

- done: the domain becomes what Openprovider holds (Active with its expiry for a
  registration, the new expiry for a renewal; a transfer stays Pending Transfer until
  TransferSync completes it), and the confirmation WHMCS held back is sent (SendEmail);
- dead: the domain goes back to what it was before (Pending for a registration or a
  transfer, the old expiry for a renewal), the admins are mailed Openprovider's code and
  sentence with the dashboard link (SendAdminEmail), and the activity log says so.

Every write sets absolute values, and each mail is noted in the command's state before
the next step, so a retry repeats nothing the customer or the admins would see twice.
"""
from __future__ import annotations

import datetime as dt
import html
import time
from typing import Any

from opclient.errors import DomainNotFound
from outbox.handlers.whmcs import WHMCS
from outbox.outcomes import LATE_OUTCOME, OPEN, UNKNOWN, read_outcome
from outbox.registry import Context, TransientFailure, registry
from outbox.values import utcnow
from outbox.sync.reading import openprovider_side

# The module's request writes Pending Registration after it was told "pending"; an outcome
# that arrives within this many seconds waits for that write, so it is not overwritten.
SETTLE_SECONDS = 2.0
CONFIRMATIONS = {"register": "Domain Registration Confirmation", "transfer": "Domain Transfer Initiated",
                 "renew": "Domain Renewal Confirmation"}
NOUNS = {"register": "registration", "transfer": "transfer", "renew": "renewal", "change": "change"}
# What WHMCS held before the module was called: a registration or transfer not yet begun.
STATUS_BEFORE = {"register": "Pending", "transfer": "Pending"}


@registry.register(LATE_OUTCOME, service=WHMCS)
def whmcs_late_outcome(context: Context) -> str:
    payload = context.payload
    _let_the_module_request_finish(context)
    outcome = read_outcome(context.services.engine, payload["webhook_id"])
    if outcome.state == UNKNOWN:
        return f"Event {payload['webhook_id']} is gone (purged): nothing to write."
    if outcome.state == OPEN:  # only after an operator replays one of its commands
        raise TransientFailure("The event's commands are open again; waiting for their end.", "outcome_open")
    failed = outcome.failed
    if failed is not None:
        return _late_failure(context, failed)
    return _late_success(context)


def _let_the_module_request_finish(context: Context) -> None:
    queued_for = (utcnow() - dt.datetime.fromisoformat(context.payload["queued_at"])).total_seconds()
    if queued_for < SETTLE_SECONDS:
        time.sleep(SETTLE_SECONDS - queued_for)


def _late_success(context: Context) -> str:
    payload, whmcs = context.payload, context.services.whmcs
    action, domain_id, name = payload["action"], payload.get("domain_id"), payload["domain"]
    if action not in CONFIRMATIONS or not domain_id:
        return f"The {NOUNS[action]} of {name} is done at Openprovider; WHMCS already shows it."
    held = _held(context, name)
    changes: dict[str, Any] = {}
    if action == "register" and held and held.status == "ACT":
        changes = {"status": "Active", "expiry_date": held.expiry_date}
    elif action == "renew" and held:
        changes = {"expiry_date": held.expiry_date}
    if changes:
        whmcs.update_client_domain(domain_id, status=changes.get("status"), expiry_date=changes.get("expiry_date"))
    if action != "register" or changes:
        _once(context, "confirmed", lambda: whmcs.send_email(CONFIRMATIONS[action], domain_id))
    shown = ", ".join(f"{field} {value}" for field, value in changes.items()) or "its status unchanged"
    line = (f"opbridge: the {NOUNS[action]} of {name} was done at Openprovider after WHMCS was told it was "
            f"pending; WHMCS now has {shown}.")
    _once(context, "logged", lambda: whmcs.log_activity(line))
    return line


def _late_failure(context: Context, failed: dict[str, Any]) -> str:
    payload, whmcs = context.payload, context.services.whmcs
    action, domain_id, name = payload["action"], payload.get("domain_id"), payload["domain"]
    code, sentence = failed.get("last_error_code") or "", failed.get("last_error") or ""
    restored: dict[str, Any] = {}
    if domain_id and action in STATUS_BEFORE:
        restored = {"status": STATUS_BEFORE[action]}
    elif domain_id and action == "renew" and payload.get("expiry_before"):
        restored = {"expiry_date": dt.date.fromisoformat(payload["expiry_before"])}
    if restored:
        whmcs.update_client_domain(domain_id, status=restored.get("status"), expiry_date=restored.get("expiry_date"))
    link = _dashboard_link(context, failed["id"])
    subject = f"opbridge: the {NOUNS[action]} of {name} failed at Openprovider"
    body = (f"<p>The {NOUNS[action]} of <b>{html.escape(name)}</b> (WHMCS domain {domain_id}) was refused by "
            f"Openprovider after WHMCS was told it was pending.</p>"
            f"<p>Openprovider's answer: {html.escape(code)} {html.escape(sentence)}</p>"
            f"<p>WHMCS shows the domain as before: {html.escape(_shown(restored))}. "
            f"Command {failed['id']}: <a href=\"{html.escape(link)}\">{html.escape(link)}</a></p>")
    _once(context, "mailed", lambda: whmcs.send_admin_email(subject, body, type="system"))
    line = (f"opbridge: the {NOUNS[action]} of {name} failed at Openprovider ({code} {sentence}); "
            f"WHMCS shows {_shown(restored)}. {link}")
    _once(context, "logged", lambda: whmcs.log_activity(line))
    return line


def _held(context: Context, name: str) -> Any:
    try:
        found = context.services.openprovider.domains.find(name)
    except DomainNotFound:
        return None
    side = openprovider_side(found, context.services.settings.expiry_source)
    return side if side.expiry_date else None


def _once(context: Context, step: str, send: Any) -> None:
    """Send a mail or a log line unless an earlier try of this command already did."""
    if context.state.get(step):
        return
    send()
    context.save_state(**{step: True})


def _dashboard_link(context: Context, command_id: int) -> str:
    return f"{context.services.settings.public_url}/admin/commands/{command_id}"


def _shown(restored: dict[str, Any]) -> str:
    return ", ".join(f"{field} {value}" for field, value in restored.items()) or "unchanged"
