"""``renew_domain``: one paid invoice item renews a domain once, whatever is redelivered.

Before the call that renews (or restores) the domain, its Openprovider expiration date
is stored in the command's durable state. A later try of the same command (a retry
after a timeout whose renewal did go through, a worker killed before it could mark the
command done, an operator's replay) that finds the date moved past the stored one knows
the renewal happened, and stops.

Three more guards keep money from being spent twice or without a decision:
- A redelivered ``invoice.paid`` (a new webhook id) enqueues a second command for the
  same invoice item; when an earlier one for that item is done, this one is too. The
  same holds across carriers: the renewal of WHMCS domain N from expiry D for P years is
  one business action whether the hook's paid invoice item or the registrar module's
  RenewDomain carried it, so a done command with that key makes a second one done too.
- Openprovider's own autorenew may renew before WHMCS takes the payment (the double
  renewal the 2.1 manual warns about). The item carries the expiry WHMCS had then; when
  Openprovider's expiry is already the paid years beyond it, nothing is renewed, and the
  pull-sync carries the dates to WHMCS. When part of the years are there, only the rest
  is renewed.
- A deleted domain in soft quarantine is restored (restore renews it). In hard quarantine
  only a restore at the full restore fee brings it back: an admin's decision, so the
  command stops with a sentence saying what to do.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from opclient.types import Domain
from outbox.handlers.lookup import OPENPROVIDER, require_active, require_domain
from outbox.handlers.premium import premium_fee, remember_renewal_price
from outbox.models import DONE, Command
from outbox.registry import Context, PermanentFailure, registry

DAYS_PER_YEAR = 365.25
RECORDED = "expiration_before"
commands = Command.__table__


@registry.register("renew_domain", service=OPENPROVIDER)
def renew_domain(context: Context) -> str:
    earlier = _earlier_renewal(context)
    if earlier is not None:
        return f"{earlier[1]} was already renewed by command {earlier[0]}; not renewed again."
    domain = require_domain(context, "be renewed")
    recorded = context.state.get(RECORDED)
    if recorded and domain.expiration_date and domain.expiration_date.date() > dt.date.fromisoformat(recorded):
        return (f"Renewed by an earlier try: the expiry moved from {recorded} to "
                f"{domain.expiration_date.date()}; not renewed again.")
    if domain.status == "DEL":
        return _restore(context, domain)
    require_active(domain, "be renewed")
    return _renew(context, domain)


def _renew(context: Context, domain: Domain) -> str:
    expiry = _expiry(domain)
    period = int(context.payload.get("period_years") or 1)
    paid_from = context.payload.get("expiry_date")
    years = period - _years_ahead(expiry, paid_from)
    if years <= 0:
        return (f"Openprovider already renewed {domain.domain} (its own autorenew): it expires {expiry}, "
                f"{period} year(s) past the {paid_from} the paid item renews from; not renewed again. "
                "The sync carries the new dates to WHMCS.")
    premium = premium_fee(context, domain.domain, "renew", years)
    context.save_state(**{RECORDED: expiry.isoformat()})
    context.services.openprovider.domains.renew(domain.id, period=years)
    if premium is not None:
        remember_renewal_price(context.services.openprovider, context.services.engine, domain.domain)
    note = f"Renewed {domain.domain} for {years} year(s) from {expiry}."
    if years < period:
        note += f" Openprovider had already renewed {period - years} of the {period} paid year(s) by itself."
    return note


def _restore(context: Context, domain: Domain) -> str:
    now = dt.datetime.now(dt.timezone.utc)
    soft_end, hard_end = domain.soft_quarantine_expiry_date, domain.hard_quarantine_expiry_date
    if soft_end is not None and soft_end > now:
        context.save_state(**{RECORDED: _expiry(domain).isoformat()})
        context.services.openprovider.domains.restore(domain.id)
        return (f"{domain.domain} was deleted but restorable until {soft_end:%Y-%m-%d} (soft quarantine): "
                "restored instead of renewed; the restore renews it.")
    if hard_end is not None and hard_end > now:
        raise PermanentFailure(
            f"{domain.domain} is in hard quarantine at Openprovider until {hard_end:%Y-%m-%d}: only a restore "
            "at the full restore fee can bring it back, and that is an admin's decision, so nothing was "
            "renewed or charged. Restore it in the Openprovider control panel if the customer keeps it, "
            "then replay this command.",
            "hard_quarantine",
        )
    raise PermanentFailure(f"{domain.domain} was deleted at Openprovider and its quarantine is over; "
                           "it can no longer be renewed.", "domain_deleted")


def _expiry(domain: Domain) -> dt.date:
    if domain.expiration_date is None:
        raise PermanentFailure(f"Openprovider gives {domain.domain} no expiration date, so a renewal "
                               "could not be told from one already made.", "no_expiration_date")
    return domain.expiration_date.date()


def _years_ahead(expiry: dt.date, paid_from: str | None) -> int:
    """Whole years Openprovider's expiry is past the expiry the paid item renews from.

    Rounded to the nearest year: the two dates may differ by days or weeks (renewal date
    versus registry expiry) without a renewal between them.
    """
    if not paid_from:
        return 0
    return max(0, round((expiry - dt.date.fromisoformat(paid_from)).days / DAYS_PER_YEAR))


def _earlier_renewal(context: Context) -> tuple[int, str] | None:
    """A done command of this domain for the same paid item or the same renewal, and which."""
    keys = _renewal_keys(context.payload)
    if not keys:
        return None
    query = select(commands.c.id, commands.c.payload).where(
        commands.c.aggregate_key == context.command.aggregate_key,
        commands.c.type == context.command.type,
        commands.c.status == DONE,
        commands.c.id != context.command.id,
    )
    with context.services.engine.connect() as conn:
        for row in conn.execute(query):
            shared = keys.items() & _renewal_keys(row.payload).items()
            if shared:
                return row.id, min(shared)[0]
    return None


def _renewal_keys(payload: dict) -> dict[str, tuple]:
    """What names this renewal: the paid invoice item, and the renewal of domain N from expiry D for P years."""
    keys: dict[str, tuple] = {}
    if payload.get("invoice_id") and payload.get("item_id"):
        keys[f"Invoice {payload['invoice_id']} item {payload['item_id']}"] = (payload["invoice_id"], payload["item_id"])
    if payload.get("domain_id") and payload.get("expiry_date"):
        years = int(payload.get("period_years") or 1)
        keys[f"The {years}-year renewal from {payload['expiry_date']}"] = (
            payload["domain_id"], payload["expiry_date"], years)
    return keys
