"""Premium names are ordered and renewed only at the price WHMCS charged.

WHMCS passes a premium name's cost (``premiumCost``, as the availability check quoted it)
to the module, which carries it as ``premium_cost``. Before the order Openprovider is
asked its current price for the operation (``GET /domains/prices``): the same, and the
order accepts exactly that fee (``accept_premium_fee``); different, and the command is
dead with both prices, before anything is ordered, so nothing is charged. Each premium
domain's renewal price is remembered, so a change is reported before WHMCS invoices the
renewal (outbox.catalogue.premium_watch).
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from opclient import DomainName, OpenproviderClient
from outbox.models import PremiumRenewal
from outbox.registry import Context, PermanentFailure
from outbox.values import utcnow

premium_renewals = PremiumRenewal.__table__
CENT = Decimal("0.01")


def premium_fee(context: Context, name: DomainName, operation: str, period: int = 1) -> Decimal | None:
    """The fee to accept for ``operation`` (create, transfer, renew) when WHMCS charged a
    premium price; None for an ordinary order. Dead when the prices differ."""
    charged = context.payload.get("premium_cost")
    if charged is None:
        return None
    charged = Decimal(str(charged)).quantize(CENT)
    quote = context.services.openprovider.domains.price(name, operation, period=period)
    asked = quote.price.amount.quantize(CENT)
    if not quote.is_premium or asked != charged:
        kind = "a premium" if quote.is_premium else "an ordinary"
        raise PermanentFailure(
            f"{name} was charged {charged} in WHMCS, but Openprovider now asks {asked} {quote.price.currency} "
            f"for its {operation} ({kind} price); nothing was ordered or charged. Quote the new price in WHMCS "
            "and order again, or refund.", "premium_price_changed")
    return asked


def remember_renewal_price(client: OpenproviderClient, engine: Engine, name: DomainName) -> None:
    """Record what renewing the premium name ``name`` costs now."""
    quote = client.domains.price(name, "renew")
    record(engine, name.ascii, quote.price.amount.quantize(CENT), quote.price.currency)


def record(engine: Engine, domain: str, price: Decimal, currency: str) -> bool:
    """Store the renewal price; whether it differs from the one stored before."""
    now = utcnow()
    with engine.begin() as conn:
        row = conn.execute(select(premium_renewals).where(premium_renewals.c.domain == domain)).first()
        if row is None:
            try:
                conn.execute(premium_renewals.insert().values(domain=domain, currency=currency, renew_price=price,
                                                              checked_at=now))
            except IntegrityError:
                return False  # recorded by another worker at the same moment
            return False
        changed = Decimal(str(row.renew_price)).quantize(CENT) != price or row.currency != currency
        values = {"checked_at": now}
        if changed:
            values.update(previous_price=row.renew_price, renew_price=price, currency=currency, changed_at=now)
        conn.execute(update(premium_renewals).where(premium_renewals.c.domain == domain).values(**values))
        return changed
