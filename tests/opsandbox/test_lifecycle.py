"""Domains move through REQ, ACT, DEL, RRQ and FAI as the clock advances."""
from __future__ import annotations

from .conftest import NAME_SERVERS, Sandbox


def test_an_instant_registry_answers_act_with_dates_in_amsterdam_time(sandbox: Sandbox, handle: str) -> None:
    data = sandbox.register("example.com", handle, period=2)

    assert data["status"] == "ACT"
    assert data["activation_date"] == "2025-01-10 12:00:00"
    assert data["expiration_date"] == "2027-01-10 12:00:00"
    assert data["renewal_date"] == "2027-01-10 12:00:00"


def test_a_slow_registry_answers_req_then_activates(sandbox: Sandbox, handle: str) -> None:
    data = sandbox.register("example.eu", handle)
    assert data["status"] == "REQ"
    assert "activation_date" not in data

    sandbox.advance(advance_seconds=299)
    assert sandbox.ok("GET", f"/domains/{data['id']}")["status"] == "REQ"
    sandbox.advance(advance_seconds=1)
    domain = sandbox.ok("GET", f"/domains/{data['id']}")
    assert domain["status"] == "ACT"
    assert domain["active_date"] == "2025-01-10 12:05:00"


def test_renew_moves_expiration_and_renewal_date_by_the_period(sandbox: Sandbox, handle: str) -> None:
    domain_id = sandbox.register("example.de", handle)["id"]
    sandbox.advance(advance_seconds=600)  # .de registrations wait ten minutes

    assert sandbox.ok("POST", f"/domains/{domain_id}/renew", json={"period": 3}) == {"status": "ACT"}

    domain = sandbox.ok("GET", f"/domains/{domain_id}")
    assert domain["expiration_date"] == "2029-01-10 12:00:00"
    assert domain["renewal_date"] == "2028-12-11 12:00:00"  # .de renews 30 days early
    assert sandbox.admin("GET", "/counters")["domains"]["example.de"]["renew_domain"] == 1


def test_expiry_with_autorenew_off_enters_soft_then_hard_quarantine(sandbox: Sandbox, handle: str) -> None:
    domain_id = sandbox.register("example.com", handle, autorenew="off")["id"]

    sandbox.advance(advance_days=366)
    domain = sandbox.ok("GET", f"/domains/{domain_id}")
    assert domain["status"] == "DEL"
    assert domain["soft_quarantine_expiry_date"] == "2026-02-09 12:00:00"
    assert domain["hard_quarantine_expiry_date"] == "2026-03-11 12:00:00"

    sandbox.advance(advance_days=30)  # past soft quarantine
    assert sandbox.refused("POST", f"/domains/{domain_id}/restore", json={})["code"] == 376

    sandbox.advance(advance_days=30)  # past hard quarantine: gone
    assert sandbox.refused("GET", f"/domains/{domain_id}")["code"] == 320
    assert sandbox.ok("GET", "/domains")["total"] == 0


def test_restore_in_soft_quarantine_goes_through_rrq_and_renews(sandbox: Sandbox, handle: str) -> None:
    domain_id = sandbox.register("example.com", handle, autorenew="off")["id"]
    sandbox.advance(advance_days=370)

    assert sandbox.ok("POST", f"/domains/{domain_id}/restore", json={}) == {"status": "RRQ"}
    sandbox.advance(advance_seconds=3600)

    domain = sandbox.ok("GET", f"/domains/{domain_id}")
    assert domain["status"] == "ACT"
    assert domain["expiration_date"] == "2027-01-10 12:00:00"
    assert domain["soft_quarantine_expiry_date"] == ""


def test_restore_of_an_active_domain_is_not_allowed(sandbox: Sandbox, handle: str) -> None:
    domain_id = sandbox.register("example.com", handle)["id"]

    assert sandbox.refused("POST", f"/domains/{domain_id}/restore", json={})["code"] == 376


def test_openprovider_autorenews_at_the_renewal_date_when_autorenew_applies(sandbox: Sandbox,
                                                                           handle: str) -> None:
    sandbox.register("on.com", handle, autorenew="on")
    sandbox.register("default.com", handle, autorenew="default")  # account setting: on
    sandbox.register("off.com", handle, autorenew="off")

    sandbox.advance(advance_days=366)

    assert sandbox.domain("on.com")["expiration_date"] == "2027-01-10 12:00:00"
    assert sandbox.domain("default.com")["status"] == "ACT"
    assert sandbox.domain("off.com")["status"] == "DEL"
    domains = sandbox.admin("GET", "/counters")["domains"]
    assert domains["on.com"]["autorenew"] == 1
    assert "autorenew" not in domains.get("off.com", {})


def test_admin_autorenew_now_moves_dates_as_openprovider_would(sandbox: Sandbox, handle: str) -> None:
    sandbox.register("example.com", handle)

    renewed = sandbox.admin("POST", "/domains/example.com/autorenew")["domain"]

    assert renewed["expiration_date"] == "2027-01-10 12:00:00"
    assert renewed["renewal_date"] == "2027-01-10 12:00:00"


