"""What every API call passes through around its view, in Openprovider's order.

Before: count the call, check the bearer token, check path, query and body against the
spec, then let the fault settings delay or replace the answer. After: count the outcome,
check a success answer against the spec, and carry out a timeout that was decided to
happen once the operation had taken effect.
"""
from __future__ import annotations

import json
import re
import time

from flask import Response, current_app, g, request

from ..counters import operation_name
from ..errors import AUTH_FAILED, ApiError, invalid_request
from ..faults import Decision, FaultSettings, dropped_connection, fault_response
from ..spec import Violation
from ..state import SandboxState
from .blueprint import SPEC_KEY, bp, sandbox_state

BEARER = re.compile(r"Bearer\s+(\S+)")


@bp.url_value_preprocessor
def hold_path_values(endpoint: str | None, values: dict | None) -> None:
    # Views read typed values from g.path once the spec has checked them.
    g.path_text = dict(values or {})
    if values:
        values.clear()


@bp.before_request
def admit() -> Response | None:
    state = sandbox_state()
    operation = current_app.extensions[SPEC_KEY].operation(request.method, request.url_rule.rule)
    g.operation = operation
    g.operation_name = operation_name(operation.operation_id)
    with state.lock:
        state.counters.called(g.operation_name)
        if operation.operation_id != "Login":
            _authenticate(state)
    _parse_request()
    with state.lock:
        g.domain_name = _target_domain(state)
        decision = state.faults.decide(g.operation_name, g.domain_name, _request_key)
        settings = state.faults.settings
    return _apply(decision, settings)


def _authenticate(state: SandboxState) -> None:
    match = BEARER.fullmatch(request.headers.get("Authorization", ""))
    if not match or not state.tokens.accept(match.group(1), state.now()):
        raise ApiError(AUTH_FAILED, "missing, unknown or expired token", status=401)


def _parse_request() -> None:
    operation = g.operation
    try:
        g.path = operation.parse_path(g.path_text)
        g.query = operation.parse_query(request.args)
        g.body = operation.parse_body(_json_body()) if operation.body_schema else {}
    except Violation as violation:
        raise invalid_request(str(violation)) from None


def _json_body() -> object:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise Violation("body", "not valid JSON") from None


def _target_domain(state: SandboxState) -> str:
    """The domain a call is about, known before its view runs (for scripted faults)."""
    if "id" in g.path:
        domain = state.domains.get(g.path["id"])
        return domain.full_name if domain else ""
    domain = g.body.get("domain", {})
    if domain.get("name") and domain.get("extension"):
        return f"{domain['name']}.{domain['extension']}".lower()
    return ""


def _request_key() -> str:
    return f"{request.method} {request.full_path} {request.get_data(as_text=True)}"


def _apply(decision: Decision, settings: FaultSettings) -> Response | None:
    if decision.latency_seconds:
        time.sleep(decision.latency_seconds)
    g.fault = decision.fault
    if decision.fault is None:
        return None
    if decision.fault != "timeout":
        return fault_response(decision.fault, settings)
    if settings.timeout_effect:
        g.withhold_for = settings  # the view runs; account() withholds its answer
        return None
    time.sleep(settings.timeout_seconds)
    if settings.timeout_mode == "drop":
        return dropped_connection(request.environ)
    return fault_response("timeout", settings)


@bp.after_request
def account(response: Response) -> Response:
    state = sandbox_state()
    withheld = g.get("withhold_for")
    injected = g.get("fault") if withheld is None else None
    outcome = injected or _outcome(response)
    with state.lock:
        state.counters.answered(g.operation_name, g.get("domain_name", ""), outcome)
    if outcome is None and current_app.config["OPSANDBOX_CHECK_RESPONSES"]:
        _check_answer(response)
    if withheld is not None:
        return _withhold(response, withheld)
    return response


def _outcome(response: Response) -> str | None:
    """None for a success, else the Openprovider code (or HTTP status) of the refusal."""
    if response.status_code == 200:
        return None
    body = response.get_json(silent=True) or {}
    return str(body.get("code", response.status_code))


def _check_answer(response: Response) -> None:
    try:
        g.operation.check_response(response.get_json())
    except Violation as violation:
        raise RuntimeError(f"the sandbox answered outside the spec: {violation}") from None


def _withhold(response: Response, settings: FaultSettings) -> Response:
    time.sleep(settings.timeout_seconds)
    return dropped_connection(request.environ) if settings.timeout_mode == "drop" else response
