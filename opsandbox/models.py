"""What the sandbox remembers: domains, contact handles, DNS zones and templates."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

HANDLE_ROLES = ("owner", "admin", "tech", "billing")


@dataclass
class Domain:
    id: int
    name: str
    extension: str
    status: str
    type: str  # NEW or TRANSFER
    auth_code: str
    order_date: datetime
    expiration_date: datetime
    renewal_date: datetime
    handles: dict[str, str] = field(default_factory=dict)
    autorenew: str = "default"
    is_locked: bool = False
    is_private_whois_enabled: bool = False
    is_dnssec_enabled: bool = False
    dnssec_keys: list[dict] = field(default_factory=list)  # {flags, alg, protocol, pub_key}
    use_domicile: bool = False
    name_servers: list[dict] = field(default_factory=list)
    ns_group: str = ""
    ns_template_name: str = ""
    comments: str = ""
    creation_date: datetime | None = None
    active_date: datetime | None = None
    last_changed: datetime | None = None
    soft_quarantine_expiry_date: datetime | None = None
    hard_quarantine_expiry_date: datetime | None = None
    deleted_at: datetime | None = None
    scheduled_at: datetime | None = None
    # The next registry-side step and when it happens (see lifecycle.py).
    pending: str = ""
    pending_at: datetime | None = None
    # A transfer whose losing side will refuse it ends in FAI.
    transfer_will_fail: bool = False
    purged: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.name}.{self.extension}"


@dataclass
class RegistryEntry:
    """A name registered elsewhere: not free, transferable with its auth code.

    What the losing registrar holds shows in a check's whois text (its name servers);
    what stops a transfer: a wrong code or a lock (refused at once), a registration
    younger than the registry allows (accepted, then FAI), a losing registrar that
    refuses (``transfer_will_fail``) or never answers (``transfer_stays_pending``).
    """

    full_name: str
    auth_code: str
    expiration_date: datetime
    transfer_will_fail: bool = False
    name_servers: list[str] = field(default_factory=list)
    is_locked: bool = False
    creation_date: datetime | None = None
    transfer_stays_pending: bool = False


@dataclass
class Customer:
    id: int
    handle: str
    details: dict  # the create request's fields, as sent
    is_deleted: bool = False
    deleted_at: datetime | None = None


@dataclass
class Verification:
    """An ICANN registrant e-mail verification of one address (see api/verifications.py)."""

    id: int
    email: str
    status: str
    expiration_date: datetime
    description: str = ""
    mails_sent: int = 1


@dataclass
class Template:
    id: int
    name: str
    records: list[dict]
    is_spamexperts_enabled: bool = False


@dataclass
class Zone:
    id: int
    name: str
    type: str
    records: list[dict]
    creation_date: datetime
    modification_date: datetime
    provider: str = ""
    is_spamexperts_enabled: bool = False


def split_domain_name(full_name: str) -> tuple[str, str]:
    """``example.co.uk`` -> ``("example", "co.uk")``: split at the first dot."""
    name, dot, extension = full_name.strip().lower().partition(".")
    if not (name and dot and extension):
        raise ValueError(f"not a domain name: {full_name!r}")
    return name, extension
