"""``/domains``: check, suggest, list, read, register, transfer, renew, restore, update, delete."""
from __future__ import annotations

from flask import Response, g

from .. import registrar
from ..clock import format_date
from ..errors import invalid_request
from ..listing import DOMAIN_ORDER, domain_filters, exact_name, page, sort_key
from ..models import Domain
from ..state import SandboxState
from .blueprint import bp, concerning, ok, rendered_domain, sandbox_state

AUTH_CODE_TYPES = ("external", "internal")


def _domain_in_path(state: SandboxState) -> Domain:
    domain = state.domain_by_id(g.path["id"])
    concerning(domain.full_name)
    return domain


@bp.post("/domains/check")
def check_domain() -> Response:
    state = sandbox_state()
    with state.lock:
        return ok({"results": registrar.check(state, g.body)})


@bp.get("/domains/prices")
def domain_price() -> Response:
    state = sandbox_state()
    with state.lock:
        return ok(registrar.price(state, g.query))


@bp.post("/domains/suggest-name")
def suggest_name() -> Response:
    state = sandbox_state()
    with state.lock:
        return ok({"results": registrar.suggest_names(state, g.body)})


@bp.get("/domains")
def list_domains() -> Response:
    state = sandbox_state()
    with state.lock:
        name = exact_name(g.query)
        if name is None:
            candidates = list(state.live_domains())
        else:
            candidates = [domain] if (domain := state.live_domain(name)) else []
        tests = domain_filters(g.query)
        matches = [d for d in candidates if all(test(d) for test in tests)]
        key, descending = sort_key(g.query, DOMAIN_ORDER)
        matches.sort(key=key, reverse=descending)
        results = [rendered_domain(state, d) for d in page(matches, g.query)]
        return ok({"results": results, "total": len(matches)})


@bp.get("/domains/<id>")
def get_domain() -> Response:
    state = sandbox_state()
    with state.lock:
        return ok(rendered_domain(state, _domain_in_path(state)))


@bp.post("/domains")
def create_domain() -> Response:
    state = sandbox_state()
    with state.lock:
        domain = registrar.register(state, g.body)
        concerning(domain.full_name)
        answer = _dates_answer(state, domain)
        if domain.status == "ACT":
            answer["activation_date"] = format_date(domain.active_date)
        return ok(answer)


@bp.post("/domains/transfer")
def transfer_domain() -> Response:
    state = sandbox_state()
    with state.lock:
        domain = registrar.transfer(state, g.body)
        concerning(domain.full_name)
        return ok(_dates_answer(state, domain))


def _dates_answer(state: SandboxState, domain: Domain) -> dict:
    return {
        "id": domain.id,
        "status": domain.status,
        "auth_code": rendered_domain(state, domain)["auth_code"],
        "expiration_date": format_date(domain.expiration_date),
        "renewal_date": format_date(domain.renewal_date),
    }


@bp.post("/domains/<id>/renew")
def renew_domain() -> Response:
    state = sandbox_state()
    with state.lock:
        domain = _domain_in_path(state)
        registrar.renew(state, domain, g.body)
        return ok({"status": domain.status})


@bp.post("/domains/<id>/restore")
def restore_domain() -> Response:
    state = sandbox_state()
    with state.lock:
        domain = _domain_in_path(state)
        registrar.restore(state, domain)
        return ok({"status": domain.status})


@bp.put("/domains/<id>")
def update_domain() -> Response:
    state = sandbox_state()
    with state.lock:
        domain = _domain_in_path(state)
        registrar.update(state, domain, g.body)
        return ok({"id": domain.id, "status": domain.status})


@bp.delete("/domains/<id>")
def delete_domain() -> Response:
    state = sandbox_state()
    with state.lock:
        domain = _domain_in_path(state)
        registrar.delete(state, domain, g.query)
        return ok({"status": domain.status})


@bp.get("/domains/<id>/authcode")
def get_auth_code() -> Response:
    kind = _auth_code_type(g.query)
    state = sandbox_state()
    with state.lock:
        code = registrar.auth_code(state, _domain_in_path(state))
        return ok({"auth_code": code, "success": True, "type": kind})


@bp.post("/domains/<id>/authcode/reset")
def reset_auth_code() -> Response:
    kind = _auth_code_type(g.body)
    state = sandbox_state()
    with state.lock:
        code = registrar.reset_auth_code(state, _domain_in_path(state))
        return ok({"auth_code": code, "auth_info": {"pw": code}, "success": True, "type": kind})


def _auth_code_type(fields: dict) -> str:
    kind = fields.get("auth_code_type", "external")
    if kind not in AUTH_CODE_TYPES:
        raise invalid_request(f"auth_code_type: must be one of {', '.join(AUTH_CODE_TYPES)}")
    return kind
