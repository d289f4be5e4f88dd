"""``refresh_catalogue``: read every TLD Openprovider sells into the ``tlds`` table.

One ``GET /tlds`` per page of 500 (with prices), and for each extension its two
additional-data declarations, asked a few at a time. Rows are written a page at a time;
a row whose facts did not change keeps its ``changed_at``, so the audit and the sync
report can tell what is new since they last looked. An extension that is no longer on
sale leaves the table only after a listing read to its end.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from opclient import OpenproviderClient
from opclient.registry_data import customer_target, domain_target
from opclient.tlds import PAGE_LIMIT, FieldSpec
from opclient.types import HANDLE_ROLES
from outbox.catalogue.entries import OPERATIONS, RegistryField, TldEntry, tlds
from outbox.values import utcnow

# Additional-data reads in flight at once: a page of 500 TLDs is 1,000 of them.
FIELD_READERS = 4
# The operation each price needs Openprovider to offer; the others are always offered.
AVAILABILITY = {"renew": "renew_available", "transfer": "transfer_available", "trade": "trade_available"}


@dataclasses.dataclass(frozen=True)
class RefreshSummary:
    added: int
    changed: int
    unchanged: int
    removed: int

    @property
    def total(self) -> int:
        return self.added + self.changed + self.unchanged


def refresh_catalogue(client: OpenproviderClient, engine: Engine, *, page_size: int = PAGE_LIMIT) -> RefreshSummary:
    known = _known_rows(engine)
    seen: set[str] = set()
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    offset = 0
    with ThreadPoolExecutor(FIELD_READERS, thread_name_prefix="tld-fields") as readers:
        while True:
            page = client.tlds.page(offset, page_size)
            entries = list(readers.map(lambda item: entry_from_api(client, item), page.items))
            for kind, number in _store(engine, entries, known).items():
                counts[kind] += number
            seen.update(entry.name for entry in entries)
            offset += len(page.items)
            if not page.items or offset >= page.total:
                break
    gone = set(known) - seen
    if gone:
        with engine.begin() as conn:
            conn.execute(delete(tlds).where(tlds.c.name.in_(sorted(gone))))
    return RefreshSummary(removed=len(gone), **counts)


def entry_from_api(client: OpenproviderClient, data: dict[str, Any]) -> TldEntry:
    """The catalogue entry of one ``tldTld``, with the registry data its extension declares."""
    name = str(data.get("name") or "").lower()
    if not name:
        raise ValueError("Openprovider listed a TLD without a name")
    domain_specs = client.tlds.domain_fields(name)
    customer_specs = client.tlds.customer_fields(name)
    fields = ([_field(spec, domain_target(spec.name)) for spec in domain_specs]
              + [_field(spec, customer_target(spec.name)) for spec in customer_specs])
    prices = data.get("prices") or {}
    currency = ""
    amounts: dict[str, Decimal | None] = {}
    for operation in OPERATIONS:
        reseller = (prices.get(f"{operation}_price") or {}).get("reseller") or {}
        offered = data.get(AVAILABILITY[operation], True) if operation in AVAILABILITY else True
        amounts[operation] = None if reseller.get("price") is None or not offered else _money(reseller["price"])
        currency = currency or str(reseller.get("currency") or "")
    return TldEntry(
        name=name, status=str(data.get("status") or ""), currency=currency or "EUR", prices=amounts,
        min_period=int(data.get("min_period") or 1), max_period=int(data.get("max_period") or 1),
        epp_required=bool(data.get("is_transfer_auth_code_required")),
        grace_days=int(data.get("soft_quarantine_period") or 0), quarantine_days=int(data.get("quarantine_period") or 0),
        dnssec={"allowed": bool(data.get("dnssec_allowed")), "algorithms": list(data.get("dnssec_algorithms") or ()),
                "keys_allowed": bool(data.get("dnssec_keys_allowed")),
                "digests_allowed": bool(data.get("dnssec_digests_allowed")),
                "max_records": data.get("dnssec_max_records_amount")},
        handles=tuple(role for role in HANDLE_ROLES if data.get(f"{role}_handle_supported")),
        fields=tuple(fields),
    )


def _field(spec: FieldSpec, target: str | None) -> RegistryField:
    return RegistryField(name=spec.name, type=spec.type, required=spec.required, description=spec.description,
                         options=spec.options, target=target)


def _money(amount: Any) -> Decimal:
    return Decimal(str(amount)).quantize(Decimal("0.01"))


def _known_rows(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        return {row.name: TldEntry.from_row(row).row() for row in conn.execute(select(tlds))}


def _store(engine: Engine, entries: Iterable[TldEntry], known: dict[str, dict[str, Any]]) -> dict[str, int]:
    now: datetime = utcnow()
    added, changed, unchanged = [], [], []
    for entry in entries:
        row = entry.row()
        before = known.get(entry.name)
        if before is None:
            added.append({**row, "changed_at": now, "refreshed_at": now})
        elif before != row:
            changed.append(row)
        else:
            unchanged.append(entry.name)
    with engine.begin() as conn:
        if added:
            conn.execute(insert(tlds), added)
        for row in changed:
            conn.execute(update(tlds).where(tlds.c.name == row["name"]).values(**row, changed_at=now, refreshed_at=now))
        if unchanged:
            conn.execute(update(tlds).where(tlds.c.name.in_(unchanged)).values(refreshed_at=now))
    return {"added": len(added), "changed": len(changed), "unchanged": len(unchanged)}
