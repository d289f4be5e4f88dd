"""``GET /api/v1/registrar/domains/<name>/dns``: the host records WHMCS's DNS page shows.

Read live from Openprovider's zone while the page waits, with a short timeout
(``outbox.services.QUICK_READ_SECONDS``), so a slow Openprovider gets the page a sentence
rather than a hung request. A domain without a zone shows no records (its first save
creates the zone). Only the types WHMCS's page can show come back; each row's
``recid`` carries the record as read, for SaveDNS to say what it changes
(``outbox.host_records``).
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from listener import admin
from listener.api_schemas import RegistrarHostRecords
from listener.openapi import operation
from listener.registrar_api import bp
from listener.services import services
from outbox.host_records import SHOWN_TYPES, shown_rows


@bp.get("/domains/<name>/dns")
@operation("The host records WHMCS's DNS page shows, read live from the domain's zone",
           answers={200: RegistrarHostRecords}, path={"name": admin.DOMAIN_NAME_DOCS})
def host_records(name: str) -> dict[str, Any]:
    key = admin._domain_key(name)
    openprovider = services().clients.openprovider_quick
    zone = openprovider.dns.zone(key)
    if zone is None:
        openprovider.domains.find(key)  # a domain outside the account is a 404, not an empty zone
        return {"domain": key, "zone": False, "records": [], "not_shown": {}}
    hidden = Counter(record.type for record in zone.records if record.type not in SHOWN_TYPES)
    return {"domain": key, "zone": True, "records": shown_rows(key, zone.records), "not_shown": dict(hidden)}
