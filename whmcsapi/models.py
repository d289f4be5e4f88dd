"""Typed results of the WHMCS actions opbridge uses, built from raw API rows."""
from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Generic, TypeVar

from whmcsapi import parsing

# Exact strings of WHMCS\Domain\Status; WHMCS stores whatever it is sent, so only these go out.
DOMAIN_STATUSES = frozenset({
    "Pending", "Pending Registration", "Pending Transfer", "Active", "Grace", "Redemption",
    "Expired", "Transferred Away", "Cancelled", "Fraud",
})
INVOICE_STATUSES = frozenset({
    "Draft", "Unpaid", "Paid", "Cancelled", "Refunded", "Collections", "Payment Pending",
})
# Invoice item types whose relid is a tbldomains id ("Domain" is a renewal).
DOMAIN_ITEM_TYPES = frozenset({"Domain", "DomainRegister", "DomainTransfer"})

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing: ``start`` is the offset asked for, ``total`` counts all pages."""

    total: int
    start: int
    items: Sequence[T]


@dataclasses.dataclass(frozen=True)
class ClientDomain:
    """A row of GetClientsDomains (``tbldomains``); unset dates are None."""

    id: int
    client_id: int
    order_id: int | None
    domain: str
    registrar: str
    registration_type: str
    registration_period: int
    first_payment_amount: Decimal
    recurring_amount: Decimal
    payment_method: str
    registration_date: datetime.date | None
    expiry_date: datetime.date | None
    next_due_date: datetime.date | None
    status: str
    dns_management: bool
    email_forwarding: bool
    id_protection: bool
    do_not_renew: bool
    notes: str

    @property
    def autorenew(self) -> bool:
        return not self.do_not_renew

    @classmethod
    def from_api(cls, row: dict) -> ClientDomain:
        return cls(
            id=parsing.integer(row.get("id")),
            client_id=parsing.integer(row.get("userid")),
            order_id=parsing.optional_id(row.get("orderid")),
            domain=parsing.text(row.get("domainname")),
            registrar=parsing.text(row.get("registrar")),
            registration_type=parsing.text(row.get("regtype")),
            registration_period=parsing.integer(row.get("regperiod")),
            first_payment_amount=parsing.amount(row.get("firstpaymentamount")),
            recurring_amount=parsing.amount(row.get("recurringamount")),
            payment_method=parsing.text(row.get("paymentmethod")),
            registration_date=parsing.date(row.get("regdate")),
            expiry_date=parsing.date(row.get("expirydate")),
            next_due_date=parsing.date(row.get("nextduedate")),
            status=parsing.text(row.get("status")),
            dns_management=parsing.flag(row.get("dnsmanagement")),
            email_forwarding=parsing.flag(row.get("emailforwarding")),
            id_protection=parsing.flag(row.get("idprotection")),
            do_not_renew=parsing.flag(row.get("donotrenew")),
            notes=parsing.text(row.get("notes")),
        )


@dataclasses.dataclass(frozen=True)
class InvoiceItem:
    id: int
    type: str
    related_id: int | None
    description: str
    amount: Decimal
    taxed: bool

    @property
    def domain_id(self) -> int | None:
        """The tbldomains id this line bills for, when it is a domain line."""
        return self.related_id if self.type in DOMAIN_ITEM_TYPES else None

    @classmethod
    def from_api(cls, row: dict) -> InvoiceItem:
        return cls(
            id=parsing.integer(row.get("id")),
            type=parsing.text(row.get("type")),
            related_id=parsing.optional_id(row.get("relid")),
            description=parsing.text(row.get("description")),
            amount=parsing.amount(row.get("amount")),
            taxed=parsing.flag(row.get("taxed")),
        )


@dataclasses.dataclass(frozen=True)
class InvoiceSummary:
    """A row of GetInvoices: the invoice without its lines."""

    id: int
    client_id: int
    number: str
    status: str
    date: datetime.date | None
    due_date: datetime.date | None
    date_paid: datetime.datetime | None
    subtotal: Decimal
    total: Decimal
    payment_method: str
    notes: str

    @classmethod
    def fields_from_api(cls, row: dict, invoice_id_key: str = "id") -> dict:
        return {
            "id": parsing.integer(row.get(invoice_id_key)),
            "client_id": parsing.integer(row.get("userid")),
            "number": parsing.text(row.get("invoicenum")),
            "status": parsing.text(row.get("status")),
            "date": parsing.date(row.get("date")),
            "due_date": parsing.date(row.get("duedate")),
            "date_paid": parsing.timestamp(row.get("datepaid")),
            "subtotal": parsing.amount(row.get("subtotal")),
            "total": parsing.amount(row.get("total")),
            "payment_method": parsing.text(row.get("paymentmethod")),
            "notes": parsing.text(row.get("notes")),
        }

    @classmethod
    def from_api(cls, row: dict) -> InvoiceSummary:
        return cls(**cls.fields_from_api(row))


@dataclasses.dataclass(frozen=True)
class Invoice(InvoiceSummary):
    """GetInvoice: the invoice with its balance and lines (``items.item[]``)."""

    balance: Decimal
    items: Sequence[InvoiceItem]

    @classmethod
    def from_api(cls, row: dict) -> Invoice:
        # GetInvoice names the id "invoiceid" where GetInvoices says "id".
        return cls(
            **cls.fields_from_api(row, invoice_id_key="invoiceid"),
            balance=parsing.amount(row.get("balance")),
            items=tuple(InvoiceItem.from_api(item) for item in parsing.listing(row, "items", "item")),
        )


@dataclasses.dataclass(frozen=True)
class ClientSummary:
    """A row of GetClients."""

    id: int
    first_name: str
    last_name: str
    company_name: str
    email: str

    @classmethod
    def from_api(cls, row: dict) -> ClientSummary:
        return cls(id=parsing.integer(row.get("id")), first_name=parsing.text(row.get("firstname")),
                   last_name=parsing.text(row.get("lastname")), company_name=parsing.text(row.get("companyname")),
                   email=parsing.text(row.get("email")))
