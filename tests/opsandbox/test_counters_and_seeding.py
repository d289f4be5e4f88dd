"""Counters tests assert on, bulk seeding, paging, and many threads at once."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from .conftest import Sandbox


def test_counters_count_calls_outcomes_and_work_per_domain(sandbox: Sandbox, handle: str) -> None:
    domain_id = sandbox.register("example.com", handle)["id"]
    sandbox.ok("POST", f"/domains/{domain_id}/renew", json={"period": 1})
    sandbox.ok("POST", f"/domains/{domain_id}/renew", json={"period": 1})
    sandbox.refused("POST", "/domains/1/renew", json={"period": 1})

    counters = sandbox.admin("GET", "/counters")

    assert counters["calls"]["login"] == 1
    assert counters["calls"]["renew_domain"] == 3
    assert counters["succeeded"]["renew_domain"] == 2
    assert counters["failed"]["renew_domain"] == 1
    assert counters["error_codes"] == {"320": 1}
    assert counters["domains"]["example.com"] == {"create_domain": 1, "renew_domain": 2}


def test_counters_reset(sandbox: Sandbox) -> None:
    sandbox.ok("GET", "/domains")

    sandbox.admin("DELETE", "/counters")

    assert sandbox.admin("GET", "/counters")["calls"] == {}


def test_domain_dump_shows_state_for_assertions(sandbox: Sandbox, handle: str) -> None:
    sandbox.register("example.eu", handle)

    dump = sandbox.admin("GET", "/domains/example.eu")

    assert dump["domain"]["status"] == "REQ"
    assert dump["pending"] == {"step": "activate", "at": "2025-01-10 12:05:00"}
    assert sandbox.http.get(f"{sandbox.url}/_sandbox/domains/nothing.com").status_code == 404


def test_seed_places_domains_in_any_status_with_given_dates(sandbox: Sandbox, handle: str) -> None:
    seeded = sandbox.admin("POST", "/seed", json={"domains": [
        {"name": "live.com", "expiration_date": "2025-03-01 00:00:00", "owner_handle": handle},
        {"name": "gone.nl", "status": "DEL", "expiration_date": "2025-01-05 09:00:00"},
        {"name": "pending.com", "status": "REQ"},
    ]})

    assert set(seeded["domains"]) == {"live.com", "gone.nl", "pending.com"}
    live = sandbox.ok("GET", f"/domains/{seeded['domains']['live.com']}")
    assert (live["expiration_date"], live["owner_handle"]) == ("2025-03-01 00:00:00", handle)
    gone = sandbox.domain("gone.nl")
    assert gone["soft_quarantine_expiry_date"] == "2025-01-15 09:00:00"  # .nl: 10 days soft
    assert sandbox.ok("POST", f"/domains/{gone['id']}/restore", json={}) == {"status": "RRQ"}
    sandbox.advance(advance_seconds=3600)
    assert sandbox.domain("pending.com")["status"] == "ACT"


def test_seed_refuses_unknown_keys(sandbox: Sandbox) -> None:
    answer = sandbox.http.post(f"{sandbox.url}/_sandbox/seed", json={"domains": [{"name": "a.com", "expiry": "x"}]})

    assert answer.status_code == 400
    assert "expiry" in answer.json()["error"]


def test_generated_domains_page_by_a_thousand(sandbox: Sandbox) -> None:
    generated = sandbox.admin("POST", "/seed", json={"generate": {
        "count": 2500, "name": "bulk{n}.com", "statuses": ["ACT", "ACT", "DEL"],
        "expiration_date": "2026-01-01 00:00:00", "expiration_step_seconds": 3600}})
    assert generated["generated"]["count"] == 2500

    first = sandbox.ok("GET", "/domains", params={"limit": 1000, "offset": 0})
    last = sandbox.ok("GET", "/domains", params={"limit": 1000, "offset": 2000})
    deleted = sandbox.ok("GET", "/domains", params={"status": "del", "limit": 1})
    newest = sandbox.ok("GET", "/domains", params={"order_by.expiration_date": "desc", "limit": 1})

    assert (first["total"], len(first["results"]), len(last["results"])) == (2500, 1000, 500)
    assert deleted["total"] == 833
    assert newest["results"][0]["domain"]["name"] == "bulk2500"
    assert sandbox.refused("GET", "/domains", params={"limit": 1001})["code"] == 3


def test_the_whmcs_lookup_finds_one_domain_by_name_and_extension(sandbox: Sandbox) -> None:
    sandbox.admin("POST", "/seed", json={"generate": {"count": 50, "name": "site{n}.com"}})

    found = sandbox.ok("GET", "/domains", params={
        "domain_name_pattern": "site7", "extension": "com", "with_verification_email": "true"})
    wildcard = sandbox.ok("GET", "/domains", params={"domain_name_pattern": "site4*"})

    assert [d["domain"]["name"] for d in found["results"]] == ["site7"]
    assert wildcard["total"] == 11  # site4 and site40..site49


def test_many_threads_renewing_at_once_lose_no_update(sandbox: Sandbox) -> None:
    seeded = sandbox.admin("POST", "/seed", json={"domains": [
        {"name": f"busy{n}.com", "expiration_date": "2026-01-01 00:00:00"} for n in range(4)]})
    ids = list(seeded["domains"].values())

    def renew(n: int) -> int:
        return sandbox.call("POST", f"/domains/{ids[n % 4]}/renew", json={"period": 1}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(renew, range(40)))

    assert statuses == [200] * 40
    assert {sandbox.domain(f"busy{n}.com")["expiration_date"] for n in range(4)} == {"2036-01-01 00:00:00"}
    assert sandbox.admin("GET", "/counters")["succeeded"]["renew_domain"] == 40
