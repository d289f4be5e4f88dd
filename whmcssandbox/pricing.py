"""What the WHMCS sandbox sells domains for: its currencies and its TLD pricing, as the
``GetCurrencies`` and ``GetTLDPricing`` actions answer them (WHMCS developer docs,
API Reference: GetCurrencies, GetTLDPricing).

Seeded with ``{"currencies": [{code, prefix?, suffix?, rate}], "tld_pricing": {"com":
{"register": {"1": "12.00"}, "renew": {...}, "transfer": {...}}}}``; the first currency is
the default, whose rate is 1, and prices are seeded in it. WHMCS converts a price to
another currency by its rate, so the sandbox does the same for ``currencyid``.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from whmcssandbox.errors import ApiError

OPERATIONS = ("register", "transfer", "renew")
DEFAULT_CURRENCY = {"id": 1, "code": "EUR", "prefix": "€", "suffix": " EUR", "format": 1, "rate": "1.00000"}


def seed_pricing(state: Any, spec: Mapping[str, Any]) -> None:
    if "currencies" in spec:
        state.currencies = [
            {"id": index, "code": str(entry["code"]).upper(), "prefix": str(entry.get("prefix", "")),
             "suffix": str(entry.get("suffix", f" {entry['code']}")), "format": 1,
             "rate": f"{Decimal(str(entry.get('rate', 1))):.5f}"}
            for index, entry in enumerate(spec["currencies"], start=1)
        ]
    for tld, prices in (spec.get("tld_pricing") or {}).items():
        unknown = set(prices) - set(OPERATIONS)
        if unknown:
            raise ValueError(f"tld_pricing {tld}: unknown operations {', '.join(sorted(unknown))}")
        state.tld_pricing[tld.lower().lstrip(".")] = {
            operation: {str(years): f"{Decimal(str(price)):.2f}" for years, price in prices.get(operation, {}).items()}
            for operation in OPERATIONS
        }


def currencies(state: Any) -> dict:
    return {"totalresults": len(state.currencies), "currencies": {"currency": list(state.currencies)}}


def tld_pricing(state: Any, currency_id: int | None) -> dict:
    currency = state.currencies[0] if currency_id is None else _currency(state, currency_id)
    rate = Decimal(currency["rate"])
    return {
        "currency": dict(currency),
        "pricing": {
            tld: {"tld": tld, "categories": ["Other"], "addons": {"dns": False, "email": False, "idprotect": False},
                  "group": "", **{operation: _converted(prices[operation], rate) for operation in OPERATIONS},
                  "grace_period": None, "redemption_period": None}
            for tld, prices in sorted(state.tld_pricing.items())
        },
    }


def _currency(state: Any, currency_id: int) -> dict:
    for currency in state.currencies:
        if currency["id"] == currency_id:
            return currency
    raise ApiError("Invalid Currency ID")


def _converted(prices: Mapping[str, str], rate: Decimal) -> dict[str, str]:
    return {years: f"{Decimal(price) * rate:.2f}" for years, price in prices.items()}
