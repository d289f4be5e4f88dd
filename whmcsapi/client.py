"""Client for the WHMCS external API (``<whmcs>/includes/api.php``).

Every action goes through ``WhmcsClient.call``: one form-encoded POST on one session,
credentials added in one place, and one mapping from HTTP and ``result`` to the
exception tree in ``whmcsapi.errors``. The action methods only build parameters and
turn the answer into the dataclasses of ``whmcsapi.models``.
"""
from __future__ import annotations

import dataclasses
import datetime
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import requests

from core.settings import Settings
from core.httputil import retry_after
from whmcsapi import parsing
from whmcsapi.calls import CallRecord, redact
from whmcsapi.errors import (
    WhmcsAuthenticationError,
    WhmcsError,
    WhmcsPermanentError,
    WhmcsTransientError,
    WhmcsValidationError,
)
from whmcsapi.models import (
    DOMAIN_STATUSES,
    INVOICE_STATUSES,
    ClientDomain,
    ClientSummary,
    Invoice,
    InvoiceSummary,
    Page,
)
from whmcsapi.pricing import Currency, TldPricing, currencies_from, tld_pricing_from

log = logging.getLogger(__name__)

API_PATH = "/includes/api.php"
DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
DEFAULT_PAGE_SIZE = 250
EMAIL_TYPES = frozenset({"system", "account", "support"})

ParamValue = str | int | bool | Decimal | datetime.date | None


@dataclasses.dataclass(frozen=True)
class _Listing:
    """A paged action: where its rows sit in the answer (``outer.inner[]``) and how to read one."""

    action: str
    outer: str
    inner: str
    parse: Callable[[dict], Any]


DOMAINS = _Listing("GetClientsDomains", "domains", "domain", ClientDomain.from_api)
INVOICES = _Listing("GetInvoices", "invoices", "invoice", InvoiceSummary.from_api)
CLIENTS = _Listing("GetClients", "clients", "client", ClientSummary.from_api)
DOMAIN_ORDER_TYPES = frozenset({"register", "transfer"})


