"""Each rule of the pull-sync, end to end: both sandboxes over HTTP, writes run by a Worker."""
from __future__ import annotations

import pytest

from tests.sync.conftest import day


def whmcs_domain(name: str, expiry: str | None, due: str | None = None, **fields: object) -> dict:
    return {"domain": name, "expirydate": expiry, "nextduedate": due, **fields}


def op_domain(name: str, expiry: str, **fields: object) -> dict:
    return {"name": name, "expiration_date": f"{expiry} 12:00:00", **fields}


def test_expiry_follows_openprovider_and_the_due_date_follows_with_the_offset(harness) -> None:
    harness.whmcs.seed({"domains": [
        whmcs_domain("renewed.com", day(100), day(90)),
        whmcs_domain("agreeing.com", day(200), day(190)),
    ]})
    harness.openprovider.seed({"domains": [op_domain("renewed.com", day(130)), op_domain("agreeing.com", day(200))]})

    run_id = harness.sync_and_drain()

    renewed = harness.whmcs_domain("renewed.com")
    assert (renewed["expirydate"], renewed["nextduedate"], renewed["nextinvoicedate"]) == (day(130), day(120), day(120))
    assert harness.rows(run_id, "expiry_date")["renewed.com"]["new_value"] == day(130)
    assert "agreeing.com" not in harness.rows(run_id, "expiry_date") | harness.rows(run_id, "due_date")
    assert harness.whmcs.counters()["calls_by_domain"]["UpdateClientDomain"] == {"renewed.com": 1}


def test_the_renewal_date_leads_when_it_is_the_configured_source(make_harness) -> None:
    harness = make_harness(expiry_source="renewal_date")
    harness.whmcs.seed({"domains": [whmcs_domain("early.nl", day(100), day(90))]})
    harness.openprovider.seed({"domains": [op_domain("early.nl", day(100), renewal_date=f"{day(95)} 12:00:00")]})

    harness.sync_and_drain()

    assert harness.whmcs_domain("early.nl")["expirydate"] == day(95)
    assert harness.whmcs_domain("early.nl")["nextduedate"] == day(85)


def test_due_date_offset_fills_and_moves_but_a_300_day_jump_is_only_reported(make_harness) -> None:
    harness = make_harness(next_due_date_offset=14)
    harness.whmcs.seed({"domains": [
        whmcs_domain("offset.com", day(60), day(60)),
        whmcs_domain("empty-due.com", day(60), None),
        whmcs_domain("far.com", day(20), day(10)),
    ]})
    harness.openprovider.seed({"domains": [
        op_domain("offset.com", day(60)), op_domain("empty-due.com", day(60)), op_domain("far.com", day(320)),
    ]})

    run_id = harness.sync_and_drain()

    assert harness.whmcs_domain("offset.com")["nextduedate"] == day(46)
    assert harness.whmcs_domain("empty-due.com")["nextduedate"] == day(46)
    far = harness.whmcs_domain("far.com")
    assert (far["expirydate"], far["nextduedate"]) == (day(320), day(10))  # expiry follows, due date stays
    refused = harness.rows(run_id, "due_date")["far.com"]
    assert (refused["applied"], refused["new_value"]) == (False, day(306))
    assert "296 days later" in refused["comment"] and "100-day limit" in refused["comment"]


def test_unpaid_renewal_invoice_moves_with_the_due_date_and_a_paid_one_stays(harness) -> None:
    harness.whmcs.seed({
        "clients": [{"firstname": "Anna", "lastname": "de Vries", "email": "anna@example.nl"}],
        "domains": [whmcs_domain("invoiced.nl", day(40), day(30), userid=1),
                    whmcs_domain("neighbour.nl", day(40), day(30), userid=1)],
        "invoices": [
            {"userid": 1, "duedate": day(30), "items": [{"type": "Domain", "domain": "invoiced.nl"}]},
            {"userid": 1, "duedate": day(30), "status": "Paid", "items": [{"type": "Domain", "domain": "invoiced.nl"}]},
            {"userid": 1, "duedate": day(30), "items": [{"type": "Domain", "domain": "neighbour.nl"}]},
        ],
    })
    harness.openprovider.seed({"domains": [op_domain("invoiced.nl", day(45)), op_domain("neighbour.nl", day(40))]})

    run_id = harness.sync_and_drain()

    items = {item["invoiceid"]: item for item in harness.whmcs_domain("invoiced.nl")["invoice_items"]}
    assert (items[1]["invoice_status"], items[1]["invoice_duedate"]) == ("Unpaid", day(35))
    assert (items[2]["invoice_status"], items[2]["invoice_duedate"]) == ("Paid", day(30))
    assert harness.whmcs_domain("neighbour.nl")["invoice_items"][0]["invoice_duedate"] == day(30)
    assert harness.rows(run_id, "due_date")["invoiced.nl"]["invoices"] == "1"
    assert harness.whmcs_calls()["UpdateInvoice"] == 1


