"""What a registration or a transfer sends besides the name: handles, nameservers, options."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from opclient import DomainName, Handles, InvalidDomainName, Nameserver, OrderDetails
from outbox.catalogue import entry_for
from outbox.catalogue.registry_values import InvalidRegistryData, RegistryValues, registry_values
from outbox.handlers.handles import contact_from, handle_for
from outbox.handlers.premium import premium_fee
from outbox.handlers.tlds import tld_facts
from outbox.registry import Context, PermanentFailure

# Hosts of Openprovider's own nameservers: only behind them does a DNS template take effect.
OPENPROVIDER_NAMESERVER_DOMAINS = ("openprovider.nl", "openprovider.be", "openprovider.eu")
CONTACT_ROLES = ("admin", "tech", "billing")
# The commands that transfer a domain in: an order's, and a bulk transfer's (outbox.portfolio).
TRANSFER_TYPES = frozenset({"transfer_domain", "portfolio_transfer"})


def order_details(context: Context, name: DomainName) -> OrderDetails:
    payload, settings = context.payload, context.services.settings
    servers = nameservers(payload.get("nameservers") or settings.default_nameservers)
    template = settings.dns_template if settings.dns_template and _openprovider_hosted(servers) else None
    registry = order_registry_values(context, name)
    transfer = context.command.type in TRANSFER_TYPES
    fee = premium_fee(context, name, "transfer" if transfer else "create",
                      1 if transfer else int(payload.get("period_years") or 1))
    return OrderDetails(
        handles=order_handles(context, name, registry),
        name_servers=servers,
        ns_template_name=template,
        autorenew="default" if payload.get("autorenew") else "off",
        is_private_whois_enabled=bool(payload.get("id_protection")),
        idn_script=payload.get("idn_language") or None,
        additional_data=registry.domain,
        accept_premium_fee=fee,
    )


def order_registry_values(context: Context, name: DomainName) -> RegistryValues:
    """The order's WHMCS additional fields, each where Openprovider takes it (outbox.catalogue)."""
    entry = entry_for(context.services.engine, name.extension)
    try:
        return registry_values(entry, context.payload.get("additional_fields") or {},
                               transfer=context.command.type in TRANSFER_TYPES)
    except InvalidRegistryData as error:
        raise PermanentFailure(f"The registry data of {name} cannot be sent to Openprovider: {error}.",
                               "invalid_registry_data") from None


def order_handles(context: Context, name: DomainName, registry: RegistryValues) -> Handles:
    """The owner from the registrant, holding the registry data the TLD needs of it; one
    admin handle for every other role the TLD takes. A payload naming an existing ``handle``
    (a bulk transfer's file may) uses it for every role."""
    payload = context.payload
    client_id = payload.get("client_id")
    roles = [role for role in tld_facts(context.services.openprovider, name.extension).supported_handles
             if role in CONTACT_ROLES]
    if payload.get("handle"):
        return Handles(owner=payload["handle"], **{role: payload["handle"] for role in roles})
    registrant = contact_from(payload.get("registrant"), "registrant")
    if registry.customer or registry.extension:
        registrant = registrant.holding(registry.customer, name.extension, registry.extension)
    owner = handle_for(context, registrant, client_id=client_id)
    if not roles:
        return Handles(owner=owner)
    admin_contact = contact_from(payload.get("admin") or payload.get("registrant"), "admin")
    admin = handle_for(context, admin_contact, client_id=client_id)
    return Handles(owner=owner, **{role: admin for role in roles})


def nameservers(entries: Iterable[Any]) -> tuple[Nameserver, ...]:
    """Nameservers from ``host``, ``host/ip`` or the listener's ``{"name", "ip"}`` entries."""
    try:
        servers = tuple(Nameserver.parse(_as_text(entry)) for entry in entries)
    except InvalidDomainName as error:
        raise PermanentFailure(f"A nameserver is not a host name: {error}.", "invalid_nameserver") from None
    if len(servers) < 2:
        raise PermanentFailure("A domain needs at least two nameservers.", "invalid_nameserver")
    return servers


def _as_text(entry: Any) -> str:
    if isinstance(entry, Mapping):
        return f"{entry['name']}/{entry['ip']}" if entry.get("ip") else entry["name"]
    return str(entry)


def _openprovider_hosted(servers: Iterable[Nameserver]) -> bool:
    return all(server.name.endswith(tuple(f".{domain}" for domain in OPENPROVIDER_NAMESERVER_DOMAINS))
               for server in servers)
