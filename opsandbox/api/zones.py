"""``/dns/zones``: list zones, change a zone's records, delete a zone, list its records."""
from __future__ import annotations

from flask import Response, g

from .. import render, zone_records
from ..errors import ApiError
from ..listing import page, wildcard
from ..models import Zone
from ..state import SandboxState
from .blueprint import bp, concerning, ok, sandbox_state

ZONE_NOT_FOUND = 872
RECORD_PAGE_LIMIT = 500


def _zone_in_path(state: SandboxState) -> Zone:
    name = g.path["name"].lower().rstrip(".")
    concerning(name)
    zone = state.zones.get(name)
    if zone is None:
        raise ApiError(ZONE_NOT_FOUND, name)
    return zone


@bp.get("/dns/zones")
def list_zones() -> Response:
    state = sandbox_state()
    with state.lock:
        match = wildcard(g.query.get("name_pattern", "*"))
        kind = g.query.get("type", "")
        found = [zone for name, zone in sorted(state.zones.items())
                 if match(name) and (not kind or zone.type == kind)]
        results = [render.zone(zone, state.reseller_id, g.query.get("with_records", False))
                   for zone in page(found, g.query, RECORD_PAGE_LIMIT)]
        return ok({"results": results, "total": len(found)})


@bp.get("/dns/zones/<name>")
def get_zone() -> Response:
    state = sandbox_state()
    with state.lock:
        return ok(render.zone(_zone_in_path(state), state.reseller_id, g.query.get("with_records", False)))


@bp.put("/dns/zones/<name>")
def update_zone() -> Response:
    state = sandbox_state()
    with state.lock:
        zone = _zone_in_path(state)
        if "records" in g.body:
            # All or nothing: a refused entry leaves the zone as it was.
            zone.records = zone_records.apply_updates(zone.name, zone.records, g.body["records"])
            zone.modification_date = state.now()
        return ok({"success": True})


@bp.delete("/dns/zones/<name>")
def delete_zone() -> Response:
    state = sandbox_state()
    with state.lock:
        del state.zones[_zone_in_path(state).name]
        return ok({"success": True})


@bp.get("/dns/zones/<name>/records")
def list_zone_records() -> Response:
    state = sandbox_state()
    with state.lock:
        zone = _zone_in_path(state)
        kind = g.query.get("type", "")
        match = wildcard(g.query.get("record_name_pattern", "*"))
        rendered = (zone_records.rendered(zone.name, record) for record in zone.records)
        found = [record for record in rendered if (not kind or record["type"] == kind) and match(record["name"])]
        return ok({"results": page(found, g.query, RECORD_PAGE_LIMIT), "total": len(found)})
