"""Registrant e-mail verifications, and DNSSEC keys set through the domain update."""
from __future__ import annotations

from tests.opsandbox.conftest import Sandbox

KEY = {"flags": 257, "alg": 13, "protocol": 3, "pub_key": "bWFkZSB1cCBrZXkgbWF0ZXJpYWw="}


def test_a_verification_is_listed_per_domain_started_restarted_and_suspends(sandbox: Sandbox, handle: str) -> None:
    sandbox.register("verify.com", handle)
    listed = "/customers/verifications/emails/domains"
    assert sandbox.ok("GET", listed) == {"results": [], "total": 0}

    assert sandbox.ok("POST", "/customers/verifications/emails/start",
                      json={"email": "Jane@example.com", "handle": handle})["id"] >= 1
    [entry] = sandbox.ok("GET", listed, params={"domain": "verify.com"})["results"]
    assert (entry["email"], entry["handle"], entry["status"], entry["is_suspended"]) == (
        "jane@example.com", handle, "in progress", False)
    assert entry["expiration_date"] == "2025-01-25 12:00:00"  # 15 days from the frozen clock
    assert sandbox.ok("POST", "/customers/verifications/emails/restart", json={"email": "jane@example.com"}) == {
        "success": True}

    sandbox.advance(advance_seconds=16 * 86400)
    assert sandbox.ok("GET", listed, params={"is_suspended": "true"})["total"] == 1
    assert sandbox.refused("POST", "/customers/verifications/emails/restart", json={"email": "x@example.org"})[
        "code"] == 3
    assert sandbox.refused("POST", "/customers/verifications/emails/start", json={"mail": "x@example.org"})["code"] == 3


def test_dnssec_keys_are_set_whole_within_the_tlds_limits(sandbox: Sandbox, handle: str) -> None:
    domain_id = sandbox.register("signed.co.uk", handle)["id"]
    tld = sandbox.ok("GET", "/tlds/co.uk")
    assert (tld["dnssec_allowed"], tld["dnssec_algorithms"], tld["dnssec_max_records_amount"]) == (True, [8, 13], 2)

    sandbox.ok("PUT", f"/domains/{domain_id}", json={"dnssec_keys": [KEY], "is_dnssec_enabled": True})
    domain = sandbox.ok("GET", f"/domains/{domain_id}")
    assert (domain["dnssec_keys"], domain["is_dnssec_enabled"], domain["dnssec"]) == ([KEY], True, "signedDelegation")

    for keys, problem in (([{**KEY, "alg": 5}], "algorithms [8, 13]"), ([KEY] * 3, "at most 2 keys"),
                          ([{**KEY, "pub_key": "!!"}], "base64"), ([KEY, KEY], "twice")):
        assert problem in sandbox.refused("PUT", f"/domains/{domain_id}", json={"dnssec_keys": keys})["data"]
    sandbox.ok("PUT", f"/domains/{domain_id}", json={"dnssec_keys": []})
    assert sandbox.ok("GET", f"/domains/{domain_id}")["is_dnssec_enabled"] is False