@pytest.mark.parametrize(("op_status", "before", "after"), [
    ("ACT", "Expired", "Active"),
    ("ACT", "Grace", "Active"),
    ("DEL", "Active", "Expired"),
    ("DEL", "Grace", "Grace"),  # still restorable: WHMCS's own grace status says so more precisely
    ("REQ", "Active", "Pending"),
    ("REQ", "Pending Transfer", "Pending Transfer"),
    ("RRQ", "Expired", "Pending"),
    ("ACT", "Active", "Active"),
])
def test_status_follows_the_manuals_map(harness, op_status: str, before: str, after: str) -> None:
    harness.whmcs.seed({"domains": [whmcs_domain("mapped.com", day(100), day(90), status=before)]})
    harness.openprovider.seed({"domains": [op_domain("mapped.com", day(100), status=op_status)]})

    run_id = harness.sync_and_drain()

    assert harness.whmcs_domain("mapped.com")["status"] == after
    rows = harness.rows(run_id, "status")
    if before == after:
        assert "mapped.com" not in rows
    else:
        assert (rows["mapped.com"]["old_value"], rows["mapped.com"]["new_value"]) == (before, after)


def test_a_failed_request_changes_nothing_and_is_logged_and_reported_once(harness) -> None:
    harness.whmcs.seed({"domains": [whmcs_domain("failed.nl", day(300), day(290), status="Pending Transfer")]})
    harness.openprovider.seed({"domains": [op_domain("failed.nl", day(300), status="FAI")]})

    first = harness.sync_and_drain()
    second = harness.sync_and_drain()

    assert harness.whmcs_domain("failed.nl")["status"] == "Pending Transfer"
    assert "UpdateClientDomain" not in harness.whmcs_calls()
    assert [line["description"] for line in harness.activity()] == [
        "The domain name request has failed: failed.nl (Openprovider status FAI)"]
    assert "The domain name request has failed" in harness.rows(first, "error")["failed.nl"]["comment"]
    assert harness.changes(second) == []
    assert len(harness.emails()) == 1


def test_deleted_past_soft_quarantine_is_expired_and_reported(harness) -> None:
    harness.whmcs.seed({"domains": [
        whmcs_domain("gone.com", day(-60), day(-70)),
        whmcs_domain("restorable.com", day(-5), day(-15)),
    ]})
    harness.openprovider.seed({"domains": [
        op_domain("gone.com", day(-60), status="DEL", soft_quarantine_expiry_date=f"{day(-30)} 12:00:00",
                  hard_quarantine_expiry_date=f"{day(10)} 12:00:00"),
        op_domain("restorable.com", day(-5), status="DEL"),
    ]})

    run_id = harness.sync_and_drain()

    assert harness.whmcs_domain("gone.com")["status"] == "Expired"
    assert harness.whmcs_domain("restorable.com")["status"] == "Expired"
    error = harness.rows(run_id, "error")["gone.com"]["comment"]
    assert "past its soft quarantine" in error and "paid restore" in error
    assert "restorable.com" not in harness.rows(run_id, "error")
    assert "restorable at the renewal price" in harness.rows(run_id, "status")["restorable.com"]["comment"]


