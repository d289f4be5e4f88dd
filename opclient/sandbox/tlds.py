"""The extensions the sandbox sells, and how each one behaves.

Periods and delays are simulator choices, picked so every branch of the lifecycle is
reachable: instant registries (``ACT`` at once) and slow ones (``REQ`` first), registries
that mail the auth code instead of returning it, TLDs without admin/tech handles.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

HOUR = 3600


@dataclass(frozen=True)
class Tld:
    name: str
    min_period: int = 1
    max_period: int = 10
    soft_quarantine_days: int = 30
    hard_quarantine_days: int = 30
    # 0: registrations are ACT at once; otherwise REQ for this long.
    activation_delay_seconds: int = 0
    transfer_delay_seconds: int = HOUR
    restore_delay_seconds: int = HOUR
    # Openprovider renews this many days before the registry expiry.
    renewal_lead_days: int = 0
    owner_handle_supported: bool = True
    admin_handle_supported: bool = True
    tech_handle_supported: bool = True
    billing_handle_supported: bool = False
    is_transfer_auth_code_required: bool = True
    auth_code_sent_by_email: bool = False
    is_private_whois_allowed: bool = True
    is_lockable: bool = True
    dnssec_allowed: bool = True
    dnssec_keys_allowed: bool = True
    dnssec_algorithms: tuple[int, ...] = (8, 10, 13, 14, 15, 16)
    dnssec_max_records_amount: int = 4
    prices: dict = field(default_factory=lambda: {"create": 9.5, "renew": 9.5, "transfer": 9.5,
                                                  "restore": 80.0, "soft_restore": 9.5})

    def with_overrides(self, overrides: dict) -> Tld:
        unknown = set(overrides) - {f.name for f in fields(self)} - {"name"}
        if unknown:
            raise ValueError(f"unknown TLD settings: {', '.join(sorted(unknown))}")
        return replace(self, **overrides)


def default_catalogue() -> dict[str, Tld]:
    tlds = [
        Tld("com", billing_handle_supported=True),
        Tld("net", billing_handle_supported=True),
        Tld("org", billing_handle_supported=True),
        Tld("nl", soft_quarantine_days=10, hard_quarantine_days=40, transfer_delay_seconds=0),
        Tld("eu", activation_delay_seconds=5 * 60, auth_code_sent_by_email=True,
            admin_handle_supported=False),
        Tld("be", activation_delay_seconds=5 * 60, auth_code_sent_by_email=True),
        Tld("de", activation_delay_seconds=10 * 60, renewal_lead_days=30, is_lockable=False),
        Tld("co.uk", admin_handle_supported=False, tech_handle_supported=False,
            is_transfer_auth_code_required=False, renewal_lead_days=7, dnssec_algorithms=(8, 13),
            dnssec_max_records_amount=2),
    ]
    return {tld.name: tld for tld in tlds}
