"""A zone's records changed through PUT /dns/zones/{name}: add, remove, update, replace."""
from __future__ import annotations

import pytest

from tests.opsandbox.conftest import Sandbox

WWW = {"name": "www", "type": "A", "value": "192.0.2.1", "ttl": 3600}
MAIL = {"name": "", "type": "MX", "value": "mx.example.net", "prio": 10, "ttl": 3600}
SRV = {"name": "_sip._tcp", "type": "SRV", "value": "5 5060 sip.example.net", "prio": 20, "ttl": 900}


@pytest.fixture
def zone(sandbox: Sandbox) -> str:
    body = {"domain": {"name": "example", "extension": "com"}, "type": "master", "records": [WWW, MAIL, SRV]}
    sandbox.ok("POST", "/dns/zones", json=body)
    return "example.com"


def records(sandbox: Sandbox) -> list[tuple]:
    answer = sandbox.ok("GET", "/dns/zones/example.com/records")
    assert answer["total"] == len(answer["results"])
    return [(r["name"], r["type"], r["value"], r["prio"], r["ttl"]) for r in answer["results"]
            if r["type"] not in ("SOA", "NS")]


def test_add_remove_and_update_change_only_the_records_named(sandbox: Sandbox, zone: str) -> None:
    changes = {"add": [{"name": "blog", "type": "CNAME", "value": "example.com", "ttl": 900}],
               "remove": [{"name": "example.com", "type": "MX", "value": "mx.example.net", "prio": 10}],
               "update": [{"original_record": {"name": "www.example.com", "type": "A", "value": "192.0.2.1"},
                           "record": {"name": "www", "type": "A", "value": "192.0.2.2", "ttl": 86400}}]}

    assert sandbox.ok("PUT", f"/dns/zones/{zone}", json={"records": changes}) == {"success": True}

    assert records(sandbox) == [("www.example.com", "A", "192.0.2.2", 0, 86400),
                                ("_sip._tcp.example.com", "SRV", "5 5060 sip.example.net", 20, 900),
                                ("blog.example.com", "CNAME", "example.com", 0, 900)]


def test_a_refused_entry_changes_nothing(sandbox: Sandbox, zone: str) -> None:
    before = records(sandbox)
    missing = {"remove": [WWW, {"name": "ftp", "type": "A", "value": "192.0.2.9"}]}
    duplicate = {"add": [{**SRV, "ttl": 3600}]}
    soa = {"remove": [{"name": "", "type": "NS", "value": "ns1.openprovider.nl"}]}
    bad_address = {"add": [{"name": "v6", "type": "AAAA", "value": "192.0.2.1"}]}

    assert "no A record ftp" in sandbox.refused("PUT", f"/dns/zones/{zone}", json={"records": missing})["data"]
    assert sandbox.refused("PUT", f"/dns/zones/{zone}", json={"records": duplicate})["code"] == 817
    assert "cannot be changed" in sandbox.refused("PUT", f"/dns/zones/{zone}", json={"records": soa})["data"]
    assert sandbox.refused("PUT", f"/dns/zones/{zone}", json={"records": bad_address})["code"] == 3
    assert records(sandbox) == before


def test_replace_keeps_openproviders_own_records(sandbox: Sandbox, zone: str) -> None:
    sandbox.ok("PUT", f"/dns/zones/{zone}", json={"records": {"replace": [WWW]}})

    all_records = sandbox.ok("GET", f"/dns/zones/{zone}", params={"with_records": "true"})["records"]
    assert [r["type"] for r in all_records] == ["SOA", "NS", "NS", "NS", "A"]


def test_requests_outside_the_spec_and_unknown_zones_are_refused(sandbox: Sandbox, zone: str) -> None:
    assert sandbox.refused("PUT", f"/dns/zones/{zone}", json={"records": {"delete": [WWW]}})["code"] == 3
    assert sandbox.refused("PUT", f"/dns/zones/{zone}", json={"records": {"add": [{**WWW, "ttl": "1h"}]}})["code"] == 3
    assert sandbox.refused("PUT", "/dns/zones/nowhere.com", json={"records": {"add": [WWW]}})["code"] == 872
    assert sandbox.refused("GET", "/dns/zones/nowhere.com/records")["code"] == 872


def test_zones_are_listed_and_deleted(sandbox: Sandbox, zone: str) -> None:
    listed = sandbox.ok("GET", "/dns/zones", params={"name_pattern": "exa*"})
    assert (listed["total"], listed["results"][0]["name"]) == (1, zone)

    assert sandbox.ok("DELETE", f"/dns/zones/{zone}") == {"success": True}
    assert sandbox.ok("GET", "/dns/zones")["total"] == 0
