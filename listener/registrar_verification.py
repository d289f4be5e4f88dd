"""``GET /api/v1/registrar/domains/<name>/verification``: the registrant e-mail verification
WHMCS's domain page shows (GetDomainInformation's IRTP fields), read live; reading it
never starts a verification. A country-code domain is answered without asking Openprovider.
A gTLD domain without any verification costs a second call, to tell it from a domain
the account does not hold.
"""
from __future__ import annotations

from typing import Any

from listener import admin
from listener.api_schemas import RegistrarVerification
from listener.openapi import operation
from listener.registrar_api import bp
from listener.services import services
from outbox.registrant_verification import icann_governed, state


@bp.get("/domains/<name>/verification")
@operation("A domain's ICANN registrant e-mail verification, read live", answers={200: RegistrarVerification},
           path={"name": admin.DOMAIN_NAME_DOCS})
def registrant_verification(name: str) -> dict[str, Any]:
    key = admin._domain_key(name)
    if not icann_governed(key):
        return state(key, None)
    openprovider = services().clients.openprovider_quick
    found = openprovider.customers.email_verifications(domain=key)
    if not found:
        openprovider.domains.find(key)  # a domain outside the account is a 404, not "no verification"
    return state(key, found)
