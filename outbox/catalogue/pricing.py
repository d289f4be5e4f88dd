"""The catalogue as WHMCS's Registrar TLD & Pricing Sync imports it (``GetTldPricing``).

WHMCS wants cost prices "for the minimum registration period term" (WHMCS developer
docs, TLD & Pricing Sync): Openprovider quotes a year, so each is multiplied by the
minimum period. An operation Openprovider does not offer is null, which WHMCS reads as
not supported. Grace is Openprovider's soft quarantine (restored at the soft restore
price), redemption its quarantine (at the restore price).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from outbox.catalogue.entries import TldEntry


def import_item(entry: TldEntry) -> dict[str, Any]:
    term = Decimal(entry.min_period)

    def for_term(operation: str) -> str | None:
        price = entry.prices.get(operation)
        return None if price is None else f"{price * term:.2f}"

    def fee(operation: str) -> str | None:
        price = entry.prices.get(operation)
        return None if price is None else f"{price:.2f}"

    return {
        "extension": f".{entry.name}", "min_years": entry.min_period, "max_years": entry.max_period,
        "register_price": for_term("create"), "renew_price": for_term("renew"), "transfer_price": for_term("transfer"),
        "grace_days": entry.grace_days, "grace_fee": fee("soft_restore"),
        "redemption_days": entry.quarantine_days, "redemption_fee": fee("restore"),
        "currency": entry.currency, "epp_required": entry.epp_required,
    }


def import_items(entries: list[TldEntry]) -> list[dict[str, Any]]:
    """Every entry WHMCS can import: one with a registration price and active."""
    return [import_item(entry) for entry in entries if entry.prices.get("create") is not None and entry.status == "ACT"]
