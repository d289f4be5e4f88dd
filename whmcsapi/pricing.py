"""WHMCS's sell prices: ``GetTLDPricing`` (per TLD, per operation, per years) and
``GetCurrencies`` (rates against the default currency), as WHMCS documents them."""
from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation
from typing import Any

OPERATIONS = ("register", "renew", "transfer")


@dataclasses.dataclass(frozen=True)
class Currency:
    id: int
    code: str
    rate: Decimal  # against WHMCS's default currency


@dataclasses.dataclass(frozen=True)
class TldPricing:
    currency: Currency
    # by TLD without its dot, then operation, then years: the sell price
    prices: dict[str, dict[str, dict[int, Decimal]]]


def currency_from(data: Any) -> Currency:
    data = data if isinstance(data, dict) else {}
    return Currency(id=int(data.get("id") or 0), code=str(data.get("code") or "").upper(),
                    rate=_decimal(data.get("rate")) or Decimal(1))


def currencies_from(payload: dict) -> list[Currency]:
    listed = (payload.get("currencies") or {})
    rows = listed.get("currency") if isinstance(listed, dict) else []
    return [currency_from(row) for row in rows or ()]


def tld_pricing_from(payload: dict) -> TldPricing:
    prices: dict[str, dict[str, dict[int, Decimal]]] = {}
    for tld, entry in (payload.get("pricing") or {}).items():
        if not isinstance(entry, dict):
            continue
        prices[str(tld).lower().lstrip(".")] = {
            operation: {int(years): price for years, value in (entry.get(operation) or {}).items()
                        if str(years).isdigit() and (price := _decimal(value)) is not None and price >= 0}
            for operation in OPERATIONS
        }
    return TldPricing(currency=currency_from(payload.get("currency")), prices=prices)


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
