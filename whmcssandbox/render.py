"""Rows as WHMCS answers them: every number a string, unset dates as zeros, flags "0"/"1"."""
from __future__ import annotations

import datetime
from decimal import Decimal

from whmcssandbox.records import Client, Domain, Invoice, InvoiceItem

ZERO_DATE = "0000-00-00"
ZERO_DATETIME = "0000-00-00 00:00:00"


def date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ZERO_DATE


def timestamp(value: datetime.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ZERO_DATETIME


def flag(value: bool) -> str:
    return "1" if value else "0"


def amount(value: Decimal) -> str:
    return f"{value:.2f}"


def listing(inner: str, rows: list[dict]) -> dict | str:
    """``{inner: rows}``, or the empty string WHMCS sends instead of an empty list."""
    return {inner: rows} if rows else ""


def domain(row: Domain) -> dict:
    return {
        "id": str(row.id),
        "userid": str(row.userid),
        "orderid": str(row.orderid),
        "regtype": row.regtype,
        "domainname": row.domain,
        "registrar": row.registrar,
        "regperiod": str(row.regperiod),
        "firstpaymentamount": amount(row.firstpaymentamount),
        "recurringamount": amount(row.recurringamount),
        "paymentmethod": row.paymentmethod,
        "paymentmethodname": row.paymentmethod.title(),
        "regdate": date(row.regdate),
        "expirydate": date(row.expirydate),
        "nextduedate": date(row.nextduedate),
        "status": row.status,
        "subscriptionid": "",
        "promoid": "0",
        "dnsmanagement": flag(row.dnsmanagement),
        "emailforwarding": flag(row.emailforwarding),
        "idprotection": flag(row.idprotection),
        "donotrenew": flag(row.donotrenew),
        "notes": row.notes,
    }


def invoice_summary(row: Invoice, client: Client | None) -> dict:
    return {
        "id": str(row.id),
        "userid": str(row.userid),
        "firstname": client.firstname if client else "",
        "lastname": client.lastname if client else "",
        "companyname": client.companyname if client else "",
        "invoicenum": "",
        "date": date(row.date),
        "duedate": date(row.duedate),
        "datepaid": timestamp(row.datepaid),
        "subtotal": amount(row.total),
        "credit": "0.00",
        "tax": "0.00",
        "tax2": "0.00",
        "total": amount(row.total),
        "taxrate": "0.00",
        "taxrate2": "0.00",
        "status": row.status,
        "paymentmethod": row.paymentmethod,
        "notes": row.notes,
        "currencycode": "EUR",
        "currencyprefix": "€",
        "currencysuffix": " EUR",
    }


def invoice(row: Invoice, client: Client | None) -> dict:
    summary = invoice_summary(row, client)
    # GetInvoice calls the id "invoiceid" where GetInvoices calls it "id".
    summary["invoiceid"] = summary.pop("id")
    return summary | {
        "balance": amount(row.balance),
        "items": listing("item", [invoice_item(item) for item in row.items]),
        "transactions": "",
    }


def invoice_item(row: InvoiceItem) -> dict:
    return {
        "id": str(row.id),
        "type": row.type,
        "relid": str(row.relid),
        "description": row.description,
        "amount": amount(row.amount),
        "taxed": flag(row.taxed),
    }
