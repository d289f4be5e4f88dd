"""``GET /tlds`` and ``GET /tlds/{name}``: the extensions on sale and what each supports,
and ``/domains/additional-data``: the registry data each one needs."""
from __future__ import annotations

from flask import Response, g

from .. import render
from ..errors import invalid_request
from ..listing import page
from .blueprint import bp, ok, sandbox_state

OPERATIONS = ("create", "transfer", "renew", "restore", "soft_restore", "trade", "update")


@bp.get("/tlds")
def list_tlds() -> Response:
    state = sandbox_state()
    with state.lock:
        wanted = set(g.query.get("extensions") or ())
        tlds = [tld for name, tld in sorted(state.tlds.items()) if not wanted or name in wanted]
        shown = [render.tld(tld, g.query.get("with_price", False)) for tld in page(tlds, g.query)]
    return ok({"results": shown, "total": len(tlds)})


@bp.get("/tlds/<name>")
def get_tld() -> Response:
    state = sandbox_state()
    with state.lock:
        tld = state.tld(g.path["name"])
    return ok(render.tld(tld, g.query.get("with_price", False)))


@bp.get("/domains/additional-data")
def domain_additional_data() -> Response:
    """The fields a domain's ``additional_data`` takes for the operation (create by default)."""
    state = sandbox_state()
    with state.lock:
        tld = state.tld(g.query.get("domain.extension", ""))
    operation = g.query.get("operation", "create")
    if operation not in OPERATIONS:
        raise invalid_request(f"operation: must be one of {', '.join(OPERATIONS)}")
    return ok([dict(spec) for spec in tld.domain_fields])


@bp.get("/domains/additional-data/customers")
def customer_additional_data() -> Response:
    """The fields the owner handle of a domain under this extension must hold."""
    state = sandbox_state()
    with state.lock:
        tld = state.tld(g.query.get("domain.extension", ""))
    return ok([dict(spec) for spec in tld.customer_fields])
