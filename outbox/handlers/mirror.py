"""The ``domains`` mirror: what Openprovider last told us about a domain, by name."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from opclient.types import Domain, DomainOrder
from outbox.models import Domain as MirroredDomain
from outbox.values import utcnow

domains = MirroredDomain.__table__


def _day(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else moment.date()


def order_fields(order: DomainOrder | Domain) -> dict[str, Any]:
    """The id, status and dates a registration answer and a domain read both carry."""
    return {
        "op_domain_id": order.id,
        "op_status": order.status,
        "op_expiration_date": _day(order.expiration_date),
        "op_renewal_date": _day(order.renewal_date),
    }


def domain_fields(domain: Domain) -> dict[str, Any]:
    return {
        **order_fields(domain),
        "op_autorenew": domain.autorenew,
        "op_private_whois": domain.is_private_whois_enabled,
        "op_nameservers": ",".join(server.text for server in domain.name_servers),
        "op_locked": domain.is_locked if domain.is_lockable else None,
    }


def remember(engine: Engine, name: str, payload: dict[str, Any], fields: dict[str, Any]) -> None:
    """Upsert the mirror row of ``name`` with Openprovider's ``fields`` and the WHMCS ids."""
    values = {**fields, "whmcs_domain_id": payload.get("domain_id"), "updated_at": utcnow()}
    if payload.get("client_id"):
        values["whmcs_client_id"] = payload["client_id"]
    if _update(engine, name, values):
        return
    try:
        with engine.begin() as conn:
            conn.execute(insert(domains).values(name=name, **values))
    except IntegrityError:
        # The sync inserted the row between our update and insert.
        _update(engine, name, values)


def _update(engine: Engine, name: str, values: dict[str, Any]) -> bool:
    with engine.begin() as conn:
        return conn.execute(update(domains).where(domains.c.name == name).values(**values)).rowcount == 1


def mirrored(engine: Engine, name: str) -> dict[str, Any] | None:
    """The mirror's row for an A-label name, or None when the domain was never seen."""
    with engine.connect() as conn:
        row = conn.execute(select(domains).where(domains.c.name == name)).first()
    return dict(row._mapping) if row else None


# The WHMCS fields a sync write sets, and the mirror's columns that hold them.
WHMCS_COLUMNS = {"status": "whmcs_status", "expiry_date": "whmcs_expiry_date", "next_due_date": "whmcs_next_due_date"}


def remember_whmcs(engine: Engine, name: str, written: dict[str, Any]) -> None:
    """After a write to WHMCS, the mirror holds what WHMCS holds now, not what the import read before."""
    values = {WHMCS_COLUMNS[field]: value for field, value in written.items() if field in WHMCS_COLUMNS}
    if values:
        _update(engine, name, {**values, "updated_at": utcnow()})
