"""GetClientsDomains and UpdateClientDomain, client against the sandbox over HTTP."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from whmcsapi import ClientDomain, WhmcsPermanentError, WhmcsValidationError
from whmcssandbox import seed


def test_domain_fields_arrive_typed_although_whmcs_sends_strings(client, admin, state):
    seed(state, {"domains": [{
        "domain": "example.nl", "registrar": "openprovider", "status": "Active", "regdate": "2024-03-01",
        "expirydate": "2026-03-01", "nextduedate": "2026-02-19", "donotrenew": True, "idprotection": True,
        "recurringamount": "12.95", "regperiod": 2,
    }]})

    raw = client.call("GetClientsDomains", {"domain": "example.nl"})
    row = raw["domains"]["domain"][0]
    assert (raw["totalresults"], row["id"], row["donotrenew"], row["regperiod"]) == ("1", "1", "1", "2")

    page = client.get_clients_domains(domain="example.nl")
    assert page.total == 1 and page.start == 0
    assert page.items == (ClientDomain(
        id=1, client_id=1, order_id=None, domain="example.nl", registrar="openprovider",
        registration_type="Register", registration_period=2, first_payment_amount=Decimal("12.95"),
        recurring_amount=Decimal("12.95"), payment_method="banktransfer",
        registration_date=datetime.date(2024, 3, 1), expiry_date=datetime.date(2026, 3, 1),
        next_due_date=datetime.date(2026, 2, 19), status="Active", dns_management=False,
        email_forwarding=False, id_protection=True, do_not_renew=True, notes="",
    ),)
    assert page.items[0].autorenew is False


def test_unset_dates_read_as_none(client, state):
    seed(state, {"domains": [
        {"domain": "new.com", "status": "Pending", "expirydate": None, "nextduedate": "0000-00-00"},
    ]})

    raw_row = client.call("GetClientsDomains", {})["domains"]["domain"][0]
    domain = client.get_clients_domains().items[0]

    assert raw_row["expirydate"] == "0000-00-00"
    assert domain.expiry_date is None and domain.next_due_date is None


def test_no_domains_is_an_empty_string_and_an_empty_page(client):
    assert client.call("GetClientsDomains", {"clientid": 99})["domains"] == ""

    page = client.get_clients_domains(client_id=99)

    assert page.total == 0 and page.items == ()
    assert list(client.iter_clients_domains(client_id=99)) == []


def test_paging_walks_every_page_in_id_order(client, admin):
    admin.seed({"bulk": {"count": 23}})

    first = client.get_clients_domains(start=10, limit=10)
    everything = list(client.iter_clients_domains(page_size=7))

    assert (first.total, first.start, len(first.items), first.items[0].id) == (23, 10, 10, 11)
    assert [domain.id for domain in everything] == list(range(1, 24))
    calls = admin.get("/requests", action="GetClientsDomains")
    assert [(call["limitstart"], call["limitnum"]) for call in calls[1:]] == [
        ("0", "7"), ("7", "7"), ("14", "7"), ("21", "7"),
    ]


def test_filters_by_client(client, state):
    seed(state, {
        "clients": [{"firstname": "A", "lastname": "A", "email": "a@x.nl"},
                    {"firstname": "B", "lastname": "B", "email": "b@x.nl"}],
        "domains": [{"domain": "a.nl", "userid": 1}, {"domain": "b.nl", "userid": 2}, {"domain": "c.nl", "userid": 2}],
    })

    assert [domain.domain for domain in client.iter_clients_domains(client_id=2)] == ["b.nl", "c.nl"]


def test_update_sends_flags_as_one_and_zero_and_dates_as_iso(client, admin, state):
    seed(state, {"domains": [{"domain": "flags.nl", "idprotection": True}]})

    client.update_client_domain(
        1, do_not_renew=True, id_protection=False,
        expiry_date=datetime.date(2027, 1, 31), next_due_date=datetime.date(2027, 1, 21), status="Active",
    )

    sent = admin.get("/requests", action="UpdateClientDomain")[-1]
    assert {name: sent[name] for name in ("donotrenew", "idprotection", "expirydate", "nextduedate")} == {
        "donotrenew": "1", "idprotection": "0", "expirydate": "2027-01-31", "nextduedate": "2027-01-21",
    }
    dump = admin.get("/domains/flags.nl")
    assert (dump["donotrenew"], dump["idprotection"], dump["expirydate"]) == (True, False, "2027-01-31")
    assert dump["nextinvoicedate"] == "2027-01-21"  # WHMCS moves it with the due date


def test_update_sends_only_the_fields_given_and_no_autorecalc(client, admin, state):
    seed(state, {"domains": [{"domain": "quiet.nl"}]})

    client.update_client_domain(1, id_protection=True)

    sent = admin.get("/requests", action="UpdateClientDomain")[-1]
    assert set(sent) == {"action", "responsetype", "domainid", "idprotection"}
    assert "autorecalc" not in admin.get("/domains/quiet.nl")["writes"][-1]


def test_autorecalc_is_sent_when_asked(client, admin, state):
    seed(state, {"domains": [{"domain": "recalc.nl"}]})

    client.update_client_domain(1, id_protection=True, autorecalc=True)

    assert admin.get("/requests", action="UpdateClientDomain")[-1]["autorecalc"] == "1"
    assert admin.get("/domains/recalc.nl")["writes"][-1]["autorecalc"] is True


def test_the_string_false_would_switch_a_flag_on(client, admin, state):
    seed(state, {"domains": [{"domain": "php.nl"}]})

    client.call("UpdateClientDomain", {"domainid": 1, "donotrenew": "false"})

    assert admin.get("/domains/php.nl")["donotrenew"] is True


@pytest.mark.parametrize("status", ["Inactive", "active", "ACT", ""])
def test_client_refuses_a_status_whmcs_does_not_have(client, admin, state, status):
    seed(state, {"domains": [{"domain": "strict.nl"}]})

    with pytest.raises(WhmcsValidationError):
        client.update_client_domain(1, status=status)

    assert admin.get("/requests", action="UpdateClientDomain") == []


@pytest.mark.parametrize("value", ["2026-01-01", datetime.datetime(2026, 1, 1), 20260101])
def test_client_refuses_what_is_not_a_date(client, admin, value):
    with pytest.raises(WhmcsValidationError):
        client.update_client_domain(1, expiry_date=value)

    assert admin.get("/requests") == []


@pytest.mark.parametrize(("field", "value"), [
    ("status", "Inactive"),
    ("expirydate", "0000-00-00"),
    ("expirydate", "2026-02-30"),
    ("nextduedate", "31/01/2026"),
    ("regdate", ""),
])
def test_sandbox_refuses_and_records_invalid_writes(client, admin, state, field, value):
    seed(state, {"domains": [{"domain": "guarded.nl", "expirydate": "2026-06-01", "status": "Active"}]})
    before = admin.get("/domains/guarded.nl")

    with pytest.raises(WhmcsPermanentError) as refused:
        client.call("UpdateClientDomain", {"domainid": 1, "idprotection": True, field: value})

    assert field in refused.value.message
    assert admin.get("/rejections") == [{
        "action": "UpdateClientDomain", "target": {"domainid": "1"}, "field": field, "value": value,
        "message": refused.value.message,
    }]
    assert admin.get("/domains/guarded.nl") == before  # nothing of the call was written


def test_unknown_domain_is_a_permanent_error(client):
    with pytest.raises(WhmcsPermanentError, match="Domain ID Not Found"):
        client.update_client_domain(4242, do_not_renew=False)


def test_writes_are_recorded_with_old_and_new_values(client, admin, state):
    seed(state, {"domains": [{"domain": "audit.nl", "status": "Pending", "expirydate": None}]})

    client.update_client_domain(1, status="Active", expiry_date=datetime.date(2027, 5, 1))
    client.update_client_domain(1, status="Active")

    assert admin.get("/domains/audit.nl")["writes"] == [
        {"action": "UpdateClientDomain",
         "changes": {"status": ["Pending", "Active"], "expirydate": [None, "2027-05-01"]}},
        {"action": "UpdateClientDomain", "changes": {}},
    ]
