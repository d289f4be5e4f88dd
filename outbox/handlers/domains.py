"""Registering, transferring and deleting domains.

An order is placed only when the account does not hold the domain yet: a retry after a
timed-out order that did go through, or a second delivery of the same order, finds the
domain and adopts it. Codes 326, 346 and 362 ("already in your account", "duplicate
domain") mean the same and are handled the same.
"""
from __future__ import annotations

from collections.abc import Callable

from opclient import DomainName, DomainOrder, OrderDetails, PermanentError
from opclient.domains import Domains
from opclient.types import Domain
from outbox import mirror
from outbox.handlers.lookup import OPENPROVIDER, domain_name, find_domain, require_active
from outbox.handlers.orders import order_details
from outbox.handlers.premium import remember_renewal_price
from outbox.registry import Context, PermanentFailure, registry

ALREADY_IN_ACCOUNT = frozenset({326, 346, 362})

PlaceOrder = Callable[[Domains, DomainName, OrderDetails], DomainOrder]


@registry.register("register_domain", service=OPENPROVIDER)
def register_domain(context: Context) -> str:
    period = int(context.payload.get("period_years") or 1)
    return order_once(context, lambda domains, name, details: domains.create(name, details, period=period))


@registry.register("transfer_domain", service=OPENPROVIDER)
def transfer_domain(context: Context) -> str:
    # Sealed by the listener (outbox.sealing); opened only for the call that sends it.
    auth_code = context.services.sealer.open(context.payload.get("epp_code"))
    return order_once(context, lambda domains, name, details: domains.transfer(name, details, auth_code=auth_code))


@registry.register("delete_domain", service=OPENPROVIDER)
def delete_domain(context: Context) -> str:
    name = domain_name(context)
    domain = find_domain(context)
    if domain is None:
        return f"{name} is not in the Openprovider account: nothing to delete."
    if domain.status == "DEL":
        return f"{name} was already deleted at Openprovider."
    require_active(domain, "be deleted")
    status = context.services.openprovider.domains.delete(domain.id)
    mirror.remember(context.services.engine, name.ascii, context.payload, {"op_domain_id": domain.id, "op_status": status or "DEL"})
    return f"Deleted {name} at Openprovider (id {domain.id})."


def order_once(context: Context, place: PlaceOrder) -> str:
    """Place the order unless the account holds the domain already; then adopt it."""
    name = domain_name(context)
    existing = find_domain(context)
    if existing is not None and existing.status != "FAI":  # a failed order may be placed again
        return _adopt(context, name, existing)
    details = order_details(context, name)
    try:
        order = place(context.services.openprovider.domains, name, details)
    except PermanentError as error:
        found = find_domain(context) if error.code in ALREADY_IN_ACCOUNT else None
        if found is None:
            raise
        return _adopt(context, name, found)
    fields = {**mirror.order_fields(order), "op_autorenew": details.autorenew,
              "op_private_whois": details.is_private_whois_enabled}
    mirror.remember(context.services.engine, name.ascii, context.payload, fields)
    if details.accept_premium_fee is not None:
        remember_renewal_price(context.services.openprovider, context.services.engine, name)
        return (f"Openprovider accepted the order for {name} at its premium price of {details.accept_premium_fee}: "
                f"id {order.id}, status {order.status}.")
    return f"Openprovider accepted the order for {name}: id {order.id}, status {order.status}."


def _adopt(context: Context, name: DomainName, domain: Domain) -> str:
    if domain.status == "DEL":
        raise PermanentFailure(
            f"{name} is in the Openprovider account but deleted (in quarantine): restore it there "
            "instead of ordering it again.",
            "domain_deleted",
        )
    mirror.remember(context.services.engine, name.ascii, context.payload, mirror.domain_fields(domain))
    return f"{name} was already in the Openprovider account (id {domain.id}, {domain.status}): adopted, not ordered again."
