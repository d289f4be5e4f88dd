"""``/_sandbox``: the test harness's handles on the sandbox (JSON, no authentication)."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, jsonify, make_response, request

from . import lifecycle
from .api.blueprint import rendered_domain, sandbox_state
from .clock import format_date, parse_date
from .errors import ApiError
from .faults import FaultSettings
from .models import Domain
from .seeding import seed

admin = Blueprint("sandbox_admin", __name__, url_prefix="/_sandbox")


@admin.errorhandler(ValueError)
@admin.errorhandler(TypeError)
@admin.errorhandler(ApiError)
def refuse(error: Exception) -> tuple[Response, int]:
    return jsonify(error=str(error)), 400


@admin.errorhandler(KeyError)
def refuse_missing(error: KeyError) -> tuple[Response, int]:
    return jsonify(error=f"missing field {error}"), 400


def _payload() -> dict:
    payload = request.get_json(silent=True)
    if payload is None and request.get_data().strip():
        raise ValueError("the body is not JSON")
    if not isinstance(payload or {}, dict):
        raise ValueError("the body must be a JSON object")
    return payload or {}


@admin.get("/counters")
def counters() -> Response:
    state = sandbox_state()
    with state.lock:
        return jsonify(state.counters.snapshot())


@admin.delete("/counters")
def reset_counters() -> Response:
    state = sandbox_state()
    with state.lock:
        state.counters.reset()
        return jsonify(state.counters.snapshot())


@admin.get("/faults")
def faults() -> Response:
    state = sandbox_state()
    with state.lock:
        return jsonify(state.faults.snapshot())


@admin.put("/faults")
def set_faults() -> Response:
    """Replace the fault settings; keys left out go back to their defaults."""
    settings = FaultSettings.from_json(_payload())
    state = sandbox_state()
    with state.lock:
        state.faults.configure(settings)
        return jsonify(state.faults.snapshot())


@admin.get("/clock")
def clock() -> Response:
    return _clock_answer()


@admin.post("/clock")
def move_clock() -> Response:
    """``{"advance_seconds": n}``, ``{"advance_days": n}`` or ``{"set": "YYYY-MM-DD HH:MM:SS"}``."""
    payload = _payload()
    state = sandbox_state()
    with state.lock:
        if "set" in payload:
            state.clock.set(parse_date(payload["set"]))
        else:
            delta = timedelta(seconds=payload.get("advance_seconds", 0),
                              days=payload.get("advance_days", 0))
            if delta < timedelta(0):
                raise ValueError("the clock only moves forward")
            state.clock.advance(delta)
    return _clock_answer()


def _clock_answer() -> Response:
    now = sandbox_state().now()
    return jsonify(now=format_date(now), utc=now.isoformat())


@admin.post("/tokens/expire")
def expire_tokens() -> Response:
    """Expire every token now, or (``{"after_calls": n}``) after n more authenticated calls."""
    payload = _payload()
    state = sandbox_state()
    with state.lock:
        if "after_calls" in payload:
            state.tokens.expire_after_calls(int(payload["after_calls"]))
        else:
            state.tokens.expire_all()
        return jsonify(state.tokens.snapshot())


@admin.get("/domains/<name>")
def domain_dump(name: str) -> Response:
    state = sandbox_state()
    with state.lock:
        domain = _live(name)
        return jsonify(
            domain=rendered_domain(state, domain),
            pending={"step": domain.pending, "at": format_date(domain.pending_at)},
            transfer_will_fail=domain.transfer_will_fail,
            counters=dict(state.counters.by_domain.get(domain.full_name, {})),
        )


@admin.post("/domains/<name>/autorenew")
def autorenew_now(name: str) -> Response:
    """Openprovider's own autorenew, run now whatever the renewal date says."""
    state = sandbox_state()
    with state.lock:
        domain = _live(name)
        if domain.status != "ACT":
            raise ValueError(f"only ACT domains are renewed, {domain.full_name} is {domain.status}")
        lifecycle.autorenew(domain, state.tld(domain.extension), state.now())
        domain.last_changed = state.now()
        state.counters.performed("autorenew", domain.full_name)
        return jsonify(domain=rendered_domain(state, domain))


def _live(name: str) -> Domain:
    domain = sandbox_state().live_domain(name)
    if domain is None:
        abort(make_response(jsonify(error=f"no domain {name} in the sandbox account"), 404))
    return domain


@admin.post("/seed")
def seed_state() -> Response:
    state = sandbox_state()
    with state.lock:
        return jsonify(seed(state, _payload()))


@admin.post("/reset")
def reset() -> Response:
    state = sandbox_state()
    with state.lock:
        state.clear()
    return jsonify(reset=True)
