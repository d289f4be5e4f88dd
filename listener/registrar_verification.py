"""``GET /api/v1/registrar/domains/<name>/verification``: the registrant e-mail verification
WHMCS's domain page shows (GetDomainInformation's IRTP fields); reading it never starts a
verification. A country-code domain is answered without asking Openprovider.

A gTLD domain whose mirror is current (the rule of the domain information endpoint) is
answered from the latest finished pull-sync run, which reads the account's verifications
and records the unconfirmed ones, when that run started no earlier than the mirror's
reading of the domain: then the page costs no Openprovider call. Otherwise the state is
read live: one call, and a second for a domain without any verification, to tell it from
a domain the account does not hold.
"""
from __future__ import annotations

from typing import Any

from listener import api_common
from listener.api_schemas import RegistrarVerification
from listener.openapi import operation
from listener.registrar_api import bp, fresh_mirror_row
from listener.services import services
from outbox.registrant_verification import icann_governed, recorded_state, state
from outbox.values import utcnow
from outbox.sync.verifications import latest_reading


@bp.get("/domains/<name>/verification")
@operation("A domain's ICANN registrant e-mail verification: from the latest sync run while the domain's mirror is "
           "current, else live", answers={200: RegistrarVerification}, path={"name": api_common.DOMAIN_NAME_DOCS})
def registrant_verification(name: str) -> dict[str, Any]:
    key = api_common.domain_key(name)
    if not icann_governed(key):
        return state(key, None)
    recorded = _recorded(key)
    if recorded is not None:
        return recorded
    openprovider = services().clients.openprovider_quick
    found = openprovider.customers.email_verifications(domain=key)
    if not found:
        openprovider.domains.find(key)  # a domain outside the account is a 404, not "no verification"
    return state(key, found)


def _recorded(key: str) -> dict[str, Any] | None:
    """The answer from the latest sync run, or None when it may be out of date."""
    mirror = fresh_mirror_row(key)
    if mirror is None:
        return None
    reading = latest_reading(services().engine, key)
    # The mirror's rule (no command of the domain since its reading) covers a run from that reading on.
    if reading is None or reading.read_at < mirror.last_synced_at:
        return None
    return recorded_state(key, reading.email, reading.suspension_date, utcnow().date())
