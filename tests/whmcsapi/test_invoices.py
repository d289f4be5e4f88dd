"""GetInvoices, GetInvoice and UpdateInvoice, client against the sandbox over HTTP."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from whmcsapi import InvoiceItem, WhmcsPermanentError, WhmcsValidationError
from whmcssandbox import seed

SPEC = {
    "clients": [{"firstname": "A", "lastname": "A", "email": "a@x.nl"},
                {"firstname": "B", "lastname": "B", "email": "b@x.nl"}],
    "domains": [{"domain": "renew.nl", "userid": 1}, {"domain": "fresh.nl", "userid": 2}],
    "invoices": [
        {"status": "Unpaid", "date": "2026-01-01", "duedate": "2026-01-15", "items": [
            {"type": "Domain", "domain": "renew.nl", "description": "Domain Renewal - renew.nl", "amount": "12.95"},
            {"type": "DomainAddonIDP", "domain": "renew.nl", "amount": "2.00"},
        ]},
        {"status": "Paid", "items": [{"type": "DomainRegister", "domain": "fresh.nl", "amount": "9.95"}]},
        {"status": "Unpaid", "userid": 2, "items": [{"type": "DomainTransfer", "relid": 2, "amount": "7.50"}]},
    ],
}


def test_invoice_with_items_linked_to_domains(client, state):
    seed(state, SPEC)

    invoice = client.get_invoice(1)

    assert (invoice.id, invoice.client_id, invoice.status) == (1, 1, "Unpaid")
    assert (invoice.date, invoice.due_date, invoice.date_paid) == (
        datetime.date(2026, 1, 1), datetime.date(2026, 1, 15), None,
    )
    assert (invoice.total, invoice.balance) == (Decimal("14.95"), Decimal("14.95"))
    assert invoice.items == (
        InvoiceItem(id=1, type="Domain", related_id=1, description="Domain Renewal - renew.nl",
                    amount=Decimal("12.95"), taxed=False),
        InvoiceItem(id=2, type="DomainAddonIDP", related_id=1, description="DomainAddonIDP - renew.nl",
                    amount=Decimal("2.00"), taxed=False),
    )
    assert [item.domain_id for item in invoice.items] == [1, None]


def test_invoices_filtered_by_status_and_client(client, state):
    seed(state, SPEC)

    unpaid = client.get_invoices(status="Unpaid")
    of_client_two = list(client.iter_invoices(client_id=2))

    assert (unpaid.total, [invoice.id for invoice in unpaid.items]) == (2, [1, 3])
    assert [(invoice.id, invoice.status) for invoice in of_client_two] == [(2, "Paid"), (3, "Unpaid")]
    assert of_client_two[0].client_id == 2  # taken from the domain when the seed names no client


def test_invoices_page_through_three_pages(client, admin):
    admin.seed({"bulk": {"count": 11, "invoices": True}})

    invoices = list(client.iter_invoices(status="Unpaid", page_size=4))

    assert [invoice.id for invoice in invoices] == list(range(1, 12))
    assert len(admin.get("/requests", action="GetInvoices")) == 3


def test_no_invoices_is_an_empty_string_and_an_empty_page(client):
    assert client.call("GetInvoices", {"status": "Unpaid"})["invoices"] == ""
    assert client.get_invoices(status="Unpaid").items == ()


def test_update_invoice_moves_the_due_date(client, admin, state):
    seed(state, SPEC)

    assert client.update_invoice(1, due_date=datetime.date(2026, 2, 1)) == 1

    assert admin.get("/requests", action="UpdateInvoice")[-1]["duedate"] == "2026-02-01"
    assert client.get_invoice(1).due_date == datetime.date(2026, 2, 1)
    assert admin.get("/domains/renew.nl")["invoice_items"][0]["invoice_duedate"] == "2026-02-01"


def test_update_invoice_refuses_bad_values(client, admin, state):
    seed(state, SPEC)

    with pytest.raises(WhmcsValidationError):
        client.update_invoice(1, status="Settled")
    with pytest.raises(WhmcsPermanentError, match="duedate"):
        client.call("UpdateInvoice", {"invoiceid": 1, "duedate": "0000-00-00"})

    assert client.get_invoice(1).due_date == datetime.date(2026, 1, 15)
    assert [(entry["action"], entry["field"]) for entry in admin.get("/rejections")] == [("UpdateInvoice", "duedate")]


def test_unknown_invoice_is_a_permanent_error(client):
    with pytest.raises(WhmcsPermanentError, match="Invoice ID Not Found"):
        client.get_invoice(77)
