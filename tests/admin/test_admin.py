"""The admin API, dashboard and metrics, over real HTTP against the Openprovider sandbox."""
from __future__ import annotations

import re

import pytest
import requests

from listener import create_app
from core.settings import load_settings
import outbox.handlers  # noqa: F401 - the worker below runs a requested sync
from outbox.worker import Worker
from outbox.store import Outbox
from outbox.values import Failure, NewCommand, NewEvent
from tests.admin.conftest import TOKEN, api
from tests.support import serve_wsgi


def dead_and_pending(outbox: Outbox) -> tuple[int, int]:
    stored = outbox.enqueue(NewEvent("evt-admin-1", "domain.lock_changed", '{"x": 1}'),
                            [NewCommand("set_lock", "a.com", {"locked": True}), NewCommand("set_lock", "b.com", {})])
    first, second = stored.command_ids
    [claimed] = [c for c in outbox.claim("t", 2) if c.id == first]
    outbox.fail(claimed, Failure("Openprovider error 331: invalid owner handle", "331", transient=False))
    return first, second


def test_closed_without_tokens(database_url):  # noqa: ANN001
    app = create_app(load_settings(environ={}, database_url=database_url))
    with serve_wsgi(app) as url:
        answer = requests.get(f"{url}/api/v1/commands", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
        page = requests.get(f"{url}/admin/", timeout=10)
    assert answer.status_code == 403 and answer.json()["error"] == "admin_closed"
    assert page.status_code == 403


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer "])
def test_bad_or_missing_token_is_401(admin, header):  # noqa: ANN001
    headers = {"Authorization": header} if header else {}
    answer = requests.get(f"{admin.base}/api/v1/commands", headers=headers, timeout=10)
    assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
    assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_list_and_show_commands(admin):  # noqa: ANN001
    dead, pending = dead_and_pending(admin.outbox)
    listed = api(admin, "GET", "/commands", params={"status": "dead"}).json()["commands"]
    assert [c["id"] for c in listed] == [dead]
    assert listed[0]["last_error_code"] == "331"
    by_domain = api(admin, "GET", "/commands", params={"domain": "B.COM"}).json()["commands"]
    assert [c["id"] for c in by_domain] == [pending]
    shown = api(admin, "GET", f"/commands/{dead}").json()
    assert shown["status"] == "dead" and [a["outcome"] for a in shown["history"]] == ["dead"]
    assert api(admin, "GET", "/commands/999999").status_code == 404
    bad = api(admin, "GET", "/commands", params={"status": "lost"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_parameter"


def test_replay_one_and_by_filter(admin):  # noqa: ANN001
    dead, pending = dead_and_pending(admin.outbox)
    refused = api(admin, "POST", f"/commands/{pending}/replay")
    assert refused.status_code == 409 and refused.json()["error"] == "not_replayable"
    assert api(admin, "POST", f"/commands/{dead}/replay").json() == {"replayed": [dead]}
    assert admin.outbox.get_command(dead)["status"] == "pending"
    assert api(admin, "POST", "/commands/replay", json={"status": "dead"}).json()["count"] == 0
    unknown = api(admin, "POST", "/commands/replay", json={"stauts": "dead"})
    assert unknown.status_code == 422 and unknown.json()["details"] == {"fields": ["stauts"]}
    since = api(admin, "POST", "/commands/replay", json={"since": "yesterday"})
    assert since.status_code == 422 and "since" in since.json()["message"]
    assert api(admin, "POST", "/commands/replay", data="[").status_code == 400


def test_discard_one_and_by_filter(admin):  # noqa: ANN001
    dead, pending = dead_and_pending(admin.outbox)
    refused = api(admin, "POST", f"/commands/{pending}/discard", json={"reason": "no"})
    assert refused.status_code == 409 and refused.json()["error"] == "not_discardable"
    assert api(admin, "POST", "/commands/424242/discard", json={"reason": "no"}).status_code == 404
    no_reason = api(admin, "POST", f"/commands/{dead}/discard", json={"reason": ""})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["message"]
    assert admin.outbox.get_command(dead)["status"] == "dead"  # a refusal changes nothing
    assert api(admin, "POST", f"/commands/{dead}/discard", json={"reason": "Cancelled."}).json() == {"discarded": [dead]}
    shown = api(admin, "GET", f"/commands/{dead}").json()
    assert shown["status"] == "discarded" and shown["history"][-1]["note"] == "Cancelled."
    assert api(admin, "POST", "/commands/discard", json={"reason": "again"}).json()["count"] == 0
    unknown = api(admin, "POST", "/commands/discard", json={"reason": "x", "status": "done"})
    assert unknown.status_code == 422 and unknown.json()["details"] == {"fields": ["status"]}


def test_event_lookup(admin):  # noqa: ANN001
    dead_and_pending(admin.outbox)
    event = api(admin, "GET", "/events/evt-admin-1").json()
    assert event["type"] == "domain.lock_changed" and len(event["commands"]) == 2
    assert api(admin, "GET", "/events/nope").status_code == 404


def test_domain_state(admin):  # noqa: ANN001
    dead_and_pending(admin.outbox)
    known = api(admin, "GET", "/domains/a.com").json()
    assert known["domain"] == "a.com" and [c["type"] for c in known["recent_commands"]] == ["set_lock"]
    assert api(admin, "GET", "/domains/never-seen.com").status_code == 404
    assert api(admin, "GET", "/domains/not a domain").status_code == 400


def test_synchronous_openprovider_lookups(admin):  # noqa: ANN001
    results = api(admin, "GET", "/availability", params=[("domain", "kept.com"), ("domain", "brand-new-name.com")])
    assert {r["domain"]: r["available"] for r in results.json()["results"]} == {
        "kept.com": False, "brand-new-name.com": True,
    }
    assert api(admin, "GET", "/availability").status_code == 400
    code = api(admin, "GET", "/domains/kept.com/authcode").json()
    assert code["auth_code"] == "Secret-Code-1"
    missing = api(admin, "GET", "/domains/absent-here.com/authcode")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    templates = api(admin, "GET", "/dns-templates").json()["templates"]
    assert templates and all({"id", "name"} <= set(t) for t in templates)


def test_metrics_reflect_the_queue(admin):  # noqa: ANN001
    dead_and_pending(admin.outbox)
    text = requests.get(f"{admin.base}/metrics", timeout=10).text
    assert 'opbridge_commands{status="dead",type="set_lock"} 1.0' in text
    assert 'opbridge_commands{status="running",type="set_lock"} 1.0' in text
    assert "opbridge_pending_lag_seconds" in text


def test_dashboard_sign_in_and_replay(admin):  # noqa: ANN001
    dead, _ = dead_and_pending(admin.outbox)
    browser = requests.Session()
    login = browser.get(f"{admin.base}/admin/", timeout=10)
    assert login.status_code == 200 and 'name="token"' in login.text
    form = re.search(r'name="csrf" value="([^"]+)"', login.text).group(1)
    forged_login = browser.post(f"{admin.base}/admin/login", data={"token": TOKEN}, timeout=10)
    assert forged_login.status_code == 400 and 'name="token"' not in forged_login.text
    wrong = browser.post(f"{admin.base}/admin/login", data={"token": "nope", "csrf": form}, timeout=10)
    assert wrong.status_code == 401
    overview = browser.post(f"{admin.base}/admin/login", data={"token": TOKEN, "csrf": form}, timeout=10)
    assert overview.status_code == 200
    assert '<b id="count-dead">1</b>' in overview.text and "invalid owner handle" in overview.text
    forged = browser.post(f"{admin.base}/admin/commands/{dead}/replay", data={"csrf": "forged"}, timeout=10)
    assert forged.status_code == 400 and admin.outbox.get_command(dead)["status"] == "dead"
    csrf = re.search(r'name="csrf" value="([^"]+)"', overview.text).group(1)
    replayed = browser.post(f"{admin.base}/admin/commands/{dead}/replay", data={"csrf": csrf}, timeout=10)
    assert replayed.status_code == 200 and '<b id="count-dead">0</b>' in replayed.text
    assert admin.outbox.get_command(dead)["status"] == "pending"
    detail = browser.get(f"{admin.base}/admin/commands/{dead}", timeout=10)
    assert "set_lock" in detail.text and "331" in detail.text


def test_sync_runs_are_requested_through_the_outbox(admin):  # noqa: ANN001
    assert api(admin, "GET", "/sync/runs").json() == {"runs": []}
    assert api(admin, "POST", "/sync/runs", json={"dry_run": "yes"}).status_code == 422
    queued = api(admin, "POST", "/sync/runs")
    assert queued.status_code == 202
    command_id = queued.json()["command"]
    assert admin.outbox.get_command(command_id)["type"] == "run_sync"
    Worker(admin.outbox, threads=2, poll_seconds=0.05, services=admin.clients).run_until_idle()
    assert admin.outbox.get_command(command_id)["status"] == "done"
    [run] = api(admin, "GET", "/sync/runs").json()["runs"]
    assert run["trigger"] == "api" and run["domains_checked"] == 1
    detail = api(admin, "GET", f"/sync/runs/{run['id']}").json()
    assert detail["id"] == run["id"] and isinstance(detail["changes"], list)
    assert api(admin, "GET", "/sync/runs/4242").status_code == 404
