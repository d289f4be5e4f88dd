"""Premium renewal prices of the domains held, asked again with each catalogue refresh: a
change shows in ``opbridge tlds audit`` and the next sync report, days before WHMCS
invoices the renewal at the price it knew."""
from __future__ import annotations

from sqlalchemy import Engine, select

from opclient import OpenproviderClient
from opclient.errors import PermanentError
from outbox.handlers.premium import CENT, premium_renewals, record


def check_premium_renewals(client: OpenproviderClient, engine: Engine) -> int:
    """Ask each premium domain's renewal price; how many changed."""
    with engine.connect() as conn:
        domains = [row.domain for row in conn.execute(select(premium_renewals.c.domain))]
    changed = 0
    for domain in domains:
        try:
            quote = client.domains.price(domain, "renew")
        except PermanentError:
            continue  # the extension is no longer sold: the sync reports the domain itself
        changed += record(engine, domain, quote.price.amount.quantize(CENT), quote.price.currency)
    return changed
