"""``/_sandbox/*``: the JSON side door tests and benchmarks use to set up and inspect a sandbox.

It answers plain typed JSON (numbers as numbers, ``null`` for unset dates), not WHMCS's
wire format, because its readers are tests, not WHMCS clients.
"""
from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from whmcssandbox.records import Domain
from whmcssandbox.seeding import SeedError, seed
from whmcssandbox.state import SandboxState, current_state

blueprint = Blueprint("whmcs_sandbox_admin", __name__, url_prefix="/_sandbox")


@blueprint.errorhandler(400)
@blueprint.errorhandler(404)
def _error(error: Any) -> tuple[Response, int]:
    return jsonify(error=error.name.lower().replace(" ", "_"), message=error.description), error.code


@blueprint.get("/faults")
def faults() -> Response:
    state = current_state()
    with state.lock:
        return jsonify(state.faults.as_dict())


@blueprint.put("/faults")
def configure_faults() -> Response:
    """Body: any of ``{"latency_ms": int, "error_rate": 0..1, "seed": int}``; restarts the sequence."""
    state = current_state()
    with state.lock:
        try:
            state.faults.configure(**_json_object())
        except (TypeError, ValueError) as error:
            abort(400, str(error))
        return jsonify(state.faults.as_dict())


@blueprint.get("/counters")
def counters() -> Response:
    state = current_state()
    with state.lock:
        return jsonify(state.counters())


@blueprint.delete("/counters")
def reset_counters() -> Response:
    state = current_state()
    with state.lock:
        state.reset_counters()
        return jsonify(state.counters())


@blueprint.get("/emails")
def emails() -> Response:
    return _list_of("emails")


@blueprint.get("/client-emails")
def client_emails() -> Response:
    return _list_of("client_emails")


@blueprint.get("/activity")
def activity() -> Response:
    return _list_of("activity")


@blueprint.get("/rejections")
def rejections() -> Response:
    return _list_of("rejections")


@blueprint.get("/requests")
def requests_received() -> Response:
    """The form fields of recent API calls (credentials left out); ``?action=`` filters."""
    state = current_state()
    wanted = request.args.get("action")
    with state.lock:
        return jsonify([params for params in state.requests if not wanted or params.get("action") == wanted])


@blueprint.post("/seed")
def seed_state() -> tuple[Response, int]:
    try:
        created = seed(current_state(), _json_object())
    except (SeedError, TypeError, ValueError) as error:
        abort(400, str(error))
    return jsonify(created), 201


@blueprint.get("/domains/<name>")
def domain_state(name: str) -> Response:
    state = current_state()
    with state.lock:
        domain = state.find_domain(name)
        if domain is None:
            abort(404, f"no domain {name} in the sandbox")
        return jsonify(_domain_dump(state, domain))


def _list_of(attribute: str) -> Response:
    state = current_state()
    with state.lock:
        return jsonify(list(getattr(state, attribute)))


def _json_object() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "the body must be a JSON object")
    return body


def _domain_dump(state: SandboxState, domain: Domain) -> dict:
    return {
        **_plain(dataclasses.asdict(domain)),
        "invoice_items": [
            {
                "invoiceid": invoice.id,
                "invoice_status": invoice.status,
                "invoice_duedate": invoice.duedate.isoformat(),
                **_plain(dataclasses.asdict(item)),
            }
            for invoice, item in state.invoice_items_for(domain)
        ],
    }


def _plain(row: dict) -> dict:
    return {name: _plain_value(value) for name, value in row.items()}


def _plain_value(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
