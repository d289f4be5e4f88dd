"""``GET /tlds/{name}``: what an extension supports."""
from __future__ import annotations

from flask import Response, g

from .. import render
from .blueprint import bp, ok, sandbox_state


@bp.get("/tlds/<name>")
def get_tld() -> Response:
    state = sandbox_state()
    with state.lock:
        tld = state.tld(g.path["name"])
    return ok(render.tld(tld, g.query.get("with_price", False)))
