"""WHMCS's DNS Management page through the registrar module: GetDNS read live through
opbridge, SaveDNS carried out by the worker as only the rows that changed, against the
real listener under gunicorn and the Openprovider sandbox.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from opclient import DnsRecord, OpenproviderClient
from tests.dispatch.harness import make_worker, test_settings
from tests.registrar.conftest import PHP, Opbridge, Whmcs

pytestmark = pytest.mark.skipif(PHP is None, reason="php-cli is not installed (apt-get install php-cli php-curl php-sqlite3)")

DOMAIN = "zoned.nl"
# Every kind of record a real zone holds, most of which WHMCS's page cannot show.
ZONE = [
    DnsRecord("", "A", "192.0.2.10", ttl=3600, prio=0),
    DnsRecord("www", "A", "192.0.2.11", ttl=900, prio=0),
    DnsRecord("", "AAAA", "2001:db8::10", ttl=3600, prio=0),
    DnsRecord("", "MX", "mx1.example.net", ttl=3600, prio=10),
    DnsRecord("", "MX", "mx2.example.net", ttl=3600, prio=20),
    DnsRecord("", "TXT", "v=spf1 include:example.net -all", ttl=3600, prio=0),
    DnsRecord("blog", "CNAME", "www.zoned.nl", ttl=86400, prio=0),
    DnsRecord("_sip._tcp", "SRV", "5 5060 sip.example.net", ttl=3600, prio=10),
    DnsRecord("", "CAA", '0 issue "letsencrypt.org"', ttl=3600, prio=0),
    DnsRecord("_443._tcp.www", "TLSA", "3 1 1 0123456789abcdef", ttl=3600, prio=0),
    DnsRecord("lab", "NS", "ns1.lab.example.net", ttl=86400, prio=0),
]


def params(**extra: Any) -> dict[str, Any]:
    return {"domainid": 41, "domainname": DOMAIN, "sld": "zoned", "tld": "nl", "registrar": "opbridge", **extra}


@pytest.fixture
def openprovider(opbridge: Opbridge) -> Iterator[OpenproviderClient]:
    """A client of the sandbox, to set zones up and read what they hold."""
    opbridge.sandbox.seed(domains=[{"name": DOMAIN}])
    with OpenproviderClient(opbridge.sandbox.url, "sandbox", "sandbox") as client:
        yield client


def zone(openprovider: OpenproviderClient, name: str = DOMAIN) -> list[DnsRecord]:
    found = openprovider.dns.zone(name)
    assert found is not None
    return list(found.records)


def saved(rows: list[dict[str, str]], **changes: dict[str, str]) -> list[dict[str, str]]:
    """The rows WHMCS posts back: those it showed (some edited by ``hostname/type``) and the empty new row."""
    posted = [{**row, **changes.get(f"{row['hostname']}/{row['type']}", {})} for row in rows]
    return posted + [{"hostname": "", "type": "A", "address": "", "priority": "", "recid": ""}]


@pytest.fixture
def zoned(openprovider: OpenproviderClient) -> list[DnsRecord]:
    openprovider.dns.create_zone(DOMAIN, records=ZONE)
    return zone(openprovider)


def test_a_zone_read_and_saved_with_one_change_keeps_every_other_record(
        opbridge: Opbridge, whmcs: Whmcs, openprovider: OpenproviderClient, zoned: list[DnsRecord]) -> None:
    rows = whmcs.call("GetDNS", params())["result"]
    assert {row["type"] for row in rows} == {"A", "AAAA", "MX", "CNAME", "TXT"}
    assert all(set(row) == {"hostname", "type", "address", "priority", "recid"} for row in rows)
    assert [(r["hostname"], r["address"], r["priority"]) for r in rows if r["type"] == "MX"] == [
        ("@", "mx1.example.net", "10"), ("@", "mx2.example.net", "20")]

    opbridge.sandbox.reset_counters()
    answer = whmcs.call("SaveDNS", params(dnsrecords=saved(rows, **{"www/A": {"address": "192.0.2.99"}})))
    assert answer["result"] == {"success": "success"}
    assert opbridge.drain() == {"done": 1}
    # One read, one write.
    calls = {name: count for name, count in opbridge.sandbox.counters()["calls"].items() if name != "login"}
    assert calls == {"get_zone": 1, "update_zone": 1}

    after = zone(openprovider)
    changed = DnsRecord("www", "A", "192.0.2.99", ttl=900, prio=0)  # its own TTL kept
    assert after == [changed if record.name == "www" and record.type == "A" else record for record in zoned]

    # Saved again unchanged (a redelivery, or the page saved as it is): nothing is written.
    rows = whmcs.call("GetDNS", params())["result"]
    assert whmcs.call("SaveDNS", params(dnsrecords=saved(rows)))["result"] == {"success": "success"}
    assert opbridge.drain() == {"done": 1}
    assert zone(openprovider) == after


def test_added_removed_and_renamed_rows_with_apex_relative_and_idn_names(
        opbridge: Opbridge, whmcs: Whmcs, openprovider: OpenproviderClient, zoned: list[DnsRecord]) -> None:
    rows = whmcs.call("GetDNS", params())["result"]
    posted = saved(rows, **{"@/AAAA": {"address": ""}, "@/MX": {"priority": "5"}, "blog/CNAME": {"hostname": "news"}})
    posted += [{"hostname": "shop.zoned.nl.", "type": "A", "address": "192.0.2.20", "priority": "N/A", "recid": ""},
               {"hostname": "bücher", "type": "AAAA", "address": "2001:DB8::20", "priority": "", "recid": ""},
               {"hostname": "@", "type": "MX", "address": "mx3.example.net.", "priority": "", "recid": ""}]
    assert whmcs.call("SaveDNS", params(dnsrecords=posted))["result"] == {"success": "success"}
    assert opbridge.drain() == {"done": 1}

    after = {(r.name, r.type, r.value, r.prio) for r in zone(openprovider) if r.type not in ("SOA",)}
    assert ("", "AAAA", "2001:db8::10", 0) not in after
    # Both apex MX rows carried the priority edit (WHMCS posts per row; the edit named both here).
    assert {("", "MX", "mx1.example.net", 5), ("", "MX", "mx2.example.net", 5), ("", "MX", "mx3.example.net", 10)} <= after
    assert ("news", "CNAME", "www.zoned.nl", 0) in after and ("blog", "CNAME", "www.zoned.nl", 0) not in after
    assert {("shop", "A", "192.0.2.20", 0), ("xn--bcher-kva", "AAAA", "2001:db8::20", 0)} <= after
    hidden = {(r.name, r.type) for r in zoned if r.type in ("SRV", "CAA", "TLSA", "NS", "SOA")}
    assert hidden <= {(r.name, r.type) for r in zone(openprovider)}


def test_two_saves_from_the_same_read_the_second_is_refused_with_a_sentence(
        opbridge: Opbridge, whmcs: Whmcs, openprovider: OpenproviderClient, zoned: list[DnsRecord]) -> None:
    rows = whmcs.call("GetDNS", params())["result"]  # two browser tabs showing the same page
    first = whmcs.call("SaveDNS", params(dnsrecords=saved(rows, **{"www/A": {"address": "192.0.2.50"}})))
    again = whmcs.call("SaveDNS", params(dnsrecords=saved(rows, **{"www/A": {"address": "192.0.2.50"}})))
    second = whmcs.call("SaveDNS", params(dnsrecords=saved(rows, **{"www/A": {"address": "192.0.2.60"}})))
    assert first["result"] == again["result"] == {"success": "success"}  # the same change twice is no conflict
    assert second["result"]["error"].startswith(
        "opbridge refused the request: The A record www 192.0.2.11 of zoned.nl was changed by another save made "
        "from the same page")
    assert "reload the DNS page and save again" in second["result"]["error"]
    assert opbridge.drain() == {"done": 2}

    # After the first save ran, the other tab saves an edit of another record: that one is fine.
    later = whmcs.call("SaveDNS", params(dnsrecords=saved(rows, **{"blog/CNAME": {"address": "www.example.net"}})))
    assert later["result"] == {"success": "success"}
    assert opbridge.drain() == {"done": 3}
    held = {(r.name, r.type): r.value for r in zone(openprovider)}
    assert (held[("www", "A")], held[("blog", "CNAME")]) == ("192.0.2.50", "www.example.net")


def test_a_record_changed_in_the_control_panel_since_the_read_refuses_the_save(
        opbridge: Opbridge, whmcs: Whmcs, openprovider: OpenproviderClient, zoned: list[DnsRecord]) -> None:
    rows = whmcs.call("GetDNS", params())["result"]
    www = next(r for r in zoned if r.name == "www")
    openprovider.dns.update_zone(DOMAIN, update=[(www, DnsRecord("www", "A", "192.0.2.70", ttl=900))])

    saving = saved(rows, **{"www/A": {"address": "192.0.2.60"}, "blog/CNAME": {"address": "www.example.net"}})
    assert whmcs.call("SaveDNS", params(dnsrecords=saving))["result"] == {"success": "success"}
    assert opbridge.drain() == {"dead": 1}
    [(error,)] = opbridge.query("SELECT last_error FROM commands WHERE status = 'dead'")
    assert "A www 192.0.2.11 record of zoned.nl is no longer what WHMCS read" in error
    assert "reload the DNS page" in error
    held = {(r.name, r.type): r.value for r in zone(openprovider)}
    assert (held[("www", "A")], held[("blog", "CNAME")]) == ("192.0.2.70", "www.zoned.nl")  # none of it written
    status = whmcs.call("OpbridgeStatus", params())["result"]["message"]
    assert "save_dns: dead (The A www 192.0.2.11 record" in status


def test_a_save_while_openprovider_is_away_is_carried_out_when_it_returns(
        opbridge: Opbridge, whmcs: Whmcs, openprovider: OpenproviderClient, zoned: list[DnsRecord]) -> None:
    rows = whmcs.call("GetDNS", params())["result"]
    opbridge.sandbox.set_faults(maintenance=True)
    away = whmcs.call("GetDNS", params())
    assert "Openprovider did not answer" in away["result"]["error"]

    assert whmcs.call("SaveDNS", params(dnsrecords=saved(rows, **{"www/A": {"address": "192.0.2.77"}})))[
        "result"] == {"success": "success"}
    worker = make_worker(opbridge.engine, test_settings(opbridge.database_url, opbridge.sandbox.url,
                                                        circuit_pause_seconds=1), schedule=(0.5,) * 5)
    worker.run_until_idle()
    assert opbridge.query("SELECT status, attempts FROM commands") == [("pending", 1)]

    opbridge.sandbox.set_faults()
    assert worker.run_until_settled(30)["done"] == 1
    assert [r.value for r in zone(openprovider) if r.name == "www"] == ["192.0.2.77"]


def test_a_domain_without_a_zone_gets_one_from_the_template(
        opbridge: Opbridge, whmcs: Whmcs, openprovider: OpenproviderClient) -> None:
    assert whmcs.call("GetDNS", params())["result"] == []
    new = [{"hostname": "www", "type": "A", "address": "192.0.2.30", "priority": "", "recid": ""}]
    assert whmcs.call("SaveDNS", params(dnsrecords=new))["result"] == {"success": "success"}
    assert opbridge.drain() == {"done": 1}

    records = {(r.name, r.type, r.value) for r in zone(openprovider)}
    assert ("www", "A", "192.0.2.30") in records
    assert ("", "MX", "mx.sandbox.example") in records  # from the "default" template opbridge is set to


REFUSED_ROWS = [
    ({"hostname": "mail", "type": "MXE", "address": "192.0.2.5"}, "MXE (mail easy) record has no Openprovider"),
    ({"hostname": "go", "type": "URL", "address": "https://example.net"}, "no URL redirect records"),
    ({"hostname": "www", "type": "A", "address": "not-an-address"}, "'not-an-address' is not an IPv4 address"),
    ({"hostname": "@", "type": "CNAME", "address": "example.net"}, "cannot be a CNAME"),
    ({"hostname": "x", "type": "A", "address": "192.0.2.1", "recid": "made-up"}, "not made by opbridge's GetDNS"),
]


def test_rows_openprovider_cannot_hold_are_refused_with_a_sentence(opbridge: Opbridge, whmcs: Whmcs) -> None:
    for row, why in REFUSED_ROWS:
        answer = whmcs.call("SaveDNS", params(dnsrecords=[{"priority": "", "recid": "", **row}]))
        assert why in answer["result"]["error"], (row, answer["result"])
    assert opbridge.query("SELECT count(*) FROM commands") == [(0,)]
