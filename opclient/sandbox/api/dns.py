"""``/dns``: templates to read, and zones made from them."""
from __future__ import annotations

from flask import Response, g

from .. import render
from ..errors import ApiError, invalid_request
from ..listing import page, wildcard
from ..models import Zone
from ..state import SandboxState
from .blueprint import bp, concerning, ok, sandbox_state

ZONE_TYPES = ("master", "slave")
# Openprovider stores any other TTL as a day.
ALLOWED_TTLS = (900, 3600, 10800, 21600, 43200, 86400)
DEFAULT_TTL = 86400


@bp.get("/dns/templates")
def list_templates() -> Response:
    query = dict(g.query)
    # The spec types this one offset as a string.
    if "offset" in query:
        if not query["offset"].isdigit():
            raise invalid_request("offset: expected a number")
        query["offset"] = int(query["offset"])
    match = wildcard(query.get("name_pattern", "*"))
    state = sandbox_state()
    with state.lock:
        matches = sorted((t for t in state.templates.values() if match(t.name)),
                         key=lambda t: t.name, reverse=query.get("order", "asc") == "desc")
        results = [render.template(t, query.get("with_records", False))
                   for t in page(matches, query)]
        return ok({"results": results, "total": len(matches)})


@bp.post("/dns/zones")
def create_zone() -> Response:
    body = g.body
    domain = body.get("domain", {})
    if not (domain.get("name") and domain.get("extension")):
        raise invalid_request("domain: name and extension are required")
    name = f"{domain['name']}.{domain['extension']}".lower()
    kind = body.get("type", "master")
    if kind not in ZONE_TYPES:
        raise invalid_request(f"type: must be one of {', '.join(ZONE_TYPES)}")
    if kind == "slave" and not body.get("master_ip"):
        raise invalid_request("master_ip: required for a slave zone")
    concerning(name)
    state = sandbox_state()
    with state.lock:
        if name in state.zones:
            raise ApiError(805, name)
        records = _template_records(state, body.get("template_name", "")) + body.get("records", [])
        now = state.now()
        state.zones[name] = Zone(state.next_zone_id(), name, kind, [_stored(r) for r in records],
                                 now, now, body.get("provider", ""),
                                 body.get("is_spamexperts_enabled", "") == "true")
        return ok({"success": True})


def _template_records(state: SandboxState, template_name: str) -> list[dict]:
    if not template_name:
        return []
    template = state.template_named(template_name)
    if template is None:
        raise invalid_request(f"template_name: no DNS template named {template_name!r}")
    return template.records


def _stored(record: dict) -> dict:
    ttl = record.get("ttl", DEFAULT_TTL)
    return {"name": record.get("name", ""), "type": record.get("type", ""),
            "value": record.get("value", ""), "prio": record.get("prio", 0),
            "ttl": ttl if ttl in ALLOWED_TTLS else DEFAULT_TTL}


@bp.get("/dns/zones/<name>")
def get_zone() -> Response:
    name = g.path["name"].lower()
    concerning(name)
    state = sandbox_state()
    with state.lock:
        zone = state.zones.get(name)
        if zone is None:
            raise ApiError(872, name)
        return ok(render.zone(zone, state.reseller_id, g.query.get("with_records", False)))
