"""The dashboard's pages over real HTTP: filters, keyset pages, search, replays, refusals.

The store's SQL behind them is tested on every backend in test_reads; these pages run on
SQLite.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests
from sqlalchemy import insert

from listener import create_app
from core.settings import load_settings
from outbox.circuits import record_opening
from outbox.models import MirroredDomain
from outbox.store import Outbox
from outbox.values import Failure, NewCommand, utcnow
from outbox.sync.records import ChangeRow, finish_run, save_changes, start_run
from tests.support import serve_wsgi

TOKEN = "dashboard-token-0123456789"
HOSTILE = '<script>document.title="owned"</script>'


class Dashboard(requests.Session):
    """A signed-in browser session: cookies, and the CSRF token of the last page."""

    def __init__(self, base: str, outbox: Outbox) -> None:
        super().__init__()
        self.base, self.outbox, self.csrf = base, outbox, ""

    def page(self, path: str, **kwargs) -> requests.Response:  # noqa: ANN003
        response = self.get(f"{self.base}{path}", timeout=10, **kwargs)
        self._remember(response)
        return response

    def submit(self, path: str, data: dict, **kwargs) -> requests.Response:  # noqa: ANN003
        response = self.post(f"{self.base}{path}", data={"csrf": self.csrf, **data}, timeout=10, **kwargs)
        self._remember(response)
        return response

    def _remember(self, response: requests.Response) -> None:
        found = re.search(r'name="csrf" value="([^"]+)"', response.text)
        if found:
            self.csrf = found.group(1)


@pytest.fixture
def dashboard(fresh_database):  # noqa: ANN001, ANN201
    settings = load_settings(environ={}, database_url=fresh_database("sqlite"), admin_tokens=TOKEN,
                             circuit_pause_seconds=300)
    app = create_app(settings)
    with serve_wsgi(app) as url:
        session = Dashboard(url, app.extensions["opbridge"].outbox)
        session.page("/admin/")
        assert session.submit("/admin/login", {"token": TOKEN}).status_code == 200
        yield session
        session.close()


def make_dead(outbox: Outbox, domain: str, kind: str = "set_lock", payload: dict | None = None,
              error: str = "Openprovider error 331: invalid owner handle") -> int:
    [command_id] = outbox.enqueue(None, [NewCommand(kind, domain, payload or {})]).command_ids
    [claimed] = outbox.claim("test-worker", 1)
    assert claimed.id == command_id
    outbox.fail(claimed, Failure(error, "331", transient=False),
                calls=[{"method": "PUT", "path": "/v1beta/domains/1", "status": 500, "duration": 0.012,
                        "request": {"name": HOSTILE}, "response": {"code": 331}}])
    return command_id


def test_cookie_is_http_only_and_strict(fresh_database):  # noqa: ANN001
    settings = load_settings(environ={}, database_url=fresh_database("sqlite"), admin_tokens=TOKEN)
    app = create_app(settings)
    with serve_wsgi(app) as url:
        plain = requests.get(f"{url}/admin/", timeout=10).headers["Set-Cookie"]
    # Over HTTPS (as gunicorn or ProxyFix report a forwarded request) the cookie is Secure too.
    secure = app.test_client().get("/admin/", base_url="https://dashboard.example").headers["Set-Cookie"]
    assert "HttpOnly" in plain and "SameSite=Strict" in plain and "Secure" not in plain
    assert "HttpOnly" in secure and "SameSite=Strict" in secure and "Secure" in secure


def test_sign_in_leads_back_to_the_page_asked_for(dashboard):  # noqa: ANN001
    stranger = Dashboard(dashboard.base, dashboard.outbox)
    login = stranger.page("/admin/commands?status=dead")
    assert login.url.endswith("/admin/?next=/admin/commands?status%3Ddead") and 'name="token"' in login.text
    carried = re.search(r'name="next" value="([^"]+)"', login.text).group(1)
    assert carried == "/admin/commands?status=dead"
    assert stranger.submit("/admin/login", {"token": TOKEN, "next": carried}).url.endswith(carried)
    elsewhere = Dashboard(dashboard.base, dashboard.outbox)
    elsewhere.page("/admin/")
    assert elsewhere.submit("/admin/login", {"token": TOKEN, "next": "https://evil.example/"}).url.endswith("/admin/")
    stranger.close()
    elsewhere.close()


def test_bad_ids_and_filters_get_a_4xx_page(dashboard):  # noqa: ANN001
    cases = {
        "/admin/commands/99999999999999999999": 404,
        "/admin/commands/9223372036854775807": 404,
        "/admin/commands/0": 404,
        "/admin/commands/abc": 404,
        "/admin/commands/99999999999999999999/replay": 404,
        "/admin/sync/99999999999999999999": 404,
        "/admin/commands?before=99999999999999999999": 400,
        "/admin/commands?before=-1": 400,
        "/admin/commands?before=%C2%B2": 400,
        "/admin/commands?status=lost": 400,
        "/admin/commands?type=DROP%20TABLE": 400,
        "/admin/commands?from=yesterday": 400,
        "/admin/commands?from=2026-12-02T10:00&to=2026-12-01T10:00": 400,
        "/admin/commands?domain=not%20a%20domain": 400,
        "/admin/commands/replay?status=pending": 400,
        "/admin/commands/replay": 400,
        "/admin/domains?q=": 400,
        "/admin/domains?q=-bad-.com": 400,
        "/admin/domains/com": 400,
        "/admin/domains/never-seen.example": 404,
        "/admin/no/such/page": 404,
    }
    answers = {path: dashboard.page(path).status_code for path in cases}
    assert answers == cases
    assert "There is no such page" in dashboard.page("/admin/commands/abc").text
    refused = dashboard.page("/admin/commands?status=lost")
    assert "The status must be one of pending, running, done, dead, discarded." in refused.text
    forged = dashboard.post(f"{dashboard.base}/admin/commands/replay",
                            data={"status": "dead", "through": "99999999999999999999", "csrf": dashboard.csrf}, timeout=10)
    assert forged.status_code == 400


def test_list_filters_and_keyset_pages(dashboard):  # noqa: ANN001
    outbox = dashboard.outbox
    ids = outbox.enqueue(None, [NewCommand("set_lock" if i % 2 else "set_autorenew", f"d{i % 7}.example", {})
                                for i in range(120)]).command_ids
    first = dashboard.page("/admin/commands")
    shown = [int(i) for i in re.findall(r'<a href="/admin/commands/(\d+)">', first.text)]
    assert shown == ids[::-1][:50]
    older = re.search(r'href="(/admin/commands\?before=\d+)">Older', first.text).group(1)
    second = [int(i) for i in re.findall(r'<a href="/admin/commands/(\d+)">', dashboard.page(older).text)]
    assert second == ids[::-1][50:100]
    by_type = dashboard.page("/admin/commands", params={"type": "set_lock", "domain": "D1.Example"})
    listed = [int(i) for i in re.findall(r'<a href="/admin/commands/(\d+)">', by_type.text)]
    assert listed == [i for n, i in reversed(list(enumerate(ids))) if n % 2 and n % 7 == 1]
    future = (utcnow() + timedelta(hours=1)).isoformat(timespec="minutes")
    assert "No command matches." in dashboard.page("/admin/commands", params={"from": future}).text
    past = (utcnow() - timedelta(hours=1)).isoformat(timespec="minutes")
    recent = dashboard.page("/admin/commands", params={"from": past})
    assert len(re.findall(r'<a href="/admin/commands/(\d+)">', recent.text)) == 50


def test_find_a_domain_by_its_unicode_name(dashboard):  # noqa: ANN001
    outbox = dashboard.outbox
    dead = make_dead(outbox, "xn--bcher-kva.example")
    with outbox.engine.begin() as conn:
        conn.execute(insert(MirroredDomain.__table__).values(name="xn--bcher-kva.example", op_status="ACT", whmcs_status="Active",
                                                     op_autorenew="off", updated_at=utcnow()))
    found = dashboard.page("/admin/domains", params={"q": " Bücher.EXAMPLE "})
    assert found.url.endswith("/admin/domains/xn--bcher-kva.example") and found.status_code == 200
    assert "bücher.example" in found.text and 'id="mirror"' in found.text and "ACT" in found.text
    assert f'<a href="/admin/commands/{dead}">{dead}</a>' in found.text
    assert dashboard.page("/admin/domains/XN--BCHER-KVA.example").url == found.url


def test_replay_one_asks_first(dashboard):  # noqa: ANN001
    dead = make_dead(dashboard.outbox, "a.example", payload={"owner": {"first_name": HOSTILE}})
    elsewhere = make_dead(dashboard.outbox, "b.example")
    page = dashboard.page(f"/admin/commands/{dead}")
    # The payload and the call's body are JSON shown as text: no tag survives.
    assert HOSTILE not in page.text and page.text.count("&lt;script&gt;document.title=") == 2
    confirm = dashboard.page(f"/admin/commands/{dead}/replay")
    assert confirm.status_code == 200 and dashboard.outbox.get_command(dead)["status"] == "dead"
    assert f'action="/admin/commands/{dead}/replay"' in confirm.text
    done = dashboard.submit(f"/admin/commands/{dead}/replay", {"next": f"/admin/commands/{dead}"})
    assert done.url.endswith(f"/admin/commands/{dead}") and "is pending again" in done.text
    assert dashboard.outbox.get_command(dead)["status"] == "pending"
    again = dashboard.page(f"/admin/commands/{dead}/replay")
    assert again.status_code == 409 and "only dead or done" in again.text
    outside = dashboard.submit(f"/admin/commands/{elsewhere}/replay", {"next": "//evil.example/"}, allow_redirects=False)
    assert outside.headers["Location"] == "/admin/"


def test_replay_all_shown_takes_only_what_was_confirmed(dashboard):  # noqa: ANN001
    outbox = dashboard.outbox
    chosen = [make_dead(outbox, f"r{i}.example", "renew_domain") for i in range(3)]
    other_type = make_dead(outbox, "s.example", "set_lock")
    listing = dashboard.page("/admin/commands", params={"status": "dead", "type": "renew_domain"})
    link = re.search(r'id="replay-shown" href="([^"]+)"', listing.text).group(1)
    confirm = dashboard.page(link.replace("&amp;", "&"))
    assert "Replay 3 dead commands?" in confirm.text
    late = make_dead(outbox, "t.example", "renew_domain")  # fails after the operator looked
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', confirm.text))
    assert fields["through"] == str(max(chosen))
    without_token = dashboard.post(f"{dashboard.base}/admin/commands/replay", data={**fields, "csrf": "x"}, timeout=10)
    assert without_token.status_code == 400 and outbox.get_command(chosen[0])["status"] == "dead"
    done = dashboard.submit("/admin/commands/replay", fields)
    assert "3 commands pending again." in done.text
    assert [outbox.get_command(i)["status"] for i in [*chosen, other_type, late]] == ["pending"] * 3 + ["dead", "dead"]


def test_overview_shows_activity_circuit_and_last_sync(dashboard):  # noqa: ANN001
    outbox = dashboard.outbox
    make_dead(outbox, "x.example", error=HOSTILE)
    outbox.enqueue(None, [NewCommand("set_lock", "y.example", {})])
    [claimed] = outbox.claim("test-worker", 1)
    outbox.release(claimed, 300, Failure("Openprovider refused the login.", "196"))
    engine = outbox.engine
    record_opening(engine, "openprovider", utcnow(), utcnow() + timedelta(seconds=300), "196",
                   "Openprovider refused the login.", None)
    run = start_run(engine, trigger="schedule", dry_run=False, period_key=None, now=utcnow())
    save_changes(engine, run, [ChangeRow("z.example", 3, "expiry_date", "2026-01-01", "2027-01-01", True, HOSTILE)])
    finish_run(engine, run, utcnow(), status="finished", domains_checked=1, changes=1)
    page = dashboard.page("/admin/")
    assert '<b id="count-dead">1</b>' in page.text and '<b id="count-pending">1</b>' in page.text
    assert re.search(r'<rect class="failed" [^>]*><title>\d\d:\d\d UTC: 1 failed</title>', page.text)
    assert "Openprovider calls are paused until" in page.text and "196" in page.text
    assert re.search(r"the login\.\s+Commands wait", page.text)  # one full stop between the reason and the next sentence
    by_type = re.search(r'<table id="by-type">.*?</table>', page.text, re.S).group(0)
    assert re.findall(r'<td class="num">(?:<a [^>]*>)?(\d+)', by_type) == ["1", "0", "1"]  # set_lock: pending, running, dead
    assert f'<a href="/admin/sync/{run}">Run {run}</a>' in page.text and "z.example" in page.text
    assert HOSTILE not in page.text
    report = dashboard.page(f"/admin/sync/{run}")
    assert "z.example" in report.text and "&lt;script&gt;" in report.text and HOSTILE not in report.text


def test_pending_registrant_verifications_are_on_the_overview_and_in_metrics(dashboard: Dashboard) -> None:
    engine = dashboard.outbox.engine
    assert "opbridge_registrant_verifications_pending 0.0" in dashboard.page("/metrics").text
    run = start_run(engine, trigger="schedule", dry_run=False, period_key=None, now=utcnow())
    save_changes(engine, run, [
        ChangeRow("late.example", None, "verification", "owner@late.example", "2026-12-20", False, HOSTILE),
        ChangeRow("later.example", None, "verification", "owner@later.example", "2027-01-03", False, "pending"),
    ])
    finish_run(engine, run, utcnow(), status="finished", domains_checked=2, changes=0)

    page = dashboard.page("/admin/").text
    table = page[page.index('<table id="verifications">'):]
    assert "late.example" in table and "owner@late.example" in table and "2026-12-20" in table
    assert HOSTILE not in page and "&lt;script&gt;" in table
    metrics = dashboard.page("/metrics").text
    assert "opbridge_registrant_verifications_pending 2.0" in metrics
    assert "opbridge_registrant_verification_next_suspension_timestamp 1.7977248e+09" in metrics  # 2026-12-20 UTC
