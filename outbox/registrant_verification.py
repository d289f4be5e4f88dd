"""ICANN's registrant e-mail verification of one domain, as WHMCS's domain page shows it.

ICANN's rules (the registrant's e-mail address confirmed within 15 days, or the domain
is suspended) bind gTLD registries; country-code TLDs (two letters) set their own. The
state is read from Openprovider's verification list: reading it never starts one; or,
while the domain's mirror is current, from the latest pull-sync run's reading of it.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from opclient import EmailVerification


def icann_governed(domain: str) -> bool:
    """Whether ICANN's verification applies: a generic TLD, not a two-letter country code."""
    extension = domain.rsplit(".", 1)[-1]
    return not (len(extension) == 2 and extension.isalpha())


def pending_for(verifications: list[EmailVerification], domain: str) -> EmailVerification | None:
    """The domain's verification when it is not confirmed yet."""
    return next((v for v in verifications if v.domain == domain and not v.is_verified), None)


def state(domain: str, verifications: list[EmailVerification] | None) -> dict[str, Any]:
    """The answer of ``GET /api/v1/registrar/domains/<name>/verification``; ``verifications``
    is None for a domain ICANN's rules do not cover (nothing was read)."""
    found = next((v for v in verifications or () if v.domain == domain), None)
    pending = found is not None and not found.is_verified
    return {
        "domain": domain,
        "applies": verifications is not None,
        "status": found.status if found else None,
        "email": found.email if found else None,
        "pending": pending,
        "suspended": pending and found.is_suspended,
        "suspension_date": found.expiration_date.date().isoformat() if pending and found.expiration_date else None,
    }


def recorded_state(domain: str, email: str | None, suspension_date: date | None, today: date) -> dict[str, Any]:
    """``state`` from a pull-sync run's record rather than a live read: ``email`` and
    ``suspension_date`` of the domain's unconfirmed verification, ``email`` None when the run
    found none open. The record keeps no status word, so ``status`` is None; and it keeps
    the day, not the hour, of the suspension: the domain counts as suspended from that day."""
    answer = state(domain, [])
    if email is None:
        return answer
    return answer | {
        "email": email,
        "pending": True,
        "suspended": suspension_date is not None and suspension_date <= today,
        "suspension_date": suspension_date.isoformat() if suspension_date else None,
    }