def test_update_sets_autorenew_flags_nameservers_and_handles(sandbox: Sandbox, handle: str) -> None:
    domain_id = sandbox.register("example.com", handle)["id"]
    other = sandbox.customer(email="other@example.com")
    servers = [{"name": "ns1.other.net", "ip": "192.0.2.1"}, {"name": "ns2.other.net"}]

    sandbox.ok("PUT", f"/domains/{domain_id}", json={
        "autorenew": "off", "is_locked": True, "is_private_whois_enabled": True,
        "name_servers": servers, "owner_handle": other})

    domain = sandbox.ok("GET", f"/domains/{domain_id}")
    assert (domain["autorenew"], domain["is_locked"], domain["is_private_whois_enabled"]) == ("off", True, True)
    assert [ns["name"] for ns in domain["name_servers"]] == ["ns1.other.net", "ns2.other.net"]
    assert domain["owner_handle"] == other
    assert domain["admin_handle"] == handle


def test_update_refuses_unknown_autorenew_value(sandbox: Sandbox, handle: str) -> None:
    domain_id = sandbox.register("example.com", handle)["id"]

    assert sandbox.refused("PUT", f"/domains/{domain_id}", json={"autorenew": "yes"})["code"] == 3


def test_delete_skips_soft_quarantine(sandbox: Sandbox, handle: str) -> None:
    domain_id = sandbox.register("example.com", handle)["id"]

    assert sandbox.ok("DELETE", f"/domains/{domain_id}") == {"status": "DEL"}

    domain = sandbox.ok("GET", f"/domains/{domain_id}")
    assert domain["soft_quarantine_expiry_date"] == ""
    assert domain["hard_quarantine_expiry_date"] == "2025-02-09 12:00:00"
    assert sandbox.refused("POST", f"/domains/{domain_id}/restore", json={})["code"] == 376
    assert sandbox.refused("DELETE", f"/domains/{domain_id}")["code"] == 366


def test_transfer_completes_after_the_registry_delay(sandbox: Sandbox, handle: str) -> None:
    sandbox.admin("POST", "/seed", json={"registry": [
        {"name": "moving.com", "auth_code": "s3cret", "expiration_date": "2025-06-01 10:00:00"}]})
    body = {"domain": {"name": "moving", "extension": "com"}, "auth_code": "s3cret",
            "owner_handle": handle, "admin_handle": handle, "tech_handle": handle,
            "name_servers": NAME_SERVERS}

    data = sandbox.ok("POST", "/domains/transfer", json=body)
    assert data["status"] == "REQ"

    sandbox.advance(advance_seconds=3600)
    domain = sandbox.ok("GET", f"/domains/{data['id']}")
    assert (domain["status"], domain["type"]) == ("ACT", "TRANSFER")
    assert domain["expiration_date"] == "2026-06-01 10:00:00"  # a transfer adds a year


def test_a_transfer_the_losing_side_refuses_ends_in_fai(sandbox: Sandbox, handle: str) -> None:
    sandbox.admin("POST", "/seed", json={"registry": [
        {"name": "stuck.com", "auth_code": "abc", "transfer_will_fail": True}]})
    body = {"domain": {"name": "stuck", "extension": "com"}, "auth_code": "abc",
            "owner_handle": handle, "admin_handle": handle, "tech_handle": handle,
            "name_servers": NAME_SERVERS}
    domain_id = sandbox.ok("POST", "/domains/transfer", json=body)["id"]

    sandbox.advance(advance_seconds=3600)

    assert sandbox.ok("GET", f"/domains/{domain_id}")["status"] == "FAI"
    assert sandbox.ok("POST", "/domains/transfer", json=body)["status"] == "REQ"  # may be retried


def test_auth_code_is_read_and_reset(sandbox: Sandbox, handle: str) -> None:
    domain_id = sandbox.register("example.com", handle)["id"]
    first = sandbox.ok("GET", f"/domains/{domain_id}/authcode")

    second = sandbox.ok("POST", f"/domains/{domain_id}/authcode/reset", json={"auth_code_type": "external"})

    assert first["auth_code"] and first["success"] is True
    assert second["auth_code"] != first["auth_code"]
    assert sandbox.ok("GET", f"/domains/{domain_id}/authcode")["auth_code"] == second["auth_code"]


def test_registries_that_mail_the_auth_code_return_none(sandbox: Sandbox, handle: str) -> None:
    domain_id = sandbox.register("example.be", handle)["id"]
    sandbox.advance(advance_seconds=300)

    assert sandbox.ok("GET", f"/domains/{domain_id}/authcode") == {
        "auth_code": "", "success": True, "type": "external"}


def test_tld_tells_which_handles_and_periods_it_supports(sandbox: Sandbox) -> None:
    tld = sandbox.ok("GET", "/tlds/co.uk", params={"with_price": "true"})

    assert (tld["admin_handle_supported"], tld["tech_handle_supported"]) == (False, False)
    assert (tld["min_period"], tld["max_period"]) == (1, 10)
    assert (tld["soft_quarantine_period"], tld["quarantine_period"]) == (30, 30)
    assert tld["prices"]["renew_price"]["reseller"]["currency"] == "EUR"
