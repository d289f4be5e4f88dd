"""One catalogue row as a value, and the reads of the ``tlds`` table."""
from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, select

from outbox.models import CatalogueTld

tlds = CatalogueTld.__table__
OPERATIONS = ("create", "renew", "transfer", "restore", "soft_restore", "trade")


@dataclasses.dataclass(frozen=True)
class RegistryField:
    """A field an extension needs, as Openprovider declares it, and where it goes
    (``domain``, ``customer``, ``extension``; None: nowhere Openprovider's requests have)."""

    name: str
    type: str
    required: bool
    description: str
    options: tuple[tuple[str, str], ...]
    target: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "required": self.required, "description": self.description,
                "options": [list(option) for option in self.options], "target": self.target}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegistryField:
        return cls(name=data["name"], type=data["type"], required=bool(data["required"]),
                   description=data.get("description") or "",
                   options=tuple((str(value), str(text)) for value, text in data.get("options") or ()),
                   target=data.get("target"))


@dataclasses.dataclass(frozen=True)
class TldEntry:
    name: str
    status: str
    currency: str
    prices: dict[str, Decimal | None]  # by operation (OPERATIONS); None: not offered
    min_period: int
    max_period: int
    epp_required: bool
    grace_days: int
    quarantine_days: int
    dnssec: dict[str, Any]
    handles: tuple[str, ...]
    fields: tuple[RegistryField, ...]
    changed_at: datetime | None = None
    refreshed_at: datetime | None = None

    @property
    def unmappable(self) -> tuple[RegistryField, ...]:
        return tuple(field for field in self.fields if field.target is None)

    def row(self) -> dict[str, Any]:
        """The columns of this entry, but for its two times."""
        return {
            "name": self.name, "status": self.status, "currency": self.currency,
            **{f"{operation}_price": self.prices.get(operation) for operation in OPERATIONS},
            "min_period": self.min_period, "max_period": self.max_period, "epp_required": self.epp_required,
            "grace_days": self.grace_days, "quarantine_days": self.quarantine_days, "dnssec": self.dnssec,
            "handles": {"roles": list(self.handles)},
            "registry_fields": {"fields": [field.as_dict() for field in self.fields]},
        }

    @classmethod
    def from_row(cls, row: Any) -> TldEntry:
        return cls(
            name=row.name, status=row.status, currency=row.currency,
            prices={operation: _decimal(getattr(row, f"{operation}_price")) for operation in OPERATIONS},
            min_period=row.min_period, max_period=row.max_period, epp_required=bool(row.epp_required),
            grace_days=row.grace_days, quarantine_days=row.quarantine_days, dnssec=dict(row.dnssec or {}),
            handles=tuple((row.handles or {}).get("roles") or ()),
            fields=tuple(RegistryField.from_dict(item) for item in (row.registry_fields or {}).get("fields") or ()),
            changed_at=row.changed_at, refreshed_at=row.refreshed_at,
        )

    def as_dict(self) -> dict[str, Any]:
        """The entry as the CLI's JSON and the admin API show it (prices as strings)."""
        return {
            "name": self.name, "status": self.status, "currency": self.currency,
            "prices": {operation: _text(price) for operation, price in self.prices.items()},
            "min_period": self.min_period, "max_period": self.max_period, "epp_required": self.epp_required,
            "grace_days": self.grace_days, "quarantine_days": self.quarantine_days, "dnssec": self.dnssec,
            "handles": list(self.handles), "registry_fields": [field.as_dict() for field in self.fields],
            "changed_at": self.changed_at, "refreshed_at": self.refreshed_at,
        }


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _text(price: Decimal | None) -> str | None:
    return None if price is None else f"{price:.2f}"


def all_entries(engine: Engine, *, search: str | None = None) -> list[TldEntry]:
    """Every catalogue entry by name; ``search`` keeps the names that contain it."""
    query = select(tlds).order_by(tlds.c.name)
    if search:
        query = query.where(tlds.c.name.contains(search.lower().lstrip("."), autoescape=True))
    with engine.connect() as conn:
        return [TldEntry.from_row(row) for row in conn.execute(query)]


def entry_for(engine: Engine, extension: str) -> TldEntry | None:
    with engine.connect() as conn:
        row = conn.execute(select(tlds).where(tlds.c.name == extension.lower().lstrip("."))).first()
    return None if row is None else TldEntry.from_row(row)
