"""The sandbox account: every store behind one lock, and lookups that keep time honest.

Werkzeug serves the sandbox with a thread per request, so views, hooks and the admin API
take ``state.lock`` around everything they read or change. Domains are settled (their
due lifecycle steps played) whenever they are looked up, which costs a date comparison
for a domain with nothing due.
"""
from __future__ import annotations

import itertools
import secrets
import threading
from datetime import UTC, datetime

from . import lifecycle
from .clock import Clock
from .counters import Counters
from .errors import ApiError
from .faults import Faults
from .models import Customer, Domain, RegistryEntry, Template, Verification, Zone
from .tlds import Tld, default_catalogue
from .tokens import TokenStore

DEFAULT_USERNAME = "sandbox"
DEFAULT_PASSWORD = "sandbox"
DEFAULT_RESELLER_ID = 300001
FIRST_DOMAIN_ID = 10_000_001


def default_templates() -> dict[int, Template]:
    web = [{"name": "", "type": "A", "value": "192.0.2.10", "ttl": 3600, "prio": 0},
           {"name": "www", "type": "CNAME", "value": "@", "ttl": 3600, "prio": 0},
           {"name": "", "type": "MX", "value": "mx.sandbox.example", "ttl": 3600, "prio": 10}]
    parking = [{"name": "", "type": "A", "value": "192.0.2.99", "ttl": 86400, "prio": 0}]
    templates = [Template(1, "default", web), Template(2, "parking", parking)]
    return {template.id: template for template in templates}


