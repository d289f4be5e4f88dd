"""What registrar work each event type asks for: one command per domain operation.

Every command is keyed by its normalised domain name, so the dispatcher runs one
domain's commands in order. Payloads carry everything the handler needs, because the
handler never goes back to the event.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from outbox.values import NewCommand

Data = dict[str, Any]

ITEM_COMMANDS = {
    "register": "register_domain",
    "transfer": "transfer_domain",
    "renew": "renew_domain",
}


def _command(type: str, target: Data, **fields: Any) -> NewCommand:
    payload = {"domain": target["domain"], "domain_id": target["domain_id"], **fields}
    return NewCommand(type=type, aggregate_key=target["domain"], payload=payload)


def _item_command(type: str, item: Data, context: Data) -> NewCommand:
    return NewCommand(type=type, aggregate_key=item["domain"], payload={**item, **context})


def _without(mapping: Data, key: str) -> Data:
    return {name: value for name, value in mapping.items() if name != key}


def _buyer(data: Data) -> Data:
    return {"client_id": data["client_id"], "registrant": data["registrant"], "admin": data["admin"]}


def order_accepted(data: Data) -> list[NewCommand]:
    context = {"order_id": data["order_id"], **_buyer(data)}
    return [
        _item_command(ITEM_COMMANDS[domain["action"]], _without(domain, "action"), context)
        for domain in data["domains"]
    ]


def invoice_paid(data: Data) -> list[NewCommand]:
    context = {"invoice_id": data["invoice_id"], **_buyer(data)}
    return [_invoice_item_command(_without(entry, "kind"), entry["kind"], context) for entry in data["items"]]


def _invoice_item_command(item: Data, kind: str, context: Data) -> NewCommand:
    if kind == "id_protection":
        # A paid ID protection add-on always means "turn it on".
        return _command("set_id_protection", item, enabled=True,
                        invoice_id=context["invoice_id"], item_id=item["item_id"])
    return _item_command(ITEM_COMMANDS[kind], item, context)


def autorenew_changed(data: Data) -> list[NewCommand]:
    return [_command("set_autorenew", data, autorenew=data["autorenew"])]


def id_protection_changed(data: Data) -> list[NewCommand]:
    return [_command("set_id_protection", data, enabled=data["enabled"])]


def nameservers_changed(data: Data) -> list[NewCommand]:
    return [_command("set_nameservers", data, nameservers=data["nameservers"])]


def lock_changed(data: Data) -> list[NewCommand]:
    return [_command("set_lock", data, locked=data["locked"])]


def contacts_changed(data: Data) -> list[NewCommand]:
    roles = ("registrant", "admin", "tech", "billing")
    return [_command("update_contacts", data, **{role: data[role] for role in roles})]


def delete_requested(data: Data) -> list[NewCommand]:
    return [_command("delete_domain", data)]


def domain_edited(data: Data) -> list[NewCommand]:
    # WHMCS leads both toggles; the handlers write only what Openprovider does not already have.
    return [
        _command("set_autorenew", data, autorenew=data["autorenew"]),
        _command("set_id_protection", data, enabled=data["id_protection"]),
    ]


def _module_order(command_type: str) -> Callable[[Data], list[NewCommand]]:
    """A registrar module's register or transfer: its data is the command's whole payload."""
    return lambda data: [NewCommand(type=command_type, aggregate_key=data["domain"], payload=data)]


def renewal_requested(data: Data) -> list[NewCommand]:
    premium = {"premium_cost": data["premium_cost"]} if data.get("premium_cost") is not None else {}
    return [_command("renew_domain", data, period_years=data["period_years"], expiry_date=data["expiry_date"],
                     **premium)]


def private_nameserver_changed(data: Data) -> list[NewCommand]:
    return [_command("set_private_nameserver", data, nameserver=data["nameserver"], ip=data["ip"])]


def dns_changed(data: Data) -> list[NewCommand]:
    # A save that changes no row (WHMCS sends every row) queues nothing.
    return [_command("save_dns", data, changes=data["changes"])] if data["changes"] else []


def dnssec_changed(data: Data) -> list[NewCommand]:
    key = {part: data[part] for part in ("action", "flags", "alg", "protocol", "pub_key")}
    return [_command("set_dnssec_key", data, **key)]


def registrant_verification_resend(data: Data) -> list[NewCommand]:
    return [_command("resend_registrant_verification", data)]


COMMANDS_FOR: dict[str, Callable[[Data], list[NewCommand]]] = {
    "order.accepted": order_accepted,
    "invoice.paid": invoice_paid,
    "domain.autorenew_changed": autorenew_changed,
    "domain.id_protection_changed": id_protection_changed,
    "domain.nameservers_changed": nameservers_changed,
    "domain.lock_changed": lock_changed,
    "domain.contacts_changed": contacts_changed,
    "domain.delete_requested": delete_requested,
    "domain.edited": domain_edited,
    "domain.registration_requested": _module_order("register_domain"),
    "domain.transfer_requested": _module_order("transfer_domain"),
    "domain.renewal_requested": renewal_requested,
    "domain.private_nameserver_changed": private_nameserver_changed,
    "domain.dns_changed": dns_changed,
    "domain.dnssec_changed": dnssec_changed,
    "domain.registrant_verification_resend": registrant_verification_resend,
}


def commands_for(event_type: str, data: Data) -> list[NewCommand]:
    """The commands an event of ``event_type`` with validated ``data`` enqueues."""
    return COMMANDS_FOR[event_type](data)
