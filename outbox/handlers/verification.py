"""``resend_registrant_verification``: WHMCS's Resend Verification Email.

Reads the domain's verification and, while it is unconfirmed, has Openprovider send the
mail again (the deadline stays). A confirmed or absent verification has nothing to resend.
"""
from __future__ import annotations

from outbox.handlers.lookup import OPENPROVIDER
from outbox.registrant_verification import pending_for
from outbox.registry import Context, registry


@registry.register("resend_registrant_verification", service=OPENPROVIDER)
def resend_registrant_verification(context: Context) -> str:
    name = context.payload["domain"]
    customers = context.services.openprovider.customers
    pending = pending_for(customers.email_verifications(domain=name), name)
    if pending is None:
        return f"{name} has no unconfirmed registrant e-mail verification: nothing to resend."
    customers.restart_email_verification(pending.email)
    deadline = pending.expiration_date.date().isoformat() if pending.expiration_date else "its deadline"
    return f"Sent the verification mail for {name} to {pending.email} again; unconfirmed, it is suspended on {deadline}."
