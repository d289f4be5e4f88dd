"""The extensions the sandbox sells, and how each one behaves.

Periods and delays are simulator choices, picked so every branch of the lifecycle is
reachable: instant registries (``ACT`` at once) and slow ones (``REQ`` first), registries
that mail the auth code instead of returning it, TLDs without admin/tech handles.

Registry data: ``domain_fields`` are what ``GET /domains/additional-data`` declares for an
extension (sent in a domain's ``additional_data``), ``customer_fields`` what
``GET /domains/additional-data/customers`` declares (held by the owner handle, in its
``additional_data`` or its ``extension_additional_data`` for the extension). Each is a
list of Openprovider's ``additional_dataSpecification`` objects.
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
    transfer_available: bool = True
    dnssec_allowed: bool = True
    dnssec_keys_allowed: bool = True
    dnssec_algorithms: tuple[int, ...] = (8, 10, 13, 14, 15, 16)
    dnssec_max_records_amount: int = 4
    prices: dict = field(default_factory=lambda: {"create": 9.5, "renew": 9.5, "transfer": 9.5,
                                                  "restore": 80.0, "soft_restore": 9.5, "trade": 9.5})
    domain_fields: tuple = ()
    customer_fields: tuple = ()

    def with_overrides(self, overrides: dict) -> Tld:
        unknown = set(overrides) - {f.name for f in fields(self)} - {"name"}
        if unknown:
            raise ValueError(f"unknown TLD settings: {', '.join(sorted(unknown))}")
        return replace(self, **overrides)


def _field(name: str, description: str, *, kind: str = "text", required: bool = True,
           options: tuple[tuple[str, str], ...] = ()) -> dict:
    spec = {"name": name, "description": description, "type": kind, "required": required}
    if options:
        spec["options"] = [{"value": value, "description": text} for value, text in options]
    return spec


EU_COUNTRIES = tuple((code, code) for code in (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"))
US_NEXUS = (("C11", "US citizen"), ("C12", "Permanent resident"), ("C21", "US organisation"),
            ("C31", "Foreign entity doing business in the US"), ("C32", "Foreign entity with a US office"))
US_PURPOSE = (("P1", "Business for profit"), ("P2", "Non-profit"), ("P3", "Personal"),
              ("P4", "Educational"), ("P5", "Government"))
IT_ENTITY_TYPES = (("1", "Italian or foreign natural person"), ("2", "Company or one-person business"),
                   ("3", "Freelancer or professional"), ("4", "Non-profit organisation"),
                   ("5", "Public organisation"), ("6", "Other subject"), ("7", "Foreign entity"))
AU_ELIGIBILITY = (("Company", "Company"), ("Registered Business", "Registered business"),
                  ("Sole Trader", "Sole trader"), ("Partnership", "Partnership"))


def default_catalogue() -> dict[str, Tld]:
    tlds = [
        Tld("com", billing_handle_supported=True),
        Tld("net", billing_handle_supported=True),
        Tld("org", billing_handle_supported=True),
        Tld("nl", soft_quarantine_days=10, hard_quarantine_days=40, transfer_delay_seconds=0),
        Tld("eu", activation_delay_seconds=5 * 60, auth_code_sent_by_email=True,
            admin_handle_supported=False,
            # Needed only from a registrant who lives outside the EU, so not required of everyone.
            customer_fields=(_field("country_of_citizenship", "Country of citizenship (EU)", kind="select",
                                    required=False, options=EU_COUNTRIES),)),
        Tld("be", activation_delay_seconds=5 * 60, auth_code_sent_by_email=True),
        Tld("de", activation_delay_seconds=10 * 60, renewal_lead_days=30, is_lockable=False),
        Tld("co.uk", admin_handle_supported=False, tech_handle_supported=False,
            is_transfer_auth_code_required=False, renewal_lead_days=7, dnssec_algorithms=(8, 13),
            dnssec_max_records_amount=2),
        Tld("es", prices={"create": 8.0, "renew": 8.0, "transfer": 8.0, "restore": 60.0, "soft_restore": 8.0,
                          "trade": 8.0},
            customer_fields=(_field("social_security_number", "Spanish ID number (NIF/NIE)"),)),
        Tld("us", customer_fields=(_field("nexus_category", "Nexus category", kind="select", options=US_NEXUS),
                                   _field("applicant_purpose", "Purpose of the domain", kind="select",
                                          options=US_PURPOSE))),
        Tld("it", transfer_available=False,
            customer_fields=(_field("legal_type", "Entity type", kind="select", options=IT_ENTITY_TYPES),)),
        Tld("com.au", min_period=2, max_period=2, prices={"create": 21.0, "renew": 21.0, "transfer": 0.0,
                                                          "restore": 90.0, "soft_restore": 21.0, "trade": 21.0},
            domain_fields=(_field("eligibility_type", "Eligibility type", kind="select", options=AU_ELIGIBILITY),
                           _field("company_registration_number", "ABN or ACN"))),
    ]
    return {tld.name: tld for tld in tlds}
