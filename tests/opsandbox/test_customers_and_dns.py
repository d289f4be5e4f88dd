"""Contact handles and DNS zones."""
from __future__ import annotations

import re

from .conftest import CONTACT, Sandbox


def test_handles_have_openproviders_form(sandbox: Sandbox) -> None:
    handle = sandbox.customer(address={**CONTACT["address"], "country": "BE"})

    assert re.fullmatch(r"JD\d{6}-BE", handle)


def test_customer_is_read_back_with_its_details(sandbox: Sandbox, handle: str) -> None:
    customer = sandbox.ok("GET", f"/customers/{handle}")

    assert customer["handle"] == handle
    assert customer["email"] == "jane@example.com"
    assert customer["deleted_at"] == "0000-00-00 00:00:00"


def test_customers_are_found_by_email_pattern(sandbox: Sandbox, handle: str) -> None:
    sandbox.customer(email="someone@else.org")

    found = sandbox.ok("GET", "/customers", params={"email_pattern": "jane@*"})

    assert found["total"] == 1
    assert found["results"][0]["handle"] == handle


def test_a_customer_needs_name_address_phone_and_email(sandbox: Sandbox) -> None:
    error = sandbox.refused("POST", "/customers", json={"email": "a@b.c"})

    assert error["code"] == 3
    assert "name" in error["data"]


def test_update_changes_contact_details(sandbox: Sandbox, handle: str) -> None:
    assert sandbox.ok("PUT", f"/customers/{handle}", json={"email": "new@example.com"}) == {"success": True}

    assert sandbox.ok("GET", f"/customers/{handle}")["email"] == "new@example.com"


def test_a_handle_in_use_cannot_be_deleted(sandbox: Sandbox, handle: str) -> None:
    sandbox.register("example.com", handle)

    assert sandbox.refused("DELETE", f"/customers/{handle}")["code"] == 187


def test_a_deleted_handle_is_gone(sandbox: Sandbox, handle: str) -> None:
    assert sandbox.ok("DELETE", f"/customers/{handle}") == {"success": True}

    assert sandbox.refused("GET", f"/customers/{handle}")["code"] == 176


def test_templates_are_listed_with_records_on_request(sandbox: Sandbox) -> None:
    bare = sandbox.ok("GET", "/dns/templates")
    full = sandbox.ok("GET", "/dns/templates", params={"with_records": "true", "name_pattern": "def*"})

    assert [t["name"] for t in bare["results"]] == ["default", "parking"]
    assert "records" not in bare["results"][0]
    assert full["total"] == 1 and full["results"][0]["records"]


def test_a_zone_made_from_a_template(sandbox: Sandbox) -> None:
    body = {"domain": {"name": "example", "extension": "com"}, "type": "master",
            "template_name": "default", "records": [{"name": "txt", "type": "TXT", "value": "v", "ttl": 60}]}

    assert sandbox.ok("POST", "/dns/zones", json=body) == {"success": True}

    zone = sandbox.ok("GET", "/dns/zones/example.com", params={"with_records": "true"})
    assert zone["name"] == "example.com"
    # Openprovider's SOA and three apex NS records, the template's three, the one sent.
    assert [r["type"] for r in zone["records"]] == ["SOA", "NS", "NS", "NS", "A", "CNAME", "MX", "TXT"]
    assert zone["records"][-1] == {"name": "txt.example.com", "type": "TXT", "value": "v", "prio": 0,
                                   "ttl": 86400}  # a TTL Openprovider does not offer
    assert sandbox.refused("POST", "/dns/zones", json=body)["code"] == 805


def test_a_missing_zone_is_872(sandbox: Sandbox) -> None:
    error = sandbox.refused("GET", "/dns/zones/nowhere.com")

    assert (error["code"], error["desc"]) == (872, "Zone specified is not found.")


def test_zone_create_types_is_spamexperts_enabled_as_a_string(sandbox: Sandbox) -> None:
    body = {"domain": {"name": "example", "extension": "com"}, "is_spamexperts_enabled": True}

    assert sandbox.refused("POST", "/dns/zones", json=body)["code"] == 3
