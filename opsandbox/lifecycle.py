"""How a domain moves through its statuses, by request and as time passes.

Registry-side steps (activation, transfer completion, restore completion) are queued on
the domain as ``pending`` at ``pending_at``; calendar steps (Openprovider's autorenew at
the renewal date, expiry into quarantine, purge after hard quarantine) follow from its
dates. ``settle`` plays every step that is due, in order, at the moment it was due, so a
domain read a year late looks exactly as if the sandbox had watched it all along.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from .clock import add_years
from .models import Domain
from .tlds import Tld

Step = Callable[[Domain, Tld, datetime], None]


def extend(domain: Domain, tld: Tld, years: int) -> None:
    """A renewal: the expiry, and the renewal date with it, move by ``years``."""
    domain.expiration_date = add_years(domain.expiration_date, years)
    domain.renewal_date = renewal_date_for(domain.expiration_date, tld)


def renewal_date_for(expiration_date: datetime, tld: Tld) -> datetime:
    return expiration_date - timedelta(days=tld.renewal_lead_days)


def delete(domain: Domain, tld: Tld, now: datetime) -> None:
    """An explicit delete skips soft quarantine (it only follows expiry)."""
    domain.status = "DEL"
    domain.deleted_at = now
    domain.soft_quarantine_expiry_date = None
    domain.hard_quarantine_expiry_date = now + timedelta(days=tld.hard_quarantine_days)


def in_soft_quarantine(domain: Domain, now: datetime) -> bool:
    soft_end = domain.soft_quarantine_expiry_date
    return domain.status == "DEL" and soft_end is not None and now < soft_end


def restore(domain: Domain, tld: Tld, now: datetime) -> None:
    """A soft-quarantine restore renews for a year and waits for the registry in RRQ."""
    extend(domain, tld, 1)
    domain.status = "RRQ"
    domain.soft_quarantine_expiry_date = None
    domain.hard_quarantine_expiry_date = None
    domain.deleted_at = None
    schedule(domain, "finish_restore", now + timedelta(seconds=tld.restore_delay_seconds))


def schedule(domain: Domain, step: str, when: datetime) -> None:
    domain.pending, domain.pending_at = step, when


def autorenew_applies(domain: Domain, account_autorenew: bool) -> bool:
    return domain.autorenew == "on" or (domain.autorenew == "default" and account_autorenew)


def settle(domain: Domain, tld: Tld, now: datetime, account_autorenew: bool) -> list[str]:
    """Play every step due by ``now``; returns their names, oldest first."""
    played = []
    while not domain.purged:
        step, when = _next_step(domain, account_autorenew)
        if step is None or when > now:
            break
        step(domain, tld, when)
        domain.last_changed = when
        played.append(step.__name__)
    return played


def next_due(domain: Domain, account_autorenew: bool) -> datetime | None:
    """When the domain will next change by itself, if ever."""
    return None if domain.purged else _next_step(domain, account_autorenew)[1]


def _next_step(domain: Domain, account_autorenew: bool) -> tuple[Step | None, datetime | None]:
    if domain.pending:
        return PENDING_STEPS[domain.pending], domain.pending_at
    if domain.status == "ACT":
        if autorenew_applies(domain, account_autorenew):
            return autorenew, domain.renewal_date
        return expire, domain.expiration_date
    if domain.status == "DEL":
        return purge, domain.hard_quarantine_expiry_date
    return None, None


def activate(domain: Domain, tld: Tld, when: datetime) -> None:
    domain.pending = ""
    domain.status = "ACT"
    domain.active_date = when


def start_transfer(domain: Domain, tld: Tld, when: datetime) -> None:
    domain.status = "REQ"
    schedule(domain, "complete_transfer", when + timedelta(seconds=tld.transfer_delay_seconds))


def complete_transfer(domain: Domain, tld: Tld, when: datetime) -> None:
    if domain.transfer_will_fail:
        domain.pending = ""
        domain.status = "FAI"
        return
    activate(domain, tld, when)
    extend(domain, tld, 1)


def finish_restore(domain: Domain, tld: Tld, when: datetime) -> None:
    activate(domain, tld, when)


def autorenew(domain: Domain, tld: Tld, when: datetime) -> None:
    extend(domain, tld, 1)


def expire(domain: Domain, tld: Tld, when: datetime) -> None:
    domain.status = "DEL"
    domain.deleted_at = when
    soft_end = when + timedelta(days=tld.soft_quarantine_days)
    domain.soft_quarantine_expiry_date = soft_end
    domain.hard_quarantine_expiry_date = soft_end + timedelta(days=tld.hard_quarantine_days)


def purge(domain: Domain, tld: Tld, when: datetime) -> None:
    domain.purged = True


PENDING_STEPS: dict[str, Step] = {
    step.__name__: step for step in (activate, start_transfer, complete_transfer, finish_restore)
}
