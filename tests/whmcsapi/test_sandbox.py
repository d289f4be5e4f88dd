"""The sandbox's own behaviour: wire quirks, faults, counters, seeding and thread safety."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from whmcsapi import WhmcsClient, WhmcsTransientError
from whmcssandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET, SandboxState, create_app, seed

CREDENTIALS = {"identifier": DEFAULT_IDENTIFIER, "secret": DEFAULT_SECRET}


def test_a_json_body_is_invisible_like_it_is_to_php(sandbox_url):
    body = {**CREDENTIALS, "action": "GetClientsDomains", "responsetype": "json"}

    as_json = requests.post(f"{sandbox_url}/includes/api.php", json=body, timeout=5)
    as_form = requests.post(f"{sandbox_url}/includes/api.php", data=body, timeout=5)

    assert as_json.status_code == 403
    assert as_json.json() == {"result": "error", "message": "Invalid or missing credentials"}
    assert as_form.status_code == 200 and as_form.json()["result"] == "success"


def test_without_responsetype_json_the_answer_is_not_json(sandbox_url):
    response = requests.post(f"{sandbox_url}/includes/api.php",
                             data={**CREDENTIALS, "action": "GetClientsDomains"}, timeout=5)
    assert response.headers["Content-Type"].startswith("text/xml")
    assert "<result>error</result>" in response.text


def test_same_fault_seed_fails_the_same_calls():
    def failures(seed_value: int) -> list[int]:
        app = create_app(SandboxState())
        app.test_client().put("/_sandbox/faults", json={"error_rate": 0.3, "seed": seed_value})
        calls = [
            app.test_client().post("/includes/api.php", data={**CREDENTIALS, "action": "GetClientsDomains",
                                                              "responsetype": "json"})
            for _ in range(40)
        ]
        return [index for index, response in enumerate(calls) if response.status_code == 500]

    first, again, other = failures(7), failures(7), failures(8)
    assert first == again and first != other
    assert 4 <= len(first) <= 20


def test_faults_are_validated(admin):
    assert admin.request("PUT", "/faults", json={"error_rate": 2}).status_code == 400
    assert admin.request("PUT", "/faults", json={"jitter": 1}).status_code == 400
    assert admin.get("/faults") == {"latency_ms": 0, "error_rate": 0.0, "seed": 0}


def test_latency_is_added_to_each_call(client, admin):
    admin.faults(latency_ms=150)
    started = time.monotonic()
    client.get_clients_domains()
    assert time.monotonic() - started >= 0.15


def test_counters_by_action_and_domain(client, admin, state):
    seed(state, {"domains": [{"domain": "one.nl"}, {"domain": "two.nl"}]})

    client.update_client_domain(1, do_not_renew=True)
    client.update_client_domain(1, do_not_renew=False)
    client.update_client_domain(2, id_protection=True)
    client.get_clients_domains(domain="TWO.nl")
    client.get_clients_domains()

    assert admin.get("/counters") == {
        "calls": {"UpdateClientDomain": 3, "GetClientsDomains": 2},
        "calls_by_domain": {"UpdateClientDomain": {"one.nl": 2, "two.nl": 1}, "GetClientsDomains": {"two.nl": 1}},
        "faults_injected": 0,
    }
    assert admin.request("DELETE", "/counters").json()["calls"] == {}


def test_seed_is_all_or_nothing(admin):
    bad = {"domains": [{"domain": "fine.nl"}, {"domain": "broken.nl", "status": "Inactive"}]}

    response = admin.request("POST", "/seed", json=bad)

    assert response.status_code == 400 and "Inactive" in response.json()["message"]
    assert admin.request("GET", "/domains/fine.nl").status_code == 404


def test_seed_refuses_unknown_fields_and_clients(admin):
    for spec in ({"domains": [{"domain": "x.nl", "expiry": "2026-01-01"}]},
                 {"domains": [{"domain": "x.nl", "userid": 5}]},
                 {"invoices": [{"items": [{"type": "Domain", "domain": "nowhere.nl"}]}]},
                 {"domains": [{"domain": "x.nl"}, {"domain": "X.nl"}]}):
        assert admin.request("POST", "/seed", json=spec).status_code == 400, spec
    assert admin.request("POST", "/seed", data="domains").status_code == 400


def test_bulk_seed_of_ten_thousand_domains(client, admin):
    started = time.monotonic()
    created = admin.seed({"bulk": {"count": 10_000}})
    elapsed = time.monotonic() - started

    assert len(created["domains"]) == 10_000 and elapsed < 20
    last = client.get_clients_domains(start=9_990, limit=25)
    assert (last.total, len(last.items), last.items[-1].domain) == (10_000, 10, "bulk-10000.com")
    dump = admin.get("/domains/bulk-00010.com")
    assert (dump["donotrenew"], dump["idprotection"], dump["registrar"]) == (True, False, "openprovider")


def test_domain_dump_unknown_is_404(admin):
    response = admin.request("GET", "/domains/nowhere.nl")
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_concurrent_writes_are_all_counted_and_applied(sandbox_url, admin, state):
    seed(state, {"bulk": {"count": 40}})

    def flip(domain_id: int) -> None:
        with WhmcsClient(sandbox_url, DEFAULT_IDENTIFIER, DEFAULT_SECRET, timeout=10) as whmcs:
            for value in (True, False, True):
                whmcs.update_client_domain(domain_id, id_protection=value)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(flip, range(1, 41)))

    assert admin.get("/counters")["calls"] == {"UpdateClientDomain": 120}
    assert all(domain.idprotection for domain in state.domains.values())
    assert all(len(domain.writes) == 3 for domain in state.domains.values())


def test_transient_faults_leave_state_untouched(client, admin, state):
    seed(state, {"domains": [{"domain": "calm.nl"}]})
    admin.faults(error_rate=1.0)

    with pytest.raises(WhmcsTransientError):
        client.update_client_domain(1, do_not_renew=True)

    assert admin.get("/domains/calm.nl")["donotrenew"] is False
