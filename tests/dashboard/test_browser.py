"""The dashboard in a real headless Chromium, against the listener under gunicorn.

An order whose registration Openprovider (the sandbox) refuses until the command's tries
run out; an operator signs in, finds the dead command by the domain's Unicode name,
replays it, sees it pending, and done once a worker has drained. The contact's name
carries a ``<script>`` that must stay text. Screenshots of every step, at 1280 px and
at phone width, in light and dark, go to the test's tmp folder.

Debian's ``chromium`` (installed by .ci/run) is driven by Playwright with the system
browser as its executable: no browser is downloaded.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from opsandbox import create_app as create_sandbox
from outbox.db import make_engine
from tests.dispatch.harness import CONTACT, SECRET, make_worker, order, signed_post, test_settings
from tests.listener.processes import gunicorn
from tests.opsandbox.harness import SandboxAdmin
from tests.support import serve_wsgi

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "browser-test-admin-token-0123456789"
DOMAIN = "bücher-laden.com"
ACE = "xn--bcher-laden-thb.com"
INJECTED = "<script>window.__owned = 1</script>"
TRIES = 2  # OPBRIDGE_RETRY_SCHEDULE below has one retry

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason=f"{CHROMIUM} is absent: install Debian's chromium package (.ci/run does)")


@pytest.fixture
def sandbox_url():  # noqa: ANN201
    with serve_wsgi(create_sandbox()) as url:
        yield url


@pytest.fixture
def listener(tmp_path, fresh_database, sandbox_url):  # noqa: ANN001, ANN201
    database_url = fresh_database("sqlite")
    env = {
        "OPBRIDGE_DATABASE_URL": database_url, "OPBRIDGE_WEBHOOK_SECRETS": SECRET, "OPBRIDGE_ADMIN_TOKENS": TOKEN,
        "OPBRIDGE_OP_URL": sandbox_url, "OPBRIDGE_OP_USERNAME": "sandbox", "OPBRIDGE_OP_PASSWORD": "sandbox",
        "OPBRIDGE_RETRY_SCHEDULE": "1", "OPBRIDGE_LOG_FORMAT": "text",
    }
    args = ["-m", "gunicorn", "--bind", "127.0.0.1:{port}", "--workers", "1", "--no-control-socket", "wsgi:app"]
    with gunicorn(args, env, tmp_path / "gunicorn.log") as base_url:
        yield base_url, database_url


@pytest.fixture
def worker(listener, sandbox_url):  # noqa: ANN001, ANN201
    """A real worker on the listener's database, run in the test when it chooses."""
    database_url = listener[1]
    engine = make_engine(database_url)
    yield make_worker(engine, test_settings(database_url, sandbox_url), threads=2, schedule=(0.05,))
    engine.dispose()


