"""The margin guard: TLDs WHMCS sells below Openprovider's cost, and premium domains
whose renewal cost changed.

WHMCS's sell prices come from its API (``GetTLDPricing``, in WHMCS's default currency),
Openprovider's costs from the catalogue. A cost in another currency is converted with
WHMCS's own rates (``GetCurrencies``: each currency's rate against the default), so the
comparison is the one WHMCS's invoices make. Every term WHMCS sells is compared: a
two-year registration at a price below two years of cost is a loss too. The findings
are kept in ``margin_findings`` for the dashboard, ``/metrics`` and the sync report; a
finding keeps its ``first_seen_at`` while it lasts, so the report tells it once.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from outbox.catalogue.entries import TldEntry, all_entries
from outbox.models import MarginFinding, PremiumRenewal
from outbox.values import utcnow
from whmcsapi.pricing import Currency, TldPricing

findings_table = MarginFinding.__table__
BELOW_COST, PREMIUM_RENEWAL = "below_cost", "premium_renewal"
# WHMCS's operation -> the catalogue's
OPERATIONS = {"register": "create", "renew": "renew", "transfer": "transfer"}
CENT = Decimal("0.01")


class NoExchangeRate(Exception):
    """WHMCS has no rate for the currency Openprovider charges in."""


@dataclasses.dataclass(frozen=True)
class Finding:
    kind: str
    subject: str  # ".es" or a premium domain
    operation: str  # "register 2y", "renew"
    sell_price: Decimal | None
    cost_price: Decimal | None
    currency: str
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "subject": self.subject, "operation": self.operation,
                "sell_price": _text(self.sell_price), "cost_price": _text(self.cost_price),
                "currency": self.currency, "note": self.note}


def below_cost(entries: Iterable[TldEntry], pricing: TldPricing, currencies: list[Currency]) -> list[Finding]:
    """Each term of each TLD WHMCS sells (and the catalogue holds) priced under its cost."""
    found = []
    for entry in entries:
        sold = pricing.prices.get(entry.name)
        if not sold:
            continue
        factor = _factor(entry.currency, pricing.currency, currencies)
        for operation, catalogued in OPERATIONS.items():
            yearly = entry.prices.get(catalogued)
            if yearly is None:
                continue
            for years, sell in sorted(sold.get(operation, {}).items()):
                cost = (yearly * years * factor).quantize(CENT)
                if sell < cost:
                    found.append(Finding(BELOW_COST, f".{entry.name}", f"{operation} {years}y", sell, cost,
                                         pricing.currency.code, f"loses {cost - sell} a sale"))
    return found


def _factor(cost_currency: str, sell: Currency, currencies: list[Currency]) -> Decimal:
    """What one unit of ``cost_currency`` is in ``sell``'s currency, by WHMCS's rates."""
    if cost_currency == sell.code:
        return Decimal(1)
    rates = {currency.code: currency.rate for currency in currencies}
    if cost_currency not in rates or not rates[cost_currency] or sell.code not in rates:
        raise NoExchangeRate(f"WHMCS has no exchange rate for {cost_currency}, the currency Openprovider charges "
                             f"in: add it under Setup > Payments > Currencies so costs can be compared with "
                             f"{sell.code} prices.")
    return rates[sell.code] / rates[cost_currency]


def premium_changes(engine: Engine) -> list[Finding]:
    renewals = PremiumRenewal.__table__
    query = select(renewals).where(renewals.c.changed_at.is_not(None)).order_by(renewals.c.domain)
    with engine.connect() as conn:
        return [Finding(PREMIUM_RENEWAL, row.domain, "renew", _price(row.previous_price), _price(row.renew_price),
                        row.currency, f"renewal cost changed on {row.changed_at:%Y-%m-%d}")
                for row in conn.execute(query)]


def run_audit(engine: Engine, whmcs: Any) -> list[Finding]:
    """Audit now against WHMCS's prices, store the findings and return them."""
    pricing = whmcs.get_tld_pricing()
    entries = [entry for entry in all_entries(engine) if entry.name in pricing.prices]
    needs_rates = any(entry.currency != pricing.currency.code for entry in entries)
    findings = below_cost(entries, pricing, whmcs.get_currencies() if needs_rates else []) + premium_changes(engine)
    store_findings(engine, findings)
    return findings


def store_findings(engine: Engine, findings: list[Finding]) -> None:
    now = utcnow()
    key = (findings_table.c.kind, findings_table.c.subject, findings_table.c.operation)
    with engine.begin() as conn:
        known = {tuple(row[:3]): row.id for row in conn.execute(select(*key, findings_table.c.id))}
        current = set()
        for finding in findings:
            identity = (finding.kind, finding.subject, finding.operation)
            current.add(identity)
            values = {"sell_price": finding.sell_price, "cost_price": finding.cost_price,
                      "currency": finding.currency, "note": finding.note[:255], "checked_at": now}
            if identity in known:
                conn.execute(update(findings_table).where(findings_table.c.id == known[identity]).values(**values))
            else:
                conn.execute(insert(findings_table).values(kind=finding.kind, subject=finding.subject,
                                                           operation=finding.operation, first_seen_at=now, **values))
        gone = [row_id for identity, row_id in known.items() if identity not in current]
        if gone:
            conn.execute(delete(findings_table).where(findings_table.c.id.in_(gone)))


def stored_findings(engine: Engine, *, since: Any = None) -> list[dict[str, Any]]:
    """The last audit's findings (first seen after ``since`` when given), for pages and mails."""
    query = select(findings_table).order_by(findings_table.c.kind, findings_table.c.subject, findings_table.c.operation)
    if since is not None:
        query = query.where(findings_table.c.first_seen_at > since)
    with engine.connect() as conn:
        return [{**Finding(row.kind, row.subject, row.operation, _price(row.sell_price), _price(row.cost_price),
                           row.currency, row.note or "").as_dict(),
                 "first_seen_at": row.first_seen_at, "checked_at": row.checked_at} for row in conn.execute(query)]


def _price(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENT)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"
