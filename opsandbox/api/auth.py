"""``POST /auth/login``: the only call without a token."""
from __future__ import annotations

from flask import Response, g

from ..errors import ApiError
from .blueprint import bp, ok, sandbox_state


@bp.post("/auth/login")
def login() -> Response:
    state = sandbox_state()
    with state.lock:
        if (g.body.get("username"), g.body.get("password")) != state.credentials:
            raise ApiError(196, "bad username or password")
        token = state.tokens.issue(state.now())
    return ok({"token": token, "reseller_id": state.reseller_id})
