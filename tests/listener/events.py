"""Sample events of every type, as the WHMCS hook file sends them."""
from __future__ import annotations

import copy
from typing import Any

CONTACT = {
    "first_name": "Anna",
    "last_name": "de Vries",
    "company_name": "Vries BV",
    "email": "anna@example.nl",
    "address1": "Keizersgracht 1",
    "city": "Amsterdam",
    "postcode": "1015 CJ",
    "country": "NL",
    "phone": "+31.201234567",
}

ITEM = {
    "domain_id": 7,
    "domain": "Bücher.Example",
    "period_years": 1,
    "nameservers": ["ns1.example.net", "ns2.example.net/192.0.2.53"],
    "id_protection": False,
    "dns_management": False,
    "autorenew": True,
}


def envelope(type: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": type,
        "occurred_at": "2026-11-28T12:00:00+00:00",
        "source": {"system_url": "https://billing.example.nl/", "whmcs_version": "8.13.1"},
        "data": data,
    }


def item(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(ITEM), **changes}


SAMPLES: dict[str, dict[str, Any]] = {
    "order.accepted": envelope("order.accepted", {
        "order_id": 31, "client_id": 4, "registrant": CONTACT,
        "domains": [
            item(action="register"),
            item(domain_id=8, domain="moved.example.", action="transfer", epp_code="s3cr3t-code", nameservers=[]),
        ],
    }),
    "invoice.paid": envelope("invoice.paid", {
        "invoice_id": 55, "client_id": 4, "registrant": CONTACT, "admin": CONTACT,
        "items": [
            item(kind="register", item_id=100),
            item(domain_id=8, domain="moved.example", kind="transfer", epp_code="s3cr3t-code", item_id=101),
            item(domain_id=9, domain="Renew.Example", kind="renew", expiry_date="2027-03-01", item_id=102),
            item(domain_id=9, domain="renew.example", kind="id_protection", item_id=103),
        ],
    }),
    "domain.autorenew_changed": envelope("domain.autorenew_changed", {"domain_id": 7, "domain": "a.example", "autorenew": False}),
    "domain.id_protection_changed": envelope("domain.id_protection_changed", {"domain_id": 7, "domain": "a.example", "enabled": True}),
    "domain.nameservers_changed": envelope("domain.nameservers_changed", {
        "domain_id": 7, "domain": "a.example", "nameservers": ["NS1.Example.net", "ns2.example.net"]}),
    "domain.lock_changed": envelope("domain.lock_changed", {"domain_id": 7, "domain": "a.example", "locked": True}),
    "domain.contacts_changed": envelope("domain.contacts_changed", {
        "domain_id": 7, "domain": "a.example", "registrant": CONTACT, "tech": CONTACT}),
    "domain.delete_requested": envelope("domain.delete_requested", {"domain_id": 7, "domain": "a.example"}),
    "domain.edited": envelope("domain.edited", {
        "domain_id": 7, "domain": "a.example", "autorenew": True, "id_protection": False,
        "status": "Active", "expiry_date": "2027-01-01", "next_due_date": "2026-12-22"}),
    "domain.registration_requested": envelope("domain.registration_requested", {
        **item(), "client_id": 4, "registrant": CONTACT}),
    "domain.transfer_requested": envelope("domain.transfer_requested", {
        **item(domain="moved.example", epp_code="s3cr3t-code"), "registrant": CONTACT, "admin": CONTACT}),
    "domain.renewal_requested": envelope("domain.renewal_requested", {
        "domain_id": 9, "domain": "Renew.Example", "period_years": 2, "expiry_date": "2027-03-01"}),
    "domain.private_nameserver_changed": envelope("domain.private_nameserver_changed", {
        "domain_id": 7, "domain": "a.example", "nameserver": "NS1.a.example", "ip": "192.0.2.1"}),
    "domain.dns_changed": envelope("domain.dns_changed", {
        "domain_id": 7, "domain": "a.example",
        "records": [{"hostname": "www", "type": "A", "address": "192.0.2.1", "priority": "N/A", "recid": ""}]}),
    "domain.dnssec_changed": envelope("domain.dnssec_changed", {
        "domain_id": 7, "domain": "a.example", "action": "add", "flags": 257, "alg": 13, "protocol": 3,
        "pub_key": "mdsswUyr3DPW132mOi8V9xESWE8jTo0d xCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=="}),
    "domain.registrant_verification_resend": envelope("domain.registrant_verification_resend", {
        "domain_id": 7, "domain": "a.example"}),
}

# (command type, aggregate key) per sample, in enqueue order.
EXPECTED_COMMANDS: dict[str, list[tuple[str, str]]] = {
    "order.accepted": [("register_domain", "xn--bcher-kva.example"), ("transfer_domain", "moved.example")],
    "invoice.paid": [
        ("register_domain", "xn--bcher-kva.example"),
        ("transfer_domain", "moved.example"),
        ("renew_domain", "renew.example"),
        ("set_id_protection", "renew.example"),
    ],
    "domain.autorenew_changed": [("set_autorenew", "a.example")],
    "domain.id_protection_changed": [("set_id_protection", "a.example")],
    "domain.nameservers_changed": [("set_nameservers", "a.example")],
    "domain.lock_changed": [("set_lock", "a.example")],
    "domain.contacts_changed": [("update_contacts", "a.example")],
    "domain.delete_requested": [("delete_domain", "a.example")],
    "domain.edited": [("set_autorenew", "a.example"), ("set_id_protection", "a.example")],
    "domain.registration_requested": [("register_domain", "xn--bcher-kva.example")],
    "domain.transfer_requested": [("transfer_domain", "moved.example")],
    "domain.renewal_requested": [("renew_domain", "renew.example")],
    "domain.private_nameserver_changed": [("set_private_nameserver", "a.example")],
    "domain.dns_changed": [("save_dns", "a.example")],
    "domain.dnssec_changed": [("set_dnssec_key", "a.example")],
    "domain.registrant_verification_resend": [("resend_registrant_verification", "a.example")],
}


def sample(type: str) -> dict[str, Any]:
    return copy.deepcopy(SAMPLES[type])