class WhmcsClient:
    def __init__(
        self,
        url: str,
        identifier: str,
        secret: str,
        *,
        accesskey: str = "",
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        on_call: Callable[[CallRecord], None] | None = None,
    ) -> None:
        """``url`` is the WHMCS base URL; ``on_call`` receives the redacted record of every call."""
        self.endpoint = url.rstrip("/") + API_PATH
        self.timeout = timeout
        self.session = session or requests.Session()
        self.on_call = on_call
        self._credentials = {"identifier": identifier, "secret": secret}
        if accesskey:
            self._credentials["accesskey"] = accesskey

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> WhmcsClient:
        return cls(
            settings.whmcs_url,
            settings.whmcs_identifier,
            settings.whmcs_secret,
            accesskey=settings.whmcs_accesskey,
            **kwargs,
        )

    def __repr__(self) -> str:
        return f"WhmcsClient({self.endpoint!r})"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> WhmcsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- transport -------------------------------------------------------------------

    def call(self, action: str, params: Mapping[str, ParamValue] | None = None) -> dict:
        """Run one action and return its decoded answer; raise a ``WhmcsError`` otherwise."""
        encoded = _encode(params or {})
        record = CallRecord(action=action, params=redact(encoded))
        started = time.monotonic()
        form = encoded | {"action": action, "responsetype": "json"} | self._credentials
        try:
            response = self.session.post(self.endpoint, data=form, timeout=self.timeout)
        except requests.RequestException as error:
            # The exception text may quote the URL but never the body, so it holds no secret.
            record = _finish(record, started, None, "transient_error", type(error).__name__)
            self._report(record)
            raise WhmcsTransientError(f"request failed: {error}", action=action, call=record) from None
        try:
            payload = _decode(action, response)
        except WhmcsError as error:
            error.call = _finish(record, started, response.status_code, _outcome(error), error.message)
            self._report(error.call)
            raise
        self._report(_finish(record, started, response.status_code, "success", None))
        return payload

    def _report(self, record: CallRecord) -> None:
        log.debug("WHMCS %s %s", record.action, record.outcome, extra={"whmcs_call": record.as_dict()})
        if self.on_call is not None:
            self.on_call(record)

    def _page(self, listing: _Listing, params: Mapping[str, ParamValue], start: int, limit: int) -> Page:
        payload = self.call(listing.action, {**params, "limitstart": start, "limitnum": limit})
        rows = parsing.listing(payload, listing.outer, listing.inner)
        return Page(
            total=parsing.integer(payload.get("totalresults")),
            start=parsing.integer(payload.get("startnumber")),
            items=tuple(listing.parse(row) for row in rows),
        )

    def _every(self, listing: _Listing, params: Mapping[str, ParamValue], page_size: int) -> Iterator:
        """Every row of a listing, page by page, until ``totalresults`` came back or a page is empty."""
        start = 0
        while True:
            page = self._page(listing, params, start, page_size)
            yield from page.items
            start += len(page.items)
            if not page.items or start >= page.total:
                return

    # -- prices ----------------------------------------------------------------------

    def get_currencies(self) -> list[Currency]:
        return currencies_from(self.call("GetCurrencies"))

    def get_tld_pricing(self, currency_id: int | None = None) -> TldPricing:
        """The sell prices of every TLD WHMCS has pricing for, in the default currency or ``currency_id``'s."""
        return tld_pricing_from(self.call("GetTLDPricing", {"currencyid": currency_id} if currency_id else {}))

    # -- domains ---------------------------------------------------------------------

    def get_clients_domains(
        self,
        *,
        client_id: int | None = None,
        domain_id: int | None = None,
        domain: str | None = None,
        start: int = 0,
        limit: int = 25,
    ) -> Page[ClientDomain]:
        params = {"clientid": client_id, "domainid": domain_id, "domain": domain}
        return self._page(DOMAINS, params, start, limit)

    def iter_clients_domains(
        self, *, client_id: int | None = None, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Iterator[ClientDomain]:
        """All domains (of one client, or of everyone), in WHMCS id order, page by page."""
        return self._every(DOMAINS, {"clientid": client_id}, page_size)

    def update_client_domain(
        self,
        domain_id: int,
        *,
        status: str | None = None,
        registration_date: datetime.date | None = None,
        expiry_date: datetime.date | None = None,
        next_due_date: datetime.date | None = None,
        do_not_renew: bool | None = None,
        id_protection: bool | None = None,
        dns_management: bool | None = None,
        email_forwarding: bool | None = None,
        registrar: str | None = None,
        notes: str | None = None,
        recurring_amount: Decimal | None = None,
        autorecalc: bool = False,
    ) -> int:
        """Change the given fields only; returns the domain id.

        WHMCS writes status and dates unchecked, so they are checked here. ``autorecalc``
        is sent only when asked: WHMCS recalculates the recurring amount when the
        parameter is present at all, whatever its value.
        """
        action = "UpdateClientDomain"
        params = {
            "domainid": domain_id,
            "status": _checked_choice(action, "status", status, DOMAIN_STATUSES),
            "regdate": _checked_date(action, "registration_date", registration_date),
            "expirydate": _checked_date(action, "expiry_date", expiry_date),
            "nextduedate": _checked_date(action, "next_due_date", next_due_date),
            "donotrenew": do_not_renew,
            "idprotection": id_protection,
            "dnsmanagement": dns_management,
            "emailforwarding": email_forwarding,
            "registrar": registrar,
            "notes": notes,
            "recurringamount": None if recurring_amount is None else f"{recurring_amount:.2f}",
            "autorecalc": True if autorecalc else None,
        }
        return parsing.integer(self.call(action, params).get("domainid"))

    def add_domain_order(self, client_id: int, domain: str, *, kind: str, payment_method: str,
                         id_protection: bool = False) -> int:
        """AddOrder of one domain, without invoice or mails; returns the new domain's id.

        The order stays Pending: accepting it would ask the registrar module to act."""
        if kind not in DOMAIN_ORDER_TYPES:
            raise ValueError(f"kind must be register or transfer, not {kind!r}")
        params = {"clientid": client_id, "paymentmethod": payment_method, "domain[0]": domain,
                  "domaintype[0]": kind, "regperiod[0]": 1, "idprotection[0]": id_protection,
                  "noinvoice": True, "noinvoiceemail": True, "noemail": True}
        ids = parsing.text(self.call("AddOrder", params).get("domainids")).split(",")
        return parsing.integer(ids[0])

    def renewal_prices(self, client_id: int) -> dict[str, Decimal]:
        """GetTLDPricing for the client (its currency, which ``clientid`` picks): each TLD's one-year renewal price."""
        pricing = tld_pricing_from(self.call("GetTLDPricing", {"clientid": client_id}))
        return {tld: operations["renew"][1] for tld, operations in pricing.prices.items() if 1 in operations["renew"]}

    # -- clients ---------------------------------------------------------------------

    def iter_clients(self, *, search: str | None = None, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[ClientSummary]:
        """Clients whose e-mail, name or company starts with ``search`` (all when None)."""
        return self._every(CLIENTS, {"search": search}, page_size)

    # -- invoices --------------------------------------------------------------------

    def get_invoices(
        self, *, client_id: int | None = None, status: str | None = None, start: int = 0, limit: int = 25
    ) -> Page[InvoiceSummary]:
        """``status`` is an invoice status or the pseudo-status ``Overdue``."""
        return self._page(INVOICES, {"userid": client_id, "status": status}, start, limit)

    def iter_invoices(
        self, *, client_id: int | None = None, status: str | None = None, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Iterator[InvoiceSummary]:
        return self._every(INVOICES, {"userid": client_id, "status": status}, page_size)

    def get_invoice(self, invoice_id: int) -> Invoice:
        return Invoice.from_api(self.call("GetInvoice", {"invoiceid": invoice_id}))

    def update_invoice(
        self,
        invoice_id: int,
        *,
        status: str | None = None,
        date: datetime.date | None = None,
        due_date: datetime.date | None = None,
        date_paid: datetime.date | None = None,
        notes: str | None = None,
    ) -> int:
        """Change the given fields only; returns the invoice id."""
        action = "UpdateInvoice"
        params = {
            "invoiceid": invoice_id,
            "status": _checked_choice(action, "status", status, INVOICE_STATUSES),
            "date": _checked_date(action, "date", date),
            "duedate": _checked_date(action, "due_date", due_date),
            "datepaid": _checked_date(action, "date_paid", date_paid),
            "notes": notes,
        }
        return parsing.integer(self.call(action, params).get("invoiceid"))

    # -- notifications ---------------------------------------------------------------

    def send_admin_email(self, subject: str, html: str, *, type: str = "system") -> None:  # noqa: A002
        """Mail the admins who receive ``type`` notifications; ``html`` is the message body.

        A custom message is sent as HTML as it stands, so callers escape their data.
        """
        action = "SendAdminEmail"
        params = {
            "customsubject": subject,
            "custommessage": html,
            "type": _checked_choice(action, "type", type, EMAIL_TYPES),
        }
        self.call(action, params)

    def send_email(self, template: str, related_id: int) -> None:
        """Send the client e-mail template ``template`` about the record ``related_id`` (a
        domain template takes the domain's id), as WHMCS's SendEmail does."""
        self.call("SendEmail", {"messagename": template, "id": related_id})

    def log_activity(self, description: str, *, client_id: int | None = None) -> None:
        self.call("LogActivity", {"description": description, "clientid": client_id})


def _checked_choice(action: str, name: str, value: str | None, allowed: frozenset[str]) -> str | None:
    if value is not None and value not in allowed:
        raise WhmcsValidationError(f"{name} must be one of {', '.join(sorted(allowed))}, not {value!r}",
                                   action=action)
    return value


def _checked_date(action: str, name: str, value: datetime.date | None) -> datetime.date | None:
    # A datetime is a date too, but "2026-01-31T00:00:00" is not a WHMCS date.
    if value is not None and (not isinstance(value, datetime.date) or isinstance(value, datetime.datetime)):
        raise WhmcsValidationError(f"{name} must be a datetime.date, not {value!r}", action=action)
    return value


def _encode(params: Mapping[str, ParamValue]) -> dict[str, str]:
    """Form values as WHMCS reads them: absent when None, flags as 1/0, dates as Y-m-d."""
    encoded = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            # WHMCS tests flags with PHP empty(): the string "false" would switch it on.
            encoded[name] = "1" if value else "0"
        elif isinstance(value, datetime.date):
            encoded[name] = value.isoformat()
        else:
            encoded[name] = str(value)
    return encoded


def _decode(action: str, response: requests.Response) -> dict:
    status = response.status_code
    payload = _json_object(response)
    message = parsing.text(payload.get("message")) if payload else response.text.strip()[:200]
    if status == 403:
        raise WhmcsAuthenticationError(message or "access denied (HTTP 403)", action=action)
    if status == 429 or status >= 500:
        raise WhmcsTransientError(
            f"HTTP {status}: {message}" if message else f"HTTP {status}",
            action=action, retry_after=retry_after(response),
        )
    if status != 200 or payload is None:
        raise WhmcsPermanentError(
            f"HTTP {status} without a JSON answer; is the WHMCS URL right?", action=action
        )
    if payload.get("result") == "success":
        return payload
    raise WhmcsPermanentError(
        message or "WHMCS did not report success", action=action,
        error=parsing.text(payload.get("error")) or None,
    )


def _json_object(response: requests.Response) -> dict | None:
    try:
        payload = response.json()
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None




def _finish(record: CallRecord, started: float, http_status: int | None, outcome: str,
            message: str | None) -> CallRecord:
    duration_ms = round((time.monotonic() - started) * 1000, 1)
    return dataclasses.replace(record, http_status=http_status, duration_ms=duration_ms,
                               outcome=outcome, message=message)


def _outcome(error: Exception) -> str:
    if isinstance(error, WhmcsAuthenticationError):
        return "auth_error"
    if isinstance(error, WhmcsTransientError):
        return "transient_error"
    return "error"
