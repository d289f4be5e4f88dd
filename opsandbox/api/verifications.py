"""``/customers/verifications/emails``: the ICANN registrant e-mail verification.

A verification belongs to an e-mail address; the listing shows it once per domain whose
owner handle has that address. Until the address is verified, a domain is suspended once
the verification's ``expiration_date`` has passed (ICANN's 15 days). ``start`` opens one
(15 days from now), ``restart`` sends the mail again and keeps the deadline. The status
words (``in progress``, ``verified``, ``failed``) are the sandbox's choice; the spec does
not list them.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Response, g

from ..clock import format_date
from ..errors import invalid_request
from ..listing import page
from ..models import Verification
from ..state import SandboxState
from .blueprint import bp, ok, sandbox_state

VERIFICATION_DAYS = 15
PENDING = "in progress"


@bp.get("/customers/verifications/emails/domains")
def list_domain_verifications() -> Response:
    state = sandbox_state()
    with state.lock:
        wanted = {key: g.query[key] for key in ("domain", "email", "handle", "status", "is_suspended")
                  if key in g.query}
        found = [entry for entry in _entries(state) if all(entry[key] == value for key, value in wanted.items())]
        return ok({"results": page(found, g.query), "total": len(found)})


def _entries(state: SandboxState) -> list[dict]:
    entries = []
    now = state.now()
    for domain in sorted(state.live_domains(), key=lambda d: d.full_name):
        owner = state.customers.get(domain.handles.get("owner", ""))
        email = str(owner.details.get("email", "")).lower() if owner else ""
        verification = state.verifications.get(email)
        if verification is None:
            continue
        entries.append({
            "domain": domain.full_name, "email": verification.email, "handle": owner.handle,
            "status": verification.status, "description": verification.description,
            "expiration_date": format_date(verification.expiration_date),
            "is_suspended": verification.status != "verified" and now > verification.expiration_date,
        })
    return entries


@bp.post("/customers/verifications/emails/start")
def start_verification() -> Response:
    email = _email(g.body)
    state = sandbox_state()
    with state.lock:
        current = state.verifications.get(email)
        if current is not None and current.status == "verified":
            raise invalid_request(f"email: {email} is verified already")
        verification = Verification(state.next_verification_id(), email, PENDING,
                                    state.now() + timedelta(days=VERIFICATION_DAYS))
        state.verifications[email] = verification
        return ok({"id": verification.id})


@bp.post("/customers/verifications/emails/restart")
def restart_verification() -> Response:
    email = _email(g.body)
    state = sandbox_state()
    with state.lock:
        verification = state.verifications.get(email)
        if verification is None or verification.status == "verified":
            raise invalid_request(f"email: there is no verification of {email} to restart")
        verification.mails_sent += 1
        return ok({"success": True})


def _email(body: dict) -> str:
    email = str(body.get("email", "")).strip().lower()
    if "@" not in email:
        raise invalid_request("email: an e-mail address is required")
    return email
