"""Finding a command's domain at Openprovider, and what its status allows.

Every handler reads the domain before it writes, so a retry sees what an earlier try
already did. A domain that must be in the account and is not makes the command dead at
once: no number of retries brings it back.
"""
from __future__ import annotations

from opclient import DomainName, DomainNotFound, InvalidDomainName, split_domain
from opclient.types import Domain
from outbox.failures import OPENPROVIDER
from outbox.registry import Context, PermanentFailure, TransientFailure

__all__ = ["OPENPROVIDER", "domain_name", "find_domain", "require_active", "require_domain"]
# Statuses that end by themselves once the registry answers: worth waiting for.
SETTLING = frozenset({"REQ", "PEN", "SCH", "RRQ"})


def domain_name(context: Context) -> DomainName:
    try:
        return split_domain(context.payload["domain"])
    except InvalidDomainName as error:
        raise PermanentFailure(f"The command's domain cannot be used: {error}.", "invalid_domain") from None


def find_domain(context: Context) -> Domain | None:
    """The command's domain in the Openprovider account, or None when it is not there."""
    try:
        return context.services.openprovider.domains.find(domain_name(context))
    except DomainNotFound:
        return None


def require_domain(context: Context, action: str) -> Domain:
    domain = find_domain(context)
    if domain is None:
        raise PermanentFailure(
            f"{domain_name(context)} is not in the Openprovider account, so it cannot {action}; "
            "register or transfer it first, or correct the registrar in WHMCS.",
            "domain_not_found",
        )
    return domain


def require_active(domain: Domain, action: str) -> None:
    """Writes need an active domain: wait for a settling one, refuse any other."""
    if domain.status == "ACT":
        return
    if domain.status in SETTLING:
        raise TransientFailure(
            f"{domain.domain} is {domain.status} at Openprovider; it cannot {action} until the registry "
            "has answered, so this is tried again later.",
            "domain_settling",
        )
    raise PermanentFailure(
        f"{domain.domain} is {domain.status} at Openprovider, so it cannot {action}.", "domain_status"
    )