class SandboxState:
    def __init__(self, clock: Clock | None = None, *, username: str = DEFAULT_USERNAME,
                 password: str = DEFAULT_PASSWORD, reseller_id: int = DEFAULT_RESELLER_ID,
                 account_autorenew: bool = True) -> None:
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.credentials = (username, password)
        self.reseller_id = reseller_id
        self._account_autorenew = account_autorenew
        self._quiet_until: datetime | None = None
        self.faults = Faults()
        self.counters = Counters()
        self.clear()

    def clear(self) -> None:
        """Forget every domain, handle, zone, token and count; keep clock, login and faults."""
        self.tlds: dict[str, Tld] = default_catalogue()
        self.tokens = TokenStore()
        self.faults.configure(self.faults.settings)
        self.counters.reset()
        self.domains: dict[int, Domain] = {}
        self._live_ids: dict[str, int] = {}
        self.registry: dict[str, RegistryEntry] = {}
        self.customers: dict[str, Customer] = {}
        self.templates: dict[int, Template] = default_templates()
        self.zones: dict[str, Zone] = {}
        self.verifications: dict[str, Verification] = {}  # registrant e-mail verifications by address
        self.nameservers: dict[str, dict[str, str]] = {}  # glue hosts by name: {name, ip, ip6}
        # premium prices (EUR) by full name, then by operation (create, transfer, renew)
        self.premium_prices: dict[str, dict[str, str]] = {}
        self._quiet_until: datetime | None = None
        self._domain_ids = itertools.count(FIRST_DOMAIN_ID)
        self._customer_ids = itertools.count(1)
        self._zone_ids = itertools.count(1)
        self._verification_ids = itertools.count(1)

    @property
    def account_autorenew(self) -> bool:
        """What autorenew "default" means: the account-wide setting."""
        return self._account_autorenew

    @account_autorenew.setter
    def account_autorenew(self, value: bool) -> None:
        self._account_autorenew = value
        self._quiet_until = None  # domains on "default" now renew, or expire, differently

    def now(self) -> datetime:
        return self.clock.now()

    def tld(self, extension: str) -> Tld:
        tld = self.tlds.get(extension.lower())
        if tld is None:
            raise ApiError(307, extension)
        return tld

    # Domains

    def next_domain_id(self) -> int:
        return next(self._domain_ids)

    def add_domain(self, domain: Domain) -> Domain:
        self.domains[domain.id] = domain
        self._live_ids[domain.full_name] = domain.id
        self.settle(domain)
        return domain

    def settle(self, domain: Domain, now: datetime | None = None) -> None:
        # Whoever settles one domain may be about to change it, so the next listing
        # cannot trust the all-quiet mark any more.
        self._quiet_until = None
        self._settle(domain, now or self.now())

    def _settle(self, domain: Domain, now: datetime) -> None:
        if domain.purged:
            return
        tld = self.tlds[domain.extension]
        for step in lifecycle.settle(domain, tld, now, self.account_autorenew):
            self._after_step(domain, step)

    def _after_step(self, domain: Domain, step: str) -> None:
        if step == "autorenew":
            self.counters.performed("autorenew", domain.full_name)
        elif step == "purge":
            self._live_ids.pop(domain.full_name, None)
        elif step == "complete_transfer" and domain.status == "ACT":
            self.registry.pop(domain.full_name, None)

    def domain_by_id(self, domain_id: int) -> Domain:
        """A domain of this account, or code 320 as for any id Openprovider doesn't know."""
        domain = self.domains.get(domain_id)
        if domain is not None:
            self.settle(domain)
        if domain is None or domain.purged:
            raise ApiError(320)
        return domain

    def live_domain(self, full_name: str) -> Domain | None:
        domain_id = self._live_ids.get(full_name.lower())
        if domain_id is None:
            return None
        domain = self.domains[domain_id]
        self.settle(domain)
        return None if domain.purged else domain

    def live_domains(self) -> list[Domain]:
        """Every domain of the account, settled.

        Settling all of them costs a pass over the account, so the pass remembers when
        the earliest next step falls due; listings before then (paging through a large
        account) skip it, unless a domain was looked up, and so maybe changed, meanwhile.
        """
        now = self.now()
        if self._quiet_until is None or now >= self._quiet_until:
            self._quiet_until = self._settle_all(now)
        return [self.domains[domain_id] for domain_id in self._live_ids.values()]

    def _settle_all(self, now: datetime) -> datetime:
        quiet_until = datetime.max.replace(tzinfo=UTC)
        for domain_id in list(self._live_ids.values()):
            domain = self.domains[domain_id]
            self._settle(domain, now)
            due = lifecycle.next_due(domain, self.account_autorenew)
            if due is not None and due < quiet_until:
                quiet_until = due
        return quiet_until

    def is_registered(self, full_name: str) -> bool:
        return self.live_domain(full_name) is not None or full_name.lower() in self.registry

    # Contact handles

    def new_customer(self, details: dict) -> Customer:
        customer_id = next(self._customer_ids)
        customer = Customer(customer_id, _handle(details, customer_id), details)
        self.customers[customer.handle] = customer
        return customer

    def customer(self, handle: str) -> Customer | None:
        customer = self.customers.get(handle)
        return None if customer is None or customer.is_deleted else customer

    def handle_in_use(self, handle: str) -> bool:
        return any(handle in domain.handles.values() for domain in self.live_domains())

    # DNS

    def next_zone_id(self) -> int:
        return next(self._zone_ids)

    def next_verification_id(self) -> int:
        return next(self._verification_ids)

    def template_named(self, name: str) -> Template | None:
        return next((t for t in self.templates.values() if t.name == name), None)


def new_auth_code() -> str:
    return secrets.token_urlsafe(12)


def _handle(details: dict, number: int) -> str:
    """Openprovider's form: initials, a number, the address country (``JD000001-NL``)."""
    name = details.get("name", {})
    initials = "".join(part[:1] for part in (name.get("first_name", ""), name.get("last_name", "")))
    initials = "".join(ch for ch in initials.upper() if "A" <= ch <= "Z").ljust(2, "X")
    country = details.get("address", {}).get("country", "").upper() or "XX"
    return f"{initials}{number:06d}-{country}"