@pytest.fixture
def chromium():  # noqa: ANN201
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_find_replay_and_watch_a_dead_command(tmp_path, listener, sandbox_url, worker, chromium):  # noqa: ANN001
    base_url, _ = listener
    shots = tmp_path / "screenshots"
    shots.mkdir()

    # Openprovider answers the registration with a bare 500 until the command's tries are spent.
    SandboxAdmin(sandbox_url).set_faults(script=[{"fault": "error", "operation": "create_domain", "times": TRIES}])
    registrant = {**CONTACT, "first_name": INJECTED}
    event = order(DOMAIN, registrant=registrant, idn_language="GER")
    accepted = signed_post(requests.Session(), base_url, "order.accepted", event)
    assert accepted.status_code == 202, accepted.text
    [command_id] = accepted.json()["commands"]
    assert worker.run_until_settled(30)["dead"] == 1
    # Behind a TLS proxy (gunicorn trusts X-Forwarded-Proto from loopback) the cookie is Secure.
    proxied = requests.get(f"{base_url}/admin/", headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert "; Secure" in proxied.headers["Set-Cookie"] and "SameSite=Strict" in proxied.headers["Set-Cookie"]

    page = chromium.new_page(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page.goto(f"{base_url}/admin/")
    _shoot(page, shots, "sign-in-1280-light")
    page.fill("input[name=token]", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_selector("#count-dead")
    assert page.inner_text("#count-dead") == "1"
    [cookie] = page.context.cookies()
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["secure"]) == (True, "Strict", False)
    _shoot(page, shots, "overview-1280-light")

    page.fill("input[name=q]", DOMAIN.upper().replace("Ü", "ü"))
    page.press("input[name=q]", "Enter")
    page.wait_for_url(f"**/admin/domains/{ACE}")
    assert page.inner_text("h1").startswith(DOMAIN)
    _shoot(page, shots, "domain-1280-light")

    page.click(f"a[href='/admin/commands/{command_id}']")
    page.wait_for_url(f"**/admin/commands/{command_id}")
    assert page.inner_text("#command-status") == "dead"
    assert INJECTED in page.inner_text("#payload")  # shown as text ...
    assert page.evaluate("window.__owned") is None  # ... and never run
    _shoot(page, shots, "command-dead-1280-light")

    page.click("#replay")
    page.wait_for_url(f"**/admin/commands/{command_id}/replay")
    _shoot(page, shots, "confirm-1280-light")
    page.click("#confirm")
    page.wait_for_url(f"**/admin/commands/{command_id}")
    assert page.inner_text("#command-status") == "pending"
    assert "is pending again" in page.inner_text("main")

    assert worker.run_until_settled(30)["done"] == 1
    page.reload()
    assert page.inner_text("#command-status") == "done"
    assert page.evaluate("window.__owned") is None
    _shoot(page, shots, "command-done-1280-light")
    page.click(f"a[href='/admin/domains/{ACE}']")
    page.wait_for_url(f"**/admin/domains/{ACE}")
    assert "ACT" in page.inner_text("#mirror")  # the registration recorded Openprovider's answer
    page.close()

    for scheme in ("light", "dark"):
        phone = chromium.new_page(viewport={"width": 390, "height": 844}, color_scheme=scheme, device_scale_factor=2)
        phone.set_extra_http_headers({"Authorization": f"Bearer {TOKEN}"})
        for name, path in (("overview", "/admin/"), ("command", f"/admin/commands/{command_id}"),
                           ("commands", "/admin/commands")):
            phone.goto(f"{base_url}{path}")
            # Nothing wider than the screen: tables scroll inside their own box.
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390, (name, scheme)
            _shoot(phone, shots, f"{name}-phone-{scheme}")
        phone.close()
    wide_dark = chromium.new_page(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    wide_dark.set_extra_http_headers({"Authorization": f"Bearer {TOKEN}"})
    wide_dark.goto(f"{base_url}/admin/")
    assert wide_dark.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 255, 255)"
    _shoot(wide_dark, shots, "overview-1280-dark")
    wide_dark.close()


def _shoot(page, folder: Path, name: str) -> None:  # noqa: ANN001
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_the_operator_pages_beside_the_queue_without_javascript(tmp_path, listener, sandbox_url, worker, chromium):  # noqa: ANN001
    """Workers, events (refused ones with their reason), bulk discard, "run sync now", closing a
    circuit and live refresh, in a browser with JavaScript off: every page is a link or a form."""
    import threading
    from datetime import timedelta

    from outbox.circuits import record_opening
    from outbox.values import utcnow

    base_url, database_url = listener
    shots = tmp_path / "screenshots"
    shots.mkdir()
    session = requests.Session()
    SandboxAdmin(sandbox_url).set_faults(script=[{"fault": "error", "operation": "create_domain", "times": 2 * TRIES}])
    dead = [signed_post(session, base_url, "order.accepted", order(name)).json()["commands"][0]
            for name in ("first-dead.com", "second-dead.com")]
    assert worker.run_until_settled(30)["dead"] == 2
    forged = session.post(f"{base_url}/hooks/whmcs", data=b"{}", timeout=10, headers={
        "Content-Type": "application/json", "webhook-id": "evt_forged", "webhook-timestamp": "1",
        "webhook-signature": "v1,AAAA"})
    assert forged.status_code == 401

    context = chromium.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    context.set_extra_http_headers({"Authorization": f"Bearer {TOKEN}"})
    page = context.new_page()

    # A live worker holds a command mid-call (each sandbox call takes 3 s).
    SandboxAdmin(sandbox_url).set_faults(latency_ms=3000)
    worker.grace_seconds = 20
    running = threading.Thread(target=worker.run)
    running.start()
    try:
        lock = signed_post(session, base_url, "domain.lock_changed", {"domain_id": 7, "domain": "held.com", "locked": True})
        [held] = lock.json()["commands"]
        for _ in range(100):
            page.goto(f"{base_url}/admin/workers")
            if f"/admin/commands/{held}" in page.content():
                break
            page.wait_for_timeout(100)
        text = page.inner_text("main")
        assert worker.name in text and page.locator(".worker dd").first.inner_text() == "2"  # its threads
        assert page.locator(".worker .ago").count() >= 2  # started and heartbeat, relative beside absolute
        assert page.locator(f"a[href='/admin/commands/{held}']").count() == 1
        _shoot(page, shots, "workers-1280")
    finally:
        worker.stop()
        running.join(60)
    page.goto(f"{base_url}/admin/workers")
    assert page.locator("#no-workers").count() == 1  # a stopped worker removes its row

    # Events: accepted ones link their commands; refused ones say why.
    page.goto(f"{base_url}/admin/events")
    assert page.locator(f"#accepted a[href='/admin/commands/{dead[0]}']").count() == 1
    page.click("#show-refused")
    assert "401 timestamp_out_of_range" in page.inner_text("#refused") and "evt_forged" in page.inner_text("#refused")
    _shoot(page, shots, "events-refused-1280")
    page.goto(f"{base_url}/admin/commands/{dead[0]}")
    page.click("#event-link")
    assert page.inner_text("h1").startswith("Event ") and f"/admin/commands/{dead[0]}" in page.content()

    # Bulk selection: both dead commands discarded, with one reason.
    page.goto(f"{base_url}/admin/commands?status=dead")
    for command_id in dead:
        page.check(f"input[name=id][value='{command_id}']")
    page.click("#discard-selected")
    page.fill("#reason", "Test orders, cancelled.")
    _shoot(page, shots, "confirm-selection-1280")
    page.click("#confirm")
    assert "2 commands discarded." in page.inner_text("main")
    page.goto(f"{base_url}/admin/")
    assert page.inner_text("#count-discarded") == "2"  # (the held command may have died of its slow calls meanwhile)

    # Run the sync now (dry), and close a circuit a worker recorded.
    page.click("#run-sync")
    page.check("#dry-run")
    page.click("#confirm")
    assert "A worker runs the dry sync now" in page.inner_text("main")
    engine = make_engine(database_url)
    record_opening(engine, "openprovider", utcnow(), utcnow() + timedelta(minutes=5), "196", "Authentication failed", None)
    engine.dispose()
    page.goto(f"{base_url}/admin/")
    assert "Openprovider calls are paused until" in page.inner_text("#circuit")
    _shoot(page, shots, "overview-circuit-1280")
    page.click("#close-circuit")
    page.click("#confirm")
    assert "The openprovider circuit is closed" in page.inner_text("main")
    assert page.inner_text("#circuit").startswith("Closed")

    # Live refresh: opt in, and the page reloads itself, JavaScript or not.
    page.click("#live")
    assert page.inner_text("#live") == "Live refresh: on"
    with page.expect_navigation(timeout=15000):
        pass
    page.click("#live")
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    context.close()

    phone = chromium.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False, device_scale_factor=2)
    phone.set_extra_http_headers({"Authorization": f"Bearer {TOKEN}"})
    tab = phone.new_page()
    for name, path in (("workers", "/admin/workers"), ("events", "/admin/events"),
                       ("refused", "/admin/events?show=refused"), ("discarded", f"/admin/commands/{dead[0]}"),
                       ("selection", f"/admin/commands/selection?action=replay&id={dead[0]}&id={dead[1]}"),
                       ("commands", "/admin/commands")):
        tab.goto(f"{base_url}{path}")
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390, name
        _shoot(tab, shots, f"{name}-phone")
    phone.close()