def test_a_domain_missing_at_openprovider_is_reported_not_cancelled(harness) -> None:
    harness.whmcs.seed({"domains": [
        whmcs_domain("vanished.com", day(100), day(90)),
        whmcs_domain("ordered.com", None, None, status="Pending Registration"),
    ]})

    run_id = harness.sync_and_drain()

    assert harness.whmcs_domain("vanished.com")["status"] == "Active"
    assert "UpdateClientDomain" not in harness.whmcs_calls()
    errors = harness.rows(run_id, "error")
    assert "Not found in the Openprovider account" in errors["vanished.com"]["comment"]
    assert "ordered.com" not in errors  # not registered yet: nothing to report


def test_autorenew_and_id_protection_are_pushed_only_where_they_differ(harness) -> None:
    harness.whmcs.seed({"domains": [
        whmcs_domain("renew-off.com", day(100), day(90), donotrenew=True),
        whmcs_domain("renew-on.com", day(100), day(90)),
        whmcs_domain("renew-explicit.com", day(100), day(90)),
        whmcs_domain("private.com", day(100), day(90), idprotection=True),
        whmcs_domain("public.com", day(100), day(90)),
        whmcs_domain("agreeing.com", day(100), day(90), donotrenew=True, idprotection=True),
    ]})
    harness.openprovider.seed({"domains": [
        op_domain("renew-off.com", day(100), autorenew="default"),
        op_domain("renew-on.com", day(100), autorenew="off"),
        op_domain("renew-explicit.com", day(100), autorenew="on"),
        op_domain("private.com", day(100)),
        op_domain("public.com", day(100), is_private_whois_enabled=True),
        op_domain("agreeing.com", day(100), autorenew="off", is_private_whois_enabled=True),
    ]})

    run_id = harness.sync_and_drain()

    assert harness.op_updates() == {"renew-off.com": 1, "renew-on.com": 1, "private.com": 1, "public.com": 1}
    assert harness.op_domain("renew-off.com")["autorenew"] == "off"
    assert harness.op_domain("renew-on.com")["autorenew"] == "default"
    assert harness.op_domain("renew-explicit.com")["autorenew"] == "on"
    assert harness.op_domain("private.com")["is_private_whois_enabled"] is True
    assert harness.op_domain("public.com")["is_private_whois_enabled"] is False
    assert set(harness.rows(run_id, "autorenew")) == {"renew-off.com", "renew-on.com"}
    assert set(harness.rows(run_id, "id_protection")) == {"private.com", "public.com"}


def test_a_second_run_with_nothing_changed_writes_nothing_and_mails_nothing(harness) -> None:
    harness.whmcs.seed({"domains": [
        whmcs_domain("drifted.com", day(100), day(100), donotrenew=True),
        whmcs_domain("missing.com", day(100), day(90)),
        whmcs_domain("far.com", day(20), day(10)),
    ]})
    harness.openprovider.seed({"domains": [op_domain("drifted.com", day(110)), op_domain("far.com", day(320))]})
    harness.sync_and_drain()
    assert len(harness.emails()) == 1
    harness.whmcs.reset_counters()
    harness.openprovider.reset_counters()

    second = harness.sync_and_drain()

    assert {action for action in harness.whmcs_calls() if action.startswith("Update")} == set()
    assert harness.op_updates() == {}
    assert harness.changes(second) == []
    assert harness.run(second)["commands_enqueued"] == 0
    assert len(harness.emails()) == 1


def test_a_dry_run_decides_and_records_but_writes_nothing(make_harness) -> None:
    harness = make_harness(update_interval_days=3)
    harness.whmcs.seed({"domains": [whmcs_domain("dry.com", day(100), day(90))]})
    harness.openprovider.seed({"domains": [op_domain("dry.com", day(120))]})

    dry = harness.sync_and_drain(dry_run=True)
    real = harness.sync_and_drain()

    assert harness.rows(dry, "expiry_date")["dry.com"]["command_id"] is None
    assert harness.run(dry)["dry_run"] and harness.run(dry)["commands_enqueued"] == 0
    assert harness.rows(real, "expiry_date")["dry.com"]["command_id"] is not None  # the dry run left it due
    assert harness.whmcs_domain("dry.com")["expirydate"] == day(120)
    assert len(harness.emails()) == 1
