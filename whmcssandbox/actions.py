"""The simulated API actions: ``(state, form) -> answer``, run with the state locked.

Each handler raises ``errors.ApiError`` for what WHMCS answers with ``result=error``; the
dispatcher in ``api`` adds ``result`` and records refused values.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal

from whmcsapi.models import DOMAIN_STATUSES, INVOICE_STATUSES
from whmcssandbox import form as fields
from whmcssandbox import pricing, render
from whmcssandbox.errors import ApiError
from whmcssandbox.records import Domain, Invoice
from whmcssandbox.state import SandboxState

Form = Mapping[str, str]
Handler = Callable[[SandboxState, Form], dict]

ACTIONS: dict[str, Handler] = {}

DEFAULT_PAGE_SIZE = 25
EMAIL_TYPES = ("system", "account", "support")
DOMAIN_DATES = ("regdate", "expirydate", "nextduedate")
DOMAIN_FLAGS = ("donotrenew", "idprotection", "dnsmanagement", "emailforwarding")
DOMAIN_TEXTS = ("registrar", "notes", "paymentmethod")
DOMAIN_AMOUNTS = ("firstpaymentamount", "recurringamount")


def action(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ACTIONS[name] = handler
        return handler

    return register


def paged(form: Form, rows: list, inner: str, render_row: Callable[[object], dict]) -> dict:
    """The paging envelope WHMCS lists share, with counts as strings."""
    start = max(0, fields.integer("limitstart", form.get("limitstart", "")))
    size = max(0, fields.integer("limitnum", form.get("limitnum", ""), DEFAULT_PAGE_SIZE))
    page = rows[start:start + size]
    return {
        "totalresults": str(len(rows)),
        "startnumber": str(start),
        "numreturned": str(len(page)),
        inner + "s": render.listing(inner, [render_row(row) for row in page]),
    }


# -- prices ------------------------------------------------------------------------------

@action("GetCurrencies")
def get_currencies(state: SandboxState, form: Form) -> dict:
    return pricing.currencies(state)


@action("GetTLDPricing")
def get_tld_pricing(state: SandboxState, form: Form) -> dict:
    currency_id = fields.integer("currencyid", form.get("currencyid", ""), 0)
    return pricing.tld_pricing(state, currency_id or None)


# -- domains -----------------------------------------------------------------------------

@action("GetClientsDomains")
def get_clients_domains(state: SandboxState, form: Form) -> dict:
    wanted = {
        "userid": form.get("clientid", ""),
        "id": form.get("domainid", ""),
        "domain": form.get("domain", "").strip().lower(),
    }
    rows = [domain for domain in state.domains.values() if _matches(domain, wanted)]
    return {
        "clientid": wanted["userid"],
        "domainid": wanted["id"],
        **paged(form, rows, "domain", render.domain),
    }


def _matches(domain: Domain, wanted: Mapping[str, str]) -> bool:
    return all(not value or str(getattr(domain, name)).lower() == value for name, value in wanted.items())


@action("UpdateClientDomain")
def update_client_domain(state: SandboxState, form: Form) -> dict:
    domain = _domain_from(state, form)
    changes = _domain_changes(form)  # everything is checked before anything is written
    if "nextduedate" in changes:
        changes["nextinvoicedate"] = changes["nextduedate"]
    write = {"action": "UpdateClientDomain", "changes": _apply(domain, changes)}
    if "autorecalc" in form:
        # WHMCS recalculates the recurring amount whenever the parameter is present.
        write["autorecalc"] = True
    domain.writes.append(write)
    return {"domainid": str(domain.id)}


def _domain_from(state: SandboxState, form: Form) -> Domain:
    domain_id = form.get("domainid", "")
    if domain_id:
        domain = state.domains.get(int(domain_id)) if domain_id.isdigit() else None
    else:
        domain = state.find_domain(form.get("domain", ""))
    if domain is None:
        raise ApiError("Domain ID Not Found")
    return domain


def _domain_changes(form: Form) -> dict:
    changes: dict[str, object] = {}
    if "status" in form:
        changes["status"] = fields.choice("status", form["status"], DOMAIN_STATUSES)
    if "regperiod" in form:
        changes["regperiod"] = fields.integer("regperiod", form["regperiod"])
    changes |= {name: fields.date(name, form[name]) for name in DOMAIN_DATES if name in form}
    changes |= {name: fields.flag(form[name]) for name in DOMAIN_FLAGS if name in form}
    changes |= {name: form[name] for name in DOMAIN_TEXTS if name in form}
    changes |= {name: fields.amount(name, form[name]) for name in DOMAIN_AMOUNTS if name in form}
    return changes


def _apply(row: object, changes: Mapping[str, object]) -> dict:
    """Set the changed attributes; returns ``{field: [old, new]}`` for those that differed."""
    applied = {}
    for name, new in changes.items():
        old = getattr(row, name)
        if old != new:
            setattr(row, name, new)
            applied[name] = [_plain(old), _plain(new)]
    return applied


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat() if isinstance(value, datetime.date) else value


# -- invoices ----------------------------------------------------------------------------

@action("GetInvoices")
def get_invoices(state: SandboxState, form: Form) -> dict:
    userid = form.get("userid", "")
    status = form.get("status", "")
    rows = [
        invoice for invoice in state.invoices.values()
        if (not userid or str(invoice.userid) == userid) and (not status or _has_status(invoice, status))
    ]
    return paged(form, rows, "invoice",
                 lambda invoice: render.invoice_summary(invoice, state.clients.get(invoice.userid)))


def _has_status(invoice: Invoice, status: str) -> bool:
    if status == "Overdue":
        return invoice.status == "Unpaid" and invoice.duedate < datetime.date.today()
    return invoice.status == status


@action("GetInvoice")
def get_invoice(state: SandboxState, form: Form) -> dict:
    invoice = _invoice_from(state, form)
    return render.invoice(invoice, state.clients.get(invoice.userid))


@action("UpdateInvoice")
def update_invoice(state: SandboxState, form: Form) -> dict:
    invoice = _invoice_from(state, form)
    changes: dict[str, object] = {}
    if "status" in form:
        changes["status"] = fields.choice("status", form["status"], INVOICE_STATUSES)
    changes |= {name: fields.date(name, form[name]) for name in ("date", "duedate") if name in form}
    if "datepaid" in form:
        paid = fields.date("datepaid", form["datepaid"])
        changes["datepaid"] = datetime.datetime.combine(paid, datetime.time())
    if "notes" in form:
        changes["notes"] = form["notes"]
    _apply(invoice, changes)
    return {"invoiceid": str(invoice.id)}


def _invoice_from(state: SandboxState, form: Form) -> Invoice:
    invoice_id = form.get("invoiceid", "")
    invoice = state.invoices.get(int(invoice_id)) if invoice_id.isdigit() else None
    if invoice is None:
        raise ApiError("Invoice ID Not Found")
    return invoice


# -- notifications -----------------------------------------------------------------------

@action("SendAdminEmail")
def send_admin_email(state: SandboxState, form: Form) -> dict:
    # The sandbox has no admin templates, so only custom messages can be sent.
    if form.get("messagename") or not form.get("custommessage"):
        raise ApiError("Email Template not found")
    email_type = form.get("type", "")
    state.emails.append({
        "subject": form.get("customsubject", ""),
        "message": form["custommessage"],
        "type": email_type if email_type in EMAIL_TYPES else "system",
        "sent_at": _now(),
    })
    return {}


# The client templates WHMCS ships for a domain (Setup > Email Templates, type "domain"):
# SendEmail with one of these takes the domain's id (tbldomains.id) as ``id``.
DOMAIN_TEMPLATES = frozenset({
    "Domain Registration Confirmation", "Domain Transfer Initiated", "Domain Transfer Completed",
    "Domain Transfer Failed", "Domain Renewal Confirmation", "Expired Domain Notice",
})


@action("SendEmail")
def send_email(state: SandboxState, form: Form) -> dict:
    """A client e-mail: a named template with its related id, or a custom message of a type.

    Only the domain templates are known here; any other name, or an id naming no domain,
    fails as WHMCS does ("Email Template not found", "Sending Failed" for an invalid id).
    """
    name = form.get("messagename", "")
    if name:
        if name not in DOMAIN_TEMPLATES:
            raise ApiError("Email Template not found")
        related = form.get("id", "")
        domain = state.domains.get(int(related)) if related.isdigit() else None
        if domain is None:
            raise ApiError("Sending Failed")
        state.client_emails.append({"template": name, "relid": domain.id, "domain": domain.domain,
                                    "userid": domain.userid, "sent_at": _now()})
        return {}
    if not form.get("customtype") or not form.get("custommessage"):
        raise ApiError("A message name or a custom type and message is required")
    state.client_emails.append({"template": None, "customtype": form["customtype"], "relid": form.get("id"),
                                "subject": form.get("customsubject", ""), "message": form["custommessage"],
                                "sent_at": _now()})
    return {}


@action("LogActivity")
def log_activity(state: SandboxState, form: Form) -> dict:
    description = form.get("description", "").strip()
    if not description:
        raise ApiError("Description is required")
    # Before WHMCS 8.0 the client was named by "userid".
    client_id = form.get("clientid") or form.get("userid") or ""
    state.activity.append({
        "description": description,
        "clientid": int(client_id) if client_id.isdigit() else None,
        "date": _now(),
    })
    return {}


def _now() -> str:
    return datetime.datetime.now().replace(microsecond=0).isoformat(sep=" ")
