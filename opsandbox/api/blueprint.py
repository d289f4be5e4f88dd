"""The blueprint serving ``/v1beta`` and the helpers its views share."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify

from .. import render
from ..models import Domain
from ..state import SandboxState

STATE_KEY = "opsandbox"
SPEC_KEY = "opsandbox.spec"

bp = Blueprint("openprovider", __name__, url_prefix="/v1beta")


def sandbox_state() -> SandboxState:
    return current_app.extensions[STATE_KEY]


def ok(data: object) -> Response:
    return jsonify(code=0, desc="", data=data)


def concerning(domain_name: str) -> None:
    """Name the domain a call worked on, for the per-domain counters."""
    g.domain_name = domain_name


def rendered_domain(state: SandboxState, domain: Domain) -> dict:
    owner = state.customers.get(domain.handles.get("owner", ""))
    return render.domain(domain, state.tld(domain.extension), state.reseller_id, owner)
