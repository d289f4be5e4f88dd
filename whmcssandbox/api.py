"""``POST /includes/api.php``: authentication, faults, counting, then the action."""
from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from xml.sax.saxutils import escape

from flask import Blueprint, Response, jsonify, request

from whmcssandbox import ordering  # noqa: F401 - registers its actions
from whmcssandbox.actions import ACTIONS
from whmcssandbox.errors import ApiError, InvalidValue
from whmcssandbox.state import SandboxState, current_state

blueprint = Blueprint("whmcs_api", __name__)

TARGET_FIELDS = ("domainid", "invoiceid", "domain")


@blueprint.post("/includes/api.php")
def api() -> Response | tuple[Response, int]:
    state = current_state()
    # PHP fills $_POST from form bodies only: a JSON body arrives as no fields at all,
    # so it fails authentication just as it would against WHMCS.
    form = request.form
    refusal = _authentication_refusal(state, form)
    if refusal:
        return jsonify(result="error", message=refusal), 403
    action = form.get("action", "")
    with state.lock:
        state.record_call(action, form)
        injected = state.faults.should_fail()
        state.faults_injected += injected
        latency_ms = state.faults.latency_ms
    if latency_ms:
        time.sleep(latency_ms / 1000)
    if injected:
        return Response("<h1>500 Internal Server Error</h1>", 500, mimetype="text/html")
    if form.get("responsetype") != "json":
        return _xml_refusal(action)
    return jsonify(_dispatch(state, action, form))


def _authentication_refusal(state: SandboxState, form: Mapping[str, str]) -> str | None:
    # API credentials may also travel as username/password, as WHMCS allows.
    identifier = form.get("identifier") or form.get("username", "")
    secret = form.get("secret") or form.get("password", "")
    if not identifier or not secret:
        return "Invalid or missing credentials"
    if not (_same(identifier, state.identifier) and _same(secret, state.secret)):
        return "Authentication Failed"
    if state.accesskey and not _same(form.get("accesskey", ""), state.accesskey):
        return "Invalid Access Key"
    return None


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _dispatch(state: SandboxState, action: str, form: Mapping[str, str]) -> dict:
    handler = ACTIONS.get(action)
    if handler is None:
        return {"result": "error", "message": "Command Not Found"}
    with state.lock:
        try:
            answer = handler(state, form)
        except InvalidValue as refused:
            state.rejections.append({
                "action": action,
                "target": {name: form[name] for name in TARGET_FIELDS if name in form},
                "field": refused.field,
                "value": refused.value,
                "message": str(refused),
            })
            return {"result": "error", "message": str(refused)}
        except ApiError as error:
            return {"result": "error", "message": str(error)}
    return {"result": "success", **answer}


def _xml_refusal(action: str) -> Response:
    # WHMCS does not default to JSON; the sandbox answers the way a client that forgot
    # responsetype=json would find out: a body that is not JSON.
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f"<whmcsapi><action>{escape(action)}</action><result>error</result>"
        "<message>The sandbox answers JSON only: send responsetype=json</message></whmcsapi>"
    )
    return Response(body, 200, mimetype="text/xml")
