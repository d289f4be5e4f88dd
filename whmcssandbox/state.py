"""Everything one simulated WHMCS installation holds, behind one lock.

Tables, the mail and activity the API produced, refused writes, recent requests and
call counters all live here, so a test can create a state, serve it, and read back what
happened without going through HTTP.
"""
from __future__ import annotations

import collections
import itertools
import threading
from collections.abc import Mapping

from flask import current_app

from whmcssandbox.faults import Faults
from whmcssandbox.pricing import DEFAULT_CURRENCY
from whmcssandbox.records import Client, Domain, Invoice, InvoiceItem

DEFAULT_IDENTIFIER = "opbridge-sandbox"
DEFAULT_SECRET = "sandbox-secret"
CREDENTIAL_FIELDS = frozenset({"identifier", "secret", "username", "password", "accesskey"})
# Enough to inspect a test or a sync run; a 10,000-domain benchmark must not grow memory forever.
REQUEST_LOG_SIZE = 5000
EXTENSION_KEY = "whmcs_sandbox"


class SandboxState:
    def __init__(
        self,
        *,
        identifier: str = DEFAULT_IDENTIFIER,
        secret: str = DEFAULT_SECRET,
        accesskey: str = "",
        faults: Faults | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.identifier = identifier
        self.secret = secret
        self.accesskey = accesskey
        self.faults = faults or Faults()
        self.clients: dict[int, Client] = {}
        self.domains: dict[int, Domain] = {}
        self.invoices: dict[int, Invoice] = {}
        self.currencies: list[dict] = [dict(DEFAULT_CURRENCY)]
        self.tld_pricing: dict[str, dict[str, dict[str, str]]] = {}  # whmcssandbox.pricing
        self.orders: list[dict] = []  # AddOrder's orders (whmcssandbox.ordering)
        self.emails: list[dict] = []  # to the admins (SendAdminEmail)
        self.client_emails: list[dict] = []  # to clients (SendEmail)
        self.activity: list[dict] = []
        self.rejections: list[dict] = []
        self.requests: collections.deque[dict] = collections.deque(maxlen=REQUEST_LOG_SIZE)
        self._domain_ids: dict[str, int] = {}
        self._ids = collections.defaultdict(lambda: itertools.count(1))
        self.reset_counters()

    # -- tables ----------------------------------------------------------------------

    def new_id(self, table: str) -> int:
        """Ids are handed out before rows are added, like auto-increment: a refused seed leaves a gap."""
        return next(self._ids[table])

    def add_client(self, client: Client) -> None:
        self.clients[client.id] = client

    def add_domain(self, domain: Domain) -> None:
        self.domains[domain.id] = domain
        self._domain_ids[domain.domain.lower()] = domain.id

    def add_invoice(self, invoice: Invoice) -> None:
        self.invoices[invoice.id] = invoice

    def find_domain(self, name: str) -> Domain | None:
        domain_id = self._domain_ids.get(name.strip().lower())
        return self.domains.get(domain_id) if domain_id else None

    def invoice_items_for(self, domain: Domain) -> list[tuple[Invoice, InvoiceItem]]:
        return [
            (invoice, item)
            for invoice in self.invoices.values()
            for item in invoice.items
            if item.relid == domain.id and item.type.startswith("Domain")
        ]

    # -- what the API saw --------------------------------------------------------------

    def record_call(self, action: str, form: Mapping[str, str]) -> None:
        params = {name: value for name, value in form.items() if name not in CREDENTIAL_FIELDS}
        self.requests.append(params)
        self.calls[action] += 1
        domain = self._domain_named_in(form)
        if domain:
            self.calls_by_domain[action][domain] += 1

    def _domain_named_in(self, form: Mapping[str, str]) -> str:
        domain_id = form.get("domainid", "")
        if domain_id.isdigit() and int(domain_id) in self.domains:
            return self.domains[int(domain_id)].domain
        return form.get("domain", "").strip().lower()

    def reset_counters(self) -> None:
        self.calls: collections.Counter[str] = collections.Counter()
        self.calls_by_domain: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        self.faults_injected = 0

    def counters(self) -> dict:
        return {
            "calls": dict(self.calls),
            "calls_by_domain": {action: dict(names) for action, names in self.calls_by_domain.items()},
            "faults_injected": self.faults_injected,
        }


def current_state() -> SandboxState:
    return current_app.extensions[EXTENSION_KEY]
