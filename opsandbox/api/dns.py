"""``/dns``: templates to read, zones made from them, and glue hosts (private nameservers).

Reading and changing a zone is in zones.py."""
from __future__ import annotations

from flask import Response, g

from .. import render
from ..errors import ApiError, invalid_request
from ..listing import page, wildcard
from ..models import Zone
from ..state import SandboxState
from ..zone_records import automatic_records, stored
from .blueprint import bp, concerning, ok, sandbox_state

ZONE_TYPES = ("master", "slave")


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
        records = [stored(name, record, f"records[{index}]") for index, record in enumerate(records)]
        state.zones[name] = Zone(state.next_zone_id(), name, kind, automatic_records(name, now) + records,
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


@bp.get("/dns/nameservers")
def list_nameservers() -> Response:
    state = sandbox_state()
    with state.lock:
        match = wildcard(g.query.get("pattern", "*"))
        wanted = g.query.get("name", "").lower()
        found = [server for name, server in sorted(state.nameservers.items())
                 if match(name) and (not wanted or name == wanted)]
        return ok({"results": page(found, g.query), "total": len(found)})


@bp.post("/dns/nameservers")
def create_nameserver() -> Response:
    server = _glue_host(g.body)
    state = sandbox_state()
    with state.lock:
        if server["name"] in state.nameservers:
            raise invalid_request(f"name: the nameserver {server['name']} already exists")
        state.nameservers[server["name"]] = server
        return ok(server)


@bp.get("/dns/nameservers/<name>")
def get_nameserver() -> Response:
    state = sandbox_state()
    with state.lock:
        return ok(_known_glue_host(state, g.path["name"]))


@bp.put("/dns/nameservers/<name>")
def update_nameserver() -> Response:
    state = sandbox_state()
    with state.lock:
        current = _known_glue_host(state, g.path["name"])
        state.nameservers[current["name"]] = _glue_host({**g.body, "name": current["name"]})
        return ok({"success": True})


@bp.delete("/dns/nameservers/<name>")
def delete_nameserver() -> Response:
    state = sandbox_state()
    with state.lock:
        del state.nameservers[_known_glue_host(state, g.path["name"])["name"]]
        return ok({"success": True})


def _glue_host(body: dict) -> dict[str, str]:
    name = str(body.get("name", "")).lower().rstrip(".")
    if not name or "." not in name:
        raise invalid_request("name: a host name such as ns1.example.com is required")
    if not (body.get("ip") or body.get("ip6")):
        raise invalid_request("ip: a glue host needs an IPv4 (ip) or IPv6 (ip6) address")
    concerning(name.split(".", 1)[1])
    return {"name": name, "ip": str(body.get("ip") or ""), "ip6": str(body.get("ip6") or "")}


def _known_glue_host(state: SandboxState, name: str) -> dict[str, str]:
    server = state.nameservers.get(name.lower().rstrip("."))
    if server is None:
        raise invalid_request(f"name: there is no nameserver {name}")
    return server
