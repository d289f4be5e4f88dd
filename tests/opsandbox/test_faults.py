"""Injected faults: what they answer, and that a seed makes them repeatable."""
from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
import requests

from opsandbox import Clock, create_app
from tests.support import serve_wsgi

from .conftest import Sandbox


def statuses_for_seed(seed: int) -> list[int]:
    app = create_app(clock=Clock(datetime(2025, 1, 1, tzinfo=UTC), ticking=False))
    with serve_wsgi(app) as url:
        sandbox = Sandbox(url, app)
        sandbox.login()
        sandbox.admin("PUT", "/faults", json={"seed": seed, "error_rate": 0.3, "rate_limit_rate": 0.2})
        return [sandbox.call("GET", "/domains", params={"limit": n % 7 + 1}).status_code
                for n in range(40)]


def test_the_same_seed_gives_the_same_faults_and_another_seed_others() -> None:
    first, again, other = statuses_for_seed(7), statuses_for_seed(7), statuses_for_seed(8)

    assert first == again
    assert first != other
    assert 5 < first.count(500) < 35  # about half of the calls fail


def test_a_bare_500_has_no_json_and_no_code(sandbox: Sandbox) -> None:
    sandbox.admin("PUT", "/faults", json={"error_rate": 1.0})

    answer = sandbox.call("GET", "/domains")

    assert answer.status_code == 500
    assert answer.headers["Content-Type"].startswith("text/html")
    assert sandbox.admin("GET", "/counters")["error_codes"] == {"error": 1}


def test_rate_limit_answers_code_50_with_retry_after(sandbox: Sandbox) -> None:
    sandbox.admin("PUT", "/faults", json={"rate_limit_rate": 1.0, "retry_after_seconds": 7})

    answer = sandbox.call("GET", "/domains")

    assert answer.status_code == 500
    assert answer.json() == {"code": 50, "desc": "Calls limit has been reached", "data": ""}
    assert answer.headers["Retry-After"] == "7"


def test_a_window_limiter_refuses_calls_beyond_its_budget(sandbox: Sandbox) -> None:
    sandbox.admin("PUT", "/faults", json={"calls_per_window": 3, "window_seconds": 60})

    statuses = [sandbox.call("GET", "/domains").status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 500, 500]


def test_maintenance_is_a_503_flagged_in_the_envelope(sandbox: Sandbox) -> None:
    sandbox.admin("PUT", "/faults", json={"maintenance": True})

    answer = sandbox.call("GET", "/domains")

    assert answer.status_code == 503
    assert answer.json()["maintenance"] is True
    assert "code" not in answer.json()


def test_latency_delays_every_call(sandbox: Sandbox) -> None:
    sandbox.admin("PUT", "/faults", json={"latency_ms": 300})

    started = time.monotonic()
    sandbox.ok("GET", "/domains")

    assert time.monotonic() - started >= 0.3


def renew_with_fault(sandbox: Sandbox, handle: str, **faults: object) -> tuple[int, Exception]:
    domain_id = sandbox.register("slow.com", handle)["id"]
    sandbox.admin("PUT", "/faults", json={"timeout_rate": 1.0, "operations": ["renew_domain"], **faults})
    with pytest.raises(requests.RequestException) as raised:
        sandbox.call("POST", f"/domains/{domain_id}/renew", json={"period": 1}, timeout=0.3)
    time.sleep(faults.get("timeout_seconds", 0) + 0.2)  # let the server finish the call
    return domain_id, raised.value


@pytest.mark.parametrize(("mode", "seconds", "client_error"), [
    ("sleep", 1.0, requests.Timeout), ("drop", 0.0, requests.ConnectionError)])
def test_a_timeout_can_happen_after_the_renewal_took_effect(sandbox: Sandbox, handle: str, mode: str,
                                                            seconds: float, client_error: type) -> None:
    domain_id, error = renew_with_fault(sandbox, handle, timeout_seconds=seconds, timeout_mode=mode)

    assert isinstance(error, client_error)
    assert sandbox.admin("GET", "/counters")["domains"]["slow.com"]["renew_domain"] == 1
    sandbox.admin("PUT", "/faults", json={})
    assert sandbox.ok("GET", f"/domains/{domain_id}")["expiration_date"] == "2027-01-10 12:00:00"


def test_a_dropped_connection_before_the_effect_changes_nothing(sandbox: Sandbox, handle: str) -> None:
    domain_id, error = renew_with_fault(sandbox, handle, timeout_seconds=0.0, timeout_mode="drop",
                                        timeout_effect=False)

    assert isinstance(error, requests.ConnectionError)
    sandbox.admin("PUT", "/faults", json={})
    assert sandbox.ok("GET", f"/domains/{domain_id}")["expiration_date"] == "2026-01-10 12:00:00"
    assert sandbox.admin("GET", "/counters")["failed"]["renew_domain"] == 1


def test_a_scripted_fault_hits_one_domain_a_set_number_of_times(sandbox: Sandbox, handle: str) -> None:
    target = sandbox.register("target.com", handle)["id"]
    bystander = sandbox.register("bystander.com", handle)["id"]
    sandbox.admin("PUT", "/faults", json={"script": [
        {"fault": "rate_limit", "operation": "renew_domain", "domain": "target.com", "times": 2}]})

    bystander_status = sandbox.call("POST", f"/domains/{bystander}/renew", json={}).status_code
    target_statuses = [sandbox.call("POST", f"/domains/{target}/renew", json={}).status_code
                       for _ in range(3)]

    assert bystander_status == 200
    assert target_statuses == [500, 500, 200]
    assert sandbox.admin("GET", "/faults")["script"] == []


def test_fault_settings_are_checked(sandbox: Sandbox) -> None:
    answer = sandbox.http.put(f"{sandbox.url}/_sandbox/faults", json={"error_rat": 0.5})

    assert answer.status_code == 400
    assert "error_rat" in answer.json()["error"]
