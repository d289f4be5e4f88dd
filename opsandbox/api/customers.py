"""``/customers``: contact handles for domain owners, admins and techs."""
from __future__ import annotations

from collections.abc import Callable

from flask import Response, g

from .. import render
from ..errors import ApiError, invalid_request
from ..listing import page, wildcard
from ..models import Customer
from ..state import SandboxState
from .blueprint import bp, ok, sandbox_state

REQUIRED_DETAILS = ("name", "address", "phone", "email")
PATTERN_FIELDS = {
    "email_pattern": lambda c: c.details.get("email", ""),
    "first_name_pattern": lambda c: c.details.get("name", {}).get("first_name", ""),
    "last_name_pattern": lambda c: c.details.get("name", {}).get("last_name", ""),
    "company_name_pattern": lambda c: c.details.get("company_name", ""),
    "comment_pattern": lambda c: c.details.get("comments", ""),
    "handle_pattern": lambda c: c.handle,
}
CUSTOMER_ORDER = {
    "id": lambda c: c.id,
    "handle": lambda c: c.handle,
    "email": PATTERN_FIELDS["email_pattern"],
    "company_name": PATTERN_FIELDS["company_name_pattern"],
}


@bp.post("/customers")
def create_customer() -> Response:
    missing = [name for name in REQUIRED_DETAILS if not g.body.get(name)]
    if missing:
        raise invalid_request(f"required: {', '.join(missing)}")
    if not g.body["address"].get("country"):
        raise invalid_request("address.country: required")
    state = sandbox_state()
    with state.lock:
        return ok({"handle": state.new_customer(g.body).handle})


def _customer_in_path(state: SandboxState) -> Customer:
    customer = state.customer(g.path["handle"])
    if customer is None:
        raise ApiError(176, g.path["handle"])
    return customer


@bp.get("/customers/<handle>")
def get_customer() -> Response:
    state = sandbox_state()
    with state.lock:
        customer = _customer_in_path(state)
        return ok(_shown(render.customer(customer, state.reseller_id)))


@bp.get("/customers")
def list_customers() -> Response:
    tests = _customer_filters(g.query)
    key, descending = _customer_order(g.query)
    state = sandbox_state()
    with state.lock:
        matches = [c for c in state.customers.values()
                   if not c.is_deleted and all(test(c) for test in tests)]
        matches.sort(key=key, reverse=descending)
        results = [_shown(render.customer(c, state.reseller_id)) for c in page(matches, g.query)]
        return ok({"results": results, "total": len(matches)})


def _shown(customer: dict) -> dict:
    if not g.query.get("with_additional_data"):
        customer.pop("additional_data", None)
    return customer


def _customer_filters(query: dict) -> list[Callable[[Customer], bool]]:
    tests = [lambda c, match=wildcard(query[name]), value=value: match(value(c))
             for name, value in PATTERN_FIELDS.items() if name in query]
    if "pattern" in query:
        match = wildcard(query["pattern"])
        tests.append(lambda c: any(match(value(c)) for value in PATTERN_FIELDS.values()))
    if "type" in query:
        wants_company = query["type"] == "company"
        tests.append(lambda c: bool(c.details.get("company_name")) == wants_company)
    return tests


def _customer_order(query: dict) -> tuple[Callable[[Customer], object], bool]:
    order_by = query.get("order_by", "id")
    order = query.get("order", "asc").lower()
    if order_by not in CUSTOMER_ORDER or order not in ("asc", "desc"):
        raise invalid_request(f"order_by: one of {', '.join(sorted(CUSTOMER_ORDER))}; order: asc or desc")
    return CUSTOMER_ORDER[order_by], order == "desc"


@bp.put("/customers/<handle>")
def update_customer() -> Response:
    # The spec leaves name and company_name out of this request, so the gate has already
    # refused them: a rename needs a new handle.
    changes = dict(g.body)
    if changes.pop("handle", g.path["handle"]) != g.path["handle"]:
        raise invalid_request("handle: differs from the handle in the path")
    state = sandbox_state()
    with state.lock:
        details = _customer_in_path(state).details
        # Extension data is kept per extension: an update names the extensions it changes.
        by_extension = {entry.get("name"): entry for entry in details.get("extension_additional_data") or ()}
        by_extension.update({entry.get("name"): entry for entry in changes.pop("extension_additional_data", ())})
        details.update(changes)
        if by_extension:
            details["extension_additional_data"] = list(by_extension.values())
        return ok({"success": True})


@bp.delete("/customers/<handle>")
def delete_customer() -> Response:
    state = sandbox_state()
    with state.lock:
        customer = _customer_in_path(state)
        if state.handle_in_use(customer.handle):
            raise ApiError(187, customer.handle)
        customer.is_deleted = True
        customer.deleted_at = state.now()
        return ok({"success": True})
