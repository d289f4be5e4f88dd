"""The command that adds a domain to WHMCS for a bulk transfer or an import, through the API.

AddOrder (without invoice or mails) creates the row on the client; UpdateClientDomain then
sets what the portfolio knows: registrar, status, dates, the recurring amount. A retry
finds the row it made by name on that client before adding another, so a domain is
added once however often the command runs.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from outbox.mirror import mirrored
from outbox.registry import Context, PermanentFailure, registry
from outbox.sync.importer import CLOSED_STATUSES

ADD_TO_WHMCS = "whmcs_add_domain"
WHMCS = "whmcs"
# What the account says of a transfer it took: requested, scheduled, pending, or already done.
TRANSFER_TAKEN = frozenset({"REQ", "SCH", "PEN", "ACT"})


@registry.register(ADD_TO_WHMCS, service=WHMCS)
def whmcs_add_domain(context: Context) -> str:
    payload, whmcs = context.payload, context.services.whmcs
    name, client_id = payload["domain"], payload["client_id"]
    if payload.get("after_transfer"):
        held = mirrored(context.services.engine, name) or {}
        if held.get("op_status") not in TRANSFER_TAKEN:
            return f"not added to WHMCS: Openprovider did not take the transfer of {name}"
    domain_id = context.state.get("domain_id") or _row_on_client(context, name, client_id)
    added = domain_id is None
    if added:
        domain_id = whmcs.add_domain_order(client_id, name, kind=payload["kind"],
                                           payment_method=context.services.settings.import_payment_method,
                                           id_protection=bool(payload.get("id_protection")))
        context.save_state(domain_id=domain_id)
    whmcs.update_client_domain(
        domain_id, status=payload["status"], registrar=payload["registrar"],
        expiry_date=_date(payload.get("expiry_date")), next_due_date=_date(payload.get("next_due_date")),
        do_not_renew=payload.get("do_not_renew"), id_protection=payload.get("id_protection"),
        recurring_amount=_renewal_price(context, name, client_id) if payload.get("price_from_whmcs") else None,
    )
    verb = "added" if added else "found"
    return f"{verb} {name} on client {client_id} as WHMCS domain {domain_id}: {payload['status']}, {payload['registrar']}"


def _row_on_client(context: Context, name: str, client_id: int) -> int | None:
    page = context.services.whmcs.get_clients_domains(client_id=client_id, domain=name, limit=25)
    open_rows = [row.id for row in page.items if row.domain.lower() == name and row.status not in CLOSED_STATUSES]
    return max(open_rows, default=None)


def _renewal_price(context: Context, name: str, client_id: int) -> Decimal:
    tld = name.partition(".")[2]
    prices = context.services.whmcs.renewal_prices(client_id)
    if tld not in prices:
        raise PermanentFailure(f"WHMCS has no renewal price for .{tld} (Setup > Products/Services > Domain Pricing); "
                               "add it and replay this command.", "no_tld_price")
    return prices[tld]


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
