"""WHMCS's domains of our registrar, paged in from GetClientsDomains, into the mirror.

Only the ``whmcs_*`` columns are written here; what Openprovider said is kept by the
visits. A mirror row whose domain is no longer ours in WHMCS keeps its history but
loses its registrar, so it is not selected any more.
"""
from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, bindparam, insert, select, update

from opclient.names import InvalidDomainName, to_ascii
from outbox.models import Domain
from whmcsapi import ClientDomain, WhmcsClient

log = logging.getLogger("opbridge.sync")

PAGE_SIZE = 500
# Statuses a WHMCS admin closed for good; of two rows with one name, an open one is the real one.
CLOSED_STATUSES = frozenset({"Cancelled", "Transferred Away", "Fraud"})
MIRRORED = ("whmcs_domain_id", "whmcs_client_id", "whmcs_registrar", "whmcs_status", "whmcs_expiry_date",
            "whmcs_next_due_date", "whmcs_donotrenew", "whmcs_idprotection")

domains = Domain.__table__


@dataclasses.dataclass(frozen=True)
class ImportSummary:
    listed: int  # every WHMCS domain, of any registrar
    ours: int
    invalid_names: tuple[str, ...]


def import_domains(whmcs: WhmcsClient, engine: Engine, registrar: str, now: datetime) -> ImportSummary:
    listed, ours, invalid = _ours(whmcs.iter_clients_domains(page_size=PAGE_SIZE), registrar)
    if invalid:
        log.warning("WHMCS domains with invalid names are not synced", extra={"domains": invalid[:20]})
    _store(engine, ours, registrar, now)
    return ImportSummary(listed, len(ours), tuple(invalid))


def _ours(rows: Iterable[ClientDomain], registrar: str) -> tuple[int, dict[str, dict], list[str]]:
    listed, chosen, invalid = 0, {}, []
    wanted = registrar.strip().lower()
    for row in rows:
        listed += 1
        if row.registrar.strip().lower() != wanted:
            continue
        try:
            name = to_ascii(row.domain)  # the outbox's aggregate key: lower-case punycode
        except InvalidDomainName:
            invalid.append(row.domain)
            continue
        if name not in chosen or _rank(row) > _rank(chosen[name]):
            chosen[name] = row
    return listed, {name: mirrored_fields(row, registrar) for name, row in chosen.items()}, invalid


def _rank(row: ClientDomain) -> tuple[bool, int]:
    return row.status not in CLOSED_STATUSES, row.id


def mirrored_fields(row: ClientDomain, registrar: str) -> dict:
    return {
        "whmcs_domain_id": row.id,
        "whmcs_client_id": row.client_id,
        "whmcs_registrar": registrar,
        "whmcs_status": row.status,
        "whmcs_expiry_date": row.expiry_date,
        "whmcs_next_due_date": row.next_due_date,
        "whmcs_donotrenew": row.do_not_renew,
        "whmcs_idprotection": row.id_protection,
    }


def _store(engine: Engine, ours: dict[str, dict], registrar: str, now: datetime) -> None:
    with engine.begin() as conn:
        known = {row.name: row for row in conn.execute(select(domains.c.name, *(domains.c[f] for f in MIRRORED)))}
        new = [{"name": name, **fields, "updated_at": now} for name, fields in ours.items() if name not in known]
        changed = [
            {"key": name, **fields, "updated_at": now}
            for name, fields in ours.items()
            if name in known and any(getattr(known[name], f) != value for f, value in fields.items())
        ]
        gone = [
            {"key": name, "whmcs_registrar": None, "updated_at": now}
            for name, row in known.items()
            if row.whmcs_registrar == registrar and name not in ours
        ]
        if new:
            conn.execute(insert(domains), new)
        for rows in (changed, gone):
            if rows:
                columns = {column: bindparam(column) for column in rows[0] if column != "key"}
                conn.execute(update(domains).where(domains.c.name == bindparam("key")).values(columns), rows)
