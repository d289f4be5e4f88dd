"""WHMCS's domains of our registrar, paged in from GetClientsDomains, into the mirror.

Only the ``whmcs_*`` columns are written here; what Openprovider said is kept by the
visits. A mirror row whose domain is no longer ours in WHMCS keeps its history but
loses its registrar, so it is not selected any more.
"""
from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from sqlalchemy import Engine

from opclient.names import InvalidDomainName, to_ascii
from outbox import mirror
from whmcsapi import ClientDomain, WhmcsClient

log = logging.getLogger("opbridge.sync")

PAGE_SIZE = 500
BATCH = 1000  # mirror rows per statement
# Statuses a WHMCS admin closed for good; of two rows with one name, an open one is the real one.
CLOSED_STATUSES = frozenset({"Cancelled", "Transferred Away", "Fraud"})
MIRRORED = ("whmcs_domain_id", "whmcs_client_id", "whmcs_registrar", "whmcs_status", "whmcs_expiry_date",
            "whmcs_next_due_date", "whmcs_donotrenew", "whmcs_idprotection")
DOMAIN_ID, REGISTRAR, STATUS = (MIRRORED.index(column) for column in ("whmcs_domain_id", "whmcs_registrar",
                                                                      "whmcs_status"))



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


def _ours(rows: Iterable[ClientDomain], registrar: str) -> tuple[int, dict[str, tuple], list[str]]:
    wanted = registrar.strip().lower()
    return latest_by_name(rows, lambda row: row.registrar.strip().lower() == wanted,
                          lambda row: mirrored_fields(row, registrar))


def latest_by_name(rows: Iterable[ClientDomain], wanted: Callable[[ClientDomain], bool],
                   fields_of: Callable[[ClientDomain], tuple]) -> tuple[int, dict[str, tuple], list[str]]:
    """The wanted rows' mirrored values (in ``MIRRORED`` order) by name, an open row before a
    closed one of the same name; with the count of every row and the invalid names.

    Only these tuples are kept while the pages stream past: a hundred thousand parsed rows
    held at once would cost several times the memory.
    """
    listed, chosen, invalid = 0, {}, []
    for row in rows:
        listed += 1
        if not wanted(row):
            continue
        try:
            name = to_ascii(row.domain)  # the outbox's aggregate key: lower-case punycode
        except InvalidDomainName:
            invalid.append(row.domain)
            continue
        fields = fields_of(row)
        if name not in chosen or _rank(fields) > _rank(chosen[name]):
            chosen[name] = fields
    return listed, chosen, invalid


def _rank(fields: tuple) -> tuple[bool, int]:
    return fields[STATUS] not in CLOSED_STATUSES, fields[DOMAIN_ID]


def mirrored_fields(row: ClientDomain, registrar: str) -> tuple:
    return (row.id, row.client_id, registrar, row.status, row.expiry_date, row.next_due_date, row.do_not_renew,
            row.id_protection)


def _store(engine: Engine, ours: dict[str, tuple], registrar: str, now: datetime) -> None:
    """Insert, update and unmark in statements of ``BATCH`` rows: a first import of a big
    portfolio builds its parameters a batch at a time, never all at once."""
    with engine.begin() as conn:
        known = mirror.columns_by_name(conn, MIRRORED)
        new = (_values(name, fields, now) for name, fields in ours.items() if name not in known)
        changed = (_values(name, fields, now, key="key") for name, fields in ours.items()
                   if name in known and known[name] != fields)
        gone = ({"key": name, "whmcs_registrar": None, "updated_at": now}
                for name, values in known.items() if values[REGISTRAR] == registrar and name not in ours)
        for rows in _batches(new):
            mirror.insert_rows(conn, rows)
        for rows in itertools.chain(_batches(changed), _batches(gone)):
            mirror.update_by_name(conn, rows)


def _values(name: str, fields: tuple, now: datetime, key: str = "name") -> dict:
    return {key: name, **dict(zip(MIRRORED, fields)), "updated_at": now}


def _batches(rows: Iterator[dict]) -> Iterator[list[dict]]:
    while batch := list(itertools.islice(rows, BATCH)):
        yield batch
