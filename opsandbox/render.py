"""Records as Openprovider answers them (the spec's ``...ResponseData`` definitions)."""
from __future__ import annotations

from . import zone_records
from .clock import NEVER_DELETED, format_date
from .models import HANDLE_ROLES, Customer, Domain, Template, Zone
from .tlds import Tld


def domain(record: Domain, tld: Tld, reseller_id: int, owner: Customer | None) -> dict:
    details = owner.details if owner else {}
    return {
        "id": record.id,
        "domain": {"name": record.name, "extension": record.extension},
        "status": record.status,
        "type": record.type,
        "unit": "y",
        **{f"{role}_handle": record.handles.get(role, "") for role in HANDLE_ROLES},
        "reseller_handle": "",
        "reseller_id": reseller_id,
        "owner": {"full_name": _full_name(details), "company_name": details.get("company_name", "")},
        "auth_code": "" if tld.auth_code_sent_by_email else record.auth_code,
        "autorenew": record.autorenew,
        "can_renew": record.status == "ACT",
        "is_locked": record.is_locked,
        "is_lockable": tld.is_lockable,
        "is_private_whois_allowed": tld.is_private_whois_allowed,
        "is_private_whois_enabled": record.is_private_whois_enabled,
        "is_dnssec_enabled": record.is_dnssec_enabled,
        "dnssec_keys": record.dnssec_keys,
        "dnssec": "signedDelegation" if record.is_dnssec_enabled else "unsigned",
        "is_deleted": record.purged,
        "is_premium": False,
        "use_domicile": record.use_domicile,
        "modify_owner_allowed": True,
        "trade_allowed": True,
        "transfer_auth_code_required": "yes" if tld.is_transfer_auth_code_required else "no",
        "name_servers": record.name_servers,
        "ns_group": record.ns_group,
        "ns_template_name": record.ns_template_name,
        "comments": record.comments,
        "order_date": format_date(record.order_date),
        "creation_date": format_date(record.creation_date),
        "active_date": format_date(record.active_date),
        "last_changed": format_date(record.last_changed),
        "expiration_date": format_date(record.expiration_date),
        "registry_expiration_date": format_date(record.expiration_date),
        "renewal_date": format_date(record.renewal_date),
        "soft_quarantine_expiry_date": format_date(record.soft_quarantine_expiry_date),
        "hard_quarantine_expiry_date": format_date(record.hard_quarantine_expiry_date),
        "quarantine_expiration_date": format_date(record.hard_quarantine_expiry_date),
        "restorable_until": format_date(record.soft_quarantine_expiry_date),
        "delete_status": "quarantine" if record.status == "DEL" else "",
        "deleted_at": format_date(record.deleted_at) or NEVER_DELETED,
        "scheduled_at": format_date(record.scheduled_at),
    }


def customer(record: Customer, reseller_id: int) -> dict:
    return {
        **record.details,
        "id": record.id,
        "handle": record.handle,
        "reseller_id": reseller_id,
        "is_deleted": record.is_deleted,
        "deleted_at": format_date(record.deleted_at) or NEVER_DELETED,
        "email_verification_status": "verified",
    }


def template(record: Template, with_records: bool) -> dict:
    rendered = {"id": record.id, "name": record.name,
                "is_spamexperts_enabled": record.is_spamexperts_enabled}
    if with_records:
        rendered["records"] = record.records
    return rendered


def zone(record: Zone, reseller_id: int, with_records: bool) -> dict:
    rendered = {
        "id": record.id,
        "name": record.name,
        "type": record.type,
        "active": True,
        "is_deleted": False,
        "provider": record.provider,
        "reseller_id": reseller_id,
        "is_spamexperts_enabled": record.is_spamexperts_enabled,
        "creation_date": format_date(record.creation_date),
        "modification_date": format_date(record.modification_date),
    }
    if with_records:
        rendered["records"] = [zone_records.rendered(record.name, r) for r in record.records]
    return rendered


def tld(record: Tld, with_price: bool) -> dict:
    rendered = {
        "name": record.name,
        "status": "ACT",
        "min_period": record.min_period,
        "max_period": record.max_period,
        "soft_quarantine_period": record.soft_quarantine_days,
        "quarantine_period": record.hard_quarantine_days,
        "owner_handle_supported": record.owner_handle_supported,
        "admin_handle_supported": record.admin_handle_supported,
        "tech_handle_supported": record.tech_handle_supported,
        "billing_handle_supported": record.billing_handle_supported,
        "billing_handle_enabled": record.billing_handle_supported,
        "is_transfer_auth_code_required": record.is_transfer_auth_code_required,
        "is_auth_code_available": not record.auth_code_sent_by_email,
        "is_private_whois_allowed": record.is_private_whois_allowed,
        "dnssec_allowed": record.dnssec_allowed,
        "dnssec_keys_allowed": record.dnssec_keys_allowed,
        "dnssec_algorithms": list(record.dnssec_algorithms),
        "dnssec_max_records_amount": record.dnssec_max_records_amount,
        "renew_available": True,
        "transfer_available": record.transfer_available,
        "trade_available": True,
    }
    if with_price:
        rendered["prices"] = {f"{operation}_price": _price(amount)
                              for operation, amount in record.prices.items()}
    return rendered


def _price(amount: float) -> dict:
    in_euro = {"currency": "EUR", "price": amount}
    return {"product": in_euro, "reseller": in_euro}


def _full_name(details: dict) -> str:
    name = details.get("name", {})
    return name.get("full_name") or " ".join(
        part for part in (name.get("first_name"), name.get("last_name")) if part)
