"""``GET /api/v1/registrar/domains/<name>/verification``: the registrant e-mail verification
WHMCS's domain page shows (GetDomainInformation's IRTP fields), read live; reading it
never starts a verification. A country-code domain is answered without asking Openprovider.
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
    return state(key, services().clients.openprovider_quick.customers.email_verifications(domain=key))
