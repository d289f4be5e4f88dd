"""Contact handles (Openprovider "customers"): ``client.customers``."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from opclient.contacts import Contact, customer_body, customer_update_body
from opclient.errors import CustomerIdentityChanged, PermanentError
from opclient.types import Customer, EmailVerification, Request, from_answer

MAX_PAGE_SIZE = 1000
VERIFICATIONS = "/customers/verifications/emails"


class Customers:
    def __init__(self, request: Request) -> None:
        self._request = request

    def create(self, contact: Contact) -> str:
        """A new handle for this contact; returns the handle (``JJ123456-NL``)."""
        data = self._request("POST", "/customers", body=customer_body(contact))
        handle = data.get("handle") if isinstance(data, dict) else None
        if not handle:
            raise PermanentError("Openprovider created a customer but sent no handle")
        return str(handle)

    def get(self, handle: str) -> Customer:
        return from_answer(Customer.from_api, self._request("GET", _path(handle)))

    def find(
        self,
        *,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        company_name: str | None = None,
        limit: int = 100,
    ) -> list[Customer]:
        """Handles whose fields match these patterns (``*`` is a wildcard); the first ``limit``."""
        patterns = {
            "email_pattern": email,
            "first_name_pattern": first_name,
            "last_name_pattern": last_name,
            "company_name_pattern": company_name,
        }
        params: dict[str, Any] = {key: value for key, value in patterns.items() if value}
        if not params:
            raise ValueError("find needs at least one pattern")
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}, not {limit}")
        data = self._request("GET", "/customers", params={**params, "limit": limit}) or {}
        return [from_answer(Customer.from_api, item) for item in data.get("results") or ()]

    def update(self, handle: str, contact: Contact) -> None:
        """Bring the handle's address, phone, email and locale in line with the contact.

        Openprovider never changes a handle's name or company, so when those differ this
        raises ``CustomerIdentityChanged``: create a new handle for the contact instead.
        """
        current = self.get(handle)
        if current.identity_hash != contact.identity_hash:
            raise CustomerIdentityChanged(
                f"The name or company of {handle} cannot change; create a new handle for this contact."
            )
        self._request("PUT", _path(handle), body=customer_update_body(contact))


    def email_verifications(self, *, domain: str | None = None) -> list[EmailVerification]:
        """The registrant e-mail verifications of the account's domains (of ``domain`` only,
        when given). Reading them never starts one."""
        found: list[EmailVerification] = []
        while True:
            params: dict[str, Any] = {"limit": MAX_PAGE_SIZE, "offset": len(found), "domain": domain}
            data = self._request("GET", f"{VERIFICATIONS}/domains", params=params) or {}
            page = [from_answer(EmailVerification.from_api, item) for item in data.get("results") or ()]
            found += page
            if not page or len(found) >= int(data.get("total") or 0):
                return found

    def restart_email_verification(self, email: str) -> None:
        """Send the verification mail to ``email`` again; the deadline stays."""
        self._request("POST", f"{VERIFICATIONS}/restart", body={"email": email})


def _path(handle: str) -> str:
    if not handle or not handle.strip():
        raise ValueError("the customer handle is empty")
    return f"/customers/{quote(handle.strip(), safe='')}"
