"""The registrar module's DNS pages: ``GET /api/v1/registrar/domains/<name>/dns`` (the host
records WHMCS's DNS page shows) and ``…/dnssec`` (the domain's DNSSEC keys and its TLD's
limits, with the sentences a proposed change would meet).

Read live from Openprovider's zone while the page waits, with a short timeout
(``outbox.services.QUICK_READ_SECONDS``), so a slow Openprovider gets the page a sentence
rather than a hung request. A domain without a zone shows no records (its first save
creates the zone). Only the types WHMCS's page can show come back; each row's
``recid`` carries the record as read, for SaveDNS to say what it changes
(``outbox.host_records``).
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC
from typing import Any

from marshmallow import ValidationError, fields, validate

from listener import api_common
from listener.api_schemas import Query, RegistrarDnssec, RegistrarHostRecords
from listener.openapi import operation
from listener.registrar_api import bp
from listener.event_schemas import DnssecKeyChange
from listener.services import services
from opclient import DnssecKey
from opclient.types import Domain
from outbox import dnssec
from outbox.host_records import SHOWN_TYPES, shown_rows
from outbox.values import utcnow


@bp.get("/domains/<name>/dns")
@operation("The host records WHMCS's DNS page shows, read live from the domain's zone",
           answers={200: RegistrarHostRecords}, path={"name": api_common.DOMAIN_NAME_DOCS})
def host_records(name: str) -> dict[str, Any]:
    key = api_common.domain_key(name)
    openprovider = services().clients.openprovider_quick
    zone = openprovider.dns.zone(key)
    if zone is None:
        openprovider.domains.find(key)  # a domain outside the account is a 404, not an empty zone
        return {"domain": key, "zone": False, "records": [], "not_shown": {}}
    hidden = Counter(record.type for record in zone.records if record.type not in SHOWN_TYPES)
    read_at = int(utcnow().replace(tzinfo=UTC).timestamp())
    return {"domain": key, "zone": True, "records": shown_rows(key, zone.records, read_at), "not_shown": dict(hidden)}


class DnssecQuery(Query):
    """A proposed change; its key is checked by the view, so that a malformed key is a
    sentence on the page like any other refusal."""

    action = fields.String(validate=validate.OneOf(dnssec.ACTIONS))
    flags = fields.String(metadata={"description": "257 (key-signing key) or 256 (zone-signing key)."})
    alg = fields.String(metadata={"description": "The DNSSEC algorithm number, such as 13."})
    protocol = fields.String(metadata={"description": "3, the only DNSKEY protocol."})
    pub_key = fields.String(metadata={"description": "The public key in base64."})


@bp.get("/domains/<name>/dnssec")
@operation("A domain's DNSSEC keys and its TLD's limits, read live; with a proposed key, why it cannot be added "
           "or removed", answers={200: RegistrarDnssec}, query=DnssecQuery, path={"name": api_common.DOMAIN_NAME_DOCS})
def dnssec_keys(name: str) -> dict[str, Any]:
    key = api_common.domain_key(name)
    proposal = api_common.query_args(DnssecQuery())
    openprovider = services().clients.openprovider_quick
    domain = openprovider.domains.find(key)
    limits = dnssec.limits_for(services().clients, openprovider, domain.domain.extension)
    return {
        "domain": key,
        "enabled": domain.is_dnssec_enabled,
        "keys": [dataclasses.asdict(held) for held in domain.dnssec_keys],
        "tld": limits.as_answer(),
        "refusals": _refusals(domain, limits, proposal) if proposal else [],
    }


def _refusals(domain: Domain, limits: dnssec.Limits, proposal: dict[str, str]) -> list[str]:
    try:
        change = DnssecKeyChange().load(proposal)
    except ValidationError as error:
        return [f"{part}: {' '.join(messages)}" for part, messages in sorted(error.messages.items())]
    key = DnssecKey(flags=change["flags"], alg=change["alg"], protocol=change["protocol"], pub_key=change["pub_key"])
    return dnssec.refusals(domain, limits, change["action"], key)
