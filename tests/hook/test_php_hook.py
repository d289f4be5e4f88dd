"""The WHMCS hook file, run by php-cli through tests/hook/harness.php against the real
listener under gunicorn: signed events arrive, store the expected commands, dedupe when
re-fired, and survive a stopped listener through the spool and AfterCronJob.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support import free_port

PHP = shutil.which("php")
pytestmark = pytest.mark.skipif(
    PHP is None, reason="php-cli is not installed (apt-get install php-cli php-curl php-sqlite3)"
)

REPO = Path(__file__).resolve().parents[2]
HOOK_FILE = REPO / "whmcs" / "includes" / "hooks" / "opbridge.php"
HARNESS = Path(__file__).with_name("harness.php")
SECRET = "whsec_" + base64.b64encode(b"opbridge-hook-test-key-32-bytes!").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"not-the-listener-s-key-32-bytes!").decode()
# Registrar module settings as WHMCS merges them into $vars['params']: never to be forwarded.
MODULE_CREDENTIALS = {"Username": "op-reseller-user", "Password": "op-Pa55word-never-sent"}


class Listener:
    """`gunicorn wsgi:app` on a fixed port over one SQLite file; can be stopped and restarted."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks/whmcs"
        self.database = workdir / "listener.db"
        self.log = workdir / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith("OPBRIDGE_")}
        env |= {
            "OPBRIDGE_DATABASE_URL": f"sqlite:///{self.database}",
            "OPBRIDGE_WEBHOOK_SECRETS": SECRET,
            "OPBRIDGE_LOG_LEVEL": "WARNING",
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{self.port}", "--workers", "1"],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited early:\n{self.log.read_text()}")
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/readyz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or still starting up
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"gunicorn did not become ready:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def query(self, sql: str, *args: object) -> list[tuple]:
        with sqlite3.connect(self.database) as db:
            return db.execute(sql, args).fetchall()

    def events(self, webhook_id: str) -> list[tuple]:
        return self.query("SELECT id, type, body FROM events WHERE webhook_id = ?", webhook_id)

    def commands(self, webhook_id: str) -> list[tuple[str, str]]:
        return self.query(
            "SELECT c.type, c.aggregate_key FROM commands c JOIN events e ON e.id = c.event_id"
            " WHERE e.webhook_id = ? ORDER BY c.id",
            webhook_id,
        )


class Whmcs:
    """One WHMCS installation as the harness plays it: its own spool database and root."""

    def __init__(self, workdir: Path, url: str, secret: str = SECRET) -> None:
        self.root = workdir / "whmcs-root"
        self.root.mkdir(exist_ok=True)
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("OPBRIDGE_")}
        self.env |= {
            "OPBRIDGE_HARNESS_DB": str(workdir / "whmcs-spool.db"),
            "OPBRIDGE_HARNESS_ROOT": str(self.root),
            "OPBRIDGE_HOOK_URL": url,
            "OPBRIDGE_HOOK_SECRET": secret,
        }

    def fire(self, hook: str, hook_vars: dict, patch: dict | None = None) -> dict:
        env = dict(self.env, OPBRIDGE_HARNESS_PATCH=json.dumps(patch or {}))
        done = subprocess.run(
            [PHP, str(HARNESS), hook, json.dumps(hook_vars)],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )
        assert done.returncode == 0, done.stderr or done.stdout
        report = json.loads(done.stdout)
        assert report["php_errors"] == [], report["php_errors"]
        return report


def deliveries(report: dict) -> list[dict]:
    return [entry for entry in report["module_log"] if entry["action"] == "deliver"]


def statuses(report: dict) -> list[str]:
    """The HTTP status lines of the posts the hook made, e.g. ["HTTP 202"]."""
    return [entry["response"].split(":", 1)[0] for entry in deliveries(report)]


def posted_id(entry: dict) -> str:
    return entry["request"].split("webhook-id: ", 1)[1].split("\n", 1)[0]


@pytest.fixture(scope="module")
def listener(tmp_path_factory) -> Iterator[Listener]:  # noqa: ANN001
    server = Listener(tmp_path_factory.mktemp("listener"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def whmcs(listener: Listener, tmp_path: Path) -> Whmcs:
    return Whmcs(tmp_path, listener.url)


def test_hook_file_passes_php_lint() -> None:
    done = subprocess.run([PHP, "-l", str(HOOK_FILE)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_registers_every_hook_point(whmcs: Whmcs) -> None:
    report = whmcs.fire("NoSuchHook", {})
    assert set(report["registered"]) == {
        "AcceptOrder", "InvoicePaid", "DomainEdit", "ClientAreaPageDomainDetails",
        "ClientAreaPageDomainAddons", "AfterRegistrarIDProtectToggle", "AfterRegistrarSaveNameservers",
        "AfterRegistrarSaveRegistrarLock", "AfterRegistrarSaveContactDetails", "AfterRegistrarRequestDelete",
        "AfterCronJob", "ShoppingCartValidateCheckout", "AfterRegistrarRegistration", "AfterRegistrarRenewal",
        "EmailPreSend",
    }


def test_accepted_order_is_signed_stored_and_deduped(whmcs: Whmcs, listener: Listener) -> None:
    first = whmcs.fire("AcceptOrder", {"orderid": 21})
    assert statuses(first) == ["HTTP 202"]
    assert listener.commands("order-21-accepted") == [
        ("register_domain", "voorbeeld.nl"),
        ("transfer_domain", "xn--bcher-kva.example"),  # elsewhere.com belongs to another registrar
    ]
    body = json.loads(listener.events("order-21-accepted")[0][2])
    assert body["type"] == "order.accepted"
    assert body["data"]["domains"][0]["nameservers"] == ["ns1.voorbeeld.nl", "ns2.voorbeeld.nl"]
    assert body["data"]["registrant"]["phone"] == "+31.201234567"

    again = whmcs.fire("AcceptOrder", {"orderid": 21})
    assert statuses(again) == ["HTTP 200"]
    assert '"duplicate"' in deliveries(again)[0]["response"]
    assert len(listener.events("order-21-accepted")) == 1
    assert again["spool"] == []


def test_paid_invoice_carries_renewal_and_id_protection(whmcs: Whmcs, listener: Listener) -> None:
    assert statuses(whmcs.fire("InvoicePaid", {"invoiceid": 32})) == ["HTTP 202"]
    assert listener.commands("invoice-32-paid") == [
        ("renew_domain", "bestaand.nl"),
        ("set_id_protection", "bestaand.nl"),
    ]
    items = json.loads(listener.events("invoice-32-paid")[0][2])["data"]["items"]
    assert [(item["kind"], item["item_id"], item["expiry_date"]) for item in items] == [
        ("renew", 201, "2026-03-01"), ("id_protection", 202, "2026-03-01"),
    ]
    assert statuses(whmcs.fire("InvoicePaid", {"invoiceid": 32})) == ["HTTP 200"]
    assert len(listener.events("invoice-32-paid")) == 1


def test_paid_order_invoice_registers_and_transfers(whmcs: Whmcs, listener: Listener) -> None:
    assert statuses(whmcs.fire("InvoicePaid", {"invoiceid": 31})) == ["HTTP 202"]
    assert listener.commands("invoice-31-paid") == [
        ("register_domain", "voorbeeld.nl"),
        ("transfer_domain", "xn--bcher-kva.example"),
    ]


@pytest.mark.parametrize(
    ("hook", "hook_vars", "patch", "event_type", "expected_commands", "expected_data"),
    [
        pytest.param(
            "DomainEdit", {"userid": 7, "domainid": 14}, {"donotrenew": "1"},
            "domain.edited", ["set_autorenew", "set_id_protection"],
            {"autorenew": False, "id_protection": True, "status": "Active",
             "expiry_date": "2026-03-01", "next_due_date": "2026-02-19"},
            id="DomainEdit",
        ),
        pytest.param(
            "ClientAreaPageDomainDetails",
            {"domainid": 14, "domain": "bestaand.nl", "autorenew": True, "changeAutoRenewStatusSuccessful": True},
            {"donotrenew": "0"}, "domain.autorenew_changed", ["set_autorenew"], {"autorenew": True},
            id="ClientAreaPageDomainDetails",
        ),
        pytest.param(
            "ClientAreaPageDomainAddons",
            {"domainid": 14, "domain": "bestaand.nl", "action": "disable", "addon": "idprotect", "success": True},
            {"idprotection": "0"}, "domain.id_protection_changed", ["set_id_protection"], {"enabled": False},
            id="ClientAreaPageDomainAddons",
        ),
        pytest.param(
            "AfterRegistrarIDProtectToggle",
            {"params": {**MODULE_CREDENTIALS, "domainid": 14, "protectenable": True},
             "results": {"success": True}, "functionExists": True, "functionSuccessful": True},
            None, "domain.id_protection_changed", ["set_id_protection"], {"enabled": True},
            id="AfterRegistrarIDProtectToggle",
        ),
        pytest.param(
            "AfterRegistrarSaveNameservers",
            {"params": {**MODULE_CREDENTIALS, "domainid": 14, "ns1": "NS1.Example.net", "ns2": "ns2.example.net",
                        "ns3": "", "ns4": "", "ns5": ""},
             "results": {"success": True}, "functionExists": True, "functionSuccessful": True},
            None, "domain.nameservers_changed", ["set_nameservers"],
            {"nameservers": ["ns1.example.net", "ns2.example.net"]},
            id="AfterRegistrarSaveNameservers",
        ),
        pytest.param(
            "AfterRegistrarSaveRegistrarLock",
            {"params": {**MODULE_CREDENTIALS, "domainid": 14, "lockenabled": "locked"},
             "results": {"na": True}, "functionExists": False, "functionSuccessful": False},
            None, "domain.lock_changed", ["set_lock"], {"locked": True},
            id="AfterRegistrarSaveRegistrarLock",
        ),
        pytest.param(
            "AfterRegistrarSaveContactDetails",
            {"params": {**MODULE_CREDENTIALS, "domainid": 14, "contactdetails": {
                "Registrant": {"First Name": "Eva", "Last Name": "Jansen", "Company Name": "",
                               "Email Address": "eva@example.nl", "Address 1": "Dam 1", "Address 2": "",
                               "City": "Amsterdam", "State": "", "Postcode": "1012 JS", "Country": "NL",
                               "Phone Number": "+31.201112233", "Fax Number": ""},
                "Technical": {"First Name": "Piet", "Last Name": "Bakker", "Email Address": "tech@example.nl",
                              "Address 1": "Dam 2", "City": "Amsterdam", "Postcode": "1012 JS",
                              "Country": "NL", "Phone Number": "+31.201112234"},
            }},
             "results": {"success": True}, "functionExists": True, "functionSuccessful": True},
            None, "domain.contacts_changed", ["update_contacts"],
            {"registrant": {"first_name": "Eva", "last_name": "Jansen", "email": "eva@example.nl",
                            "address1": "Dam 1", "city": "Amsterdam", "postcode": "1012 JS", "country": "NL",
                            "phone": "+31.201112233"}},
            id="AfterRegistrarSaveContactDetails",
        ),
        pytest.param(
            "AfterRegistrarRequestDelete",
            {"params": {**MODULE_CREDENTIALS, "domainid": 14},
             "results": {"success": True}, "functionExists": True, "functionSuccessful": True},
            None, "domain.delete_requested", ["delete_domain"], {},
            id="AfterRegistrarRequestDelete",
        ),
    ],
)
def test_domain_hook_posts_its_event(  # noqa: PLR0913
    whmcs: Whmcs, listener: Listener, hook: str, hook_vars: dict, patch: dict | None,
    event_type: str, expected_commands: list[str], expected_data: dict,
) -> None:
    report = whmcs.fire(hook, hook_vars, {"domains": {"14": patch}} if patch else None)
    assert statuses(report) == ["HTTP 202"], report["module_log"]
    webhook_id = posted_id(deliveries(report)[0])
    assert webhook_id.startswith(event_type + "-")
    [(_, stored_type, body)] = listener.events(webhook_id)
    assert stored_type == event_type
    assert listener.commands(webhook_id) == [(command, "bestaand.nl") for command in expected_commands]
    data = json.loads(body)["data"]
    assert {key: data[key] for key in expected_data} == expected_data
    assert (data["domain_id"], data["domain"]) == (14, "bestaand.nl")
    if "contactdetails" in hook_vars.get("params", {}):
        assert data["tech"]["first_name"] == "Piet"
        assert "admin" not in data and "billing" not in data


def test_nothing_leaves_for_other_registrars_or_failed_module_calls(whmcs: Whmcs) -> None:
    quiet = [
        whmcs.fire("AcceptOrder", {"orderid": 22}),  # only an eNom domain
        whmcs.fire("DomainEdit", {"userid": 7, "domainid": 13}),
        whmcs.fire("AfterRegistrarSaveNameservers", {
            "params": {"domainid": 14, "ns1": "ns1.example.net", "ns2": "ns2.example.net"},
            "results": {"error": "Invalid nameserver"}, "functionExists": True, "functionSuccessful": False,
        }),
        whmcs.fire("ClientAreaPageDomainDetails", {"domainid": 14, "changeAutoRenewStatusSuccessful": False}),
        whmcs.fire("ClientAreaPageDomainAddons", {"domainid": 14, "action": "buy", "addon": "idprotect"}),
    ]
    for report in quiet:
        assert report["module_log"] == [] and report["spool"] == []


def test_no_secret_or_module_params_reach_the_body_or_the_log(whmcs: Whmcs, listener: Listener) -> None:
    report = whmcs.fire("AfterRegistrarSaveRegistrarLock", {
        "params": {**MODULE_CREDENTIALS, "domainid": 14, "lockenabled": "unlocked",
                   "original": {"Password": MODULE_CREDENTIALS["Password"]}},
        "results": {"success": True}, "functionExists": True, "functionSuccessful": True,
    })
    [(_, _, body)] = listener.events(posted_id(deliveries(report)[0]))
    assert json.loads(body)["data"] == {"domain_id": 14, "domain": "bestaand.nl", "locked": False}
    key = SECRET.removeprefix("whsec_")
    logged = json.dumps([{k: e[k] for k in ("request", "response", "processed")} for e in report["module_log"]])
    for text in (body, logged):
        for secret in (key, *MODULE_CREDENTIALS.values(), "Password"):
            assert secret not in text
    # The client record's password hash is not among the whitelisted contact fields either.
    order = whmcs.fire("AcceptOrder", {"orderid": 21})
    assert "$2y$" not in json.dumps(order["module_log"])


def test_settings_come_from_configuration_php(whmcs: Whmcs, listener: Listener) -> None:
    (whmcs.root / "configuration.php").write_text(
        f"<?php\n$db_password = 'whmcs-db-password';\n$opbridge_url = '{listener.url}';\n"
        f"$opbridge_secret = '{SECRET}';\n"
    )
    del whmcs.env["OPBRIDGE_HOOK_URL"], whmcs.env["OPBRIDGE_HOOK_SECRET"]
    report = whmcs.fire("AfterRegistrarRequestDelete", {
        "params": {"domainid": 14}, "functionExists": True, "functionSuccessful": True,
    })
    assert statuses(report) == ["HTTP 202"]
    assert "whmcs-db-password" not in json.dumps(report)


def test_rejected_event_is_logged_not_spooled(whmcs: Whmcs) -> None:
    report = whmcs.fire("DomainEdit", {"userid": 7, "domainid": 14}, {"domains": {"14": {"domainname": "no-tld"}}})
    assert statuses(report) == ["HTTP 422"]
    assert deliveries(report)[0]["processed"] == "rejected"
    assert report["spool"] == []


def test_wrong_secret_is_spooled_for_a_later_resend(listener: Listener, tmp_path: Path) -> None:
    misconfigured = Whmcs(tmp_path, listener.url, secret=OTHER_SECRET)
    report = misconfigured.fire("InvoicePaid", {"invoiceid": 31})
    assert statuses(report) == ["HTTP 401"]
    assert [row["webhook_id"] for row in report["spool"]] == ["invoice-31-paid"]


def test_stopped_listener_spools_and_cron_delivers_once_in_order(tmp_path: Path) -> None:
    listener = Listener(tmp_path)
    whmcs = Whmcs(tmp_path, listener.url)
    try:
        down = whmcs.fire("AcceptOrder", {"orderid": 21})
        assert deliveries(down)[0]["response"].startswith("transport error")
        assert [row["webhook_id"] for row in down["spool"]] == ["order-21-accepted"]

        # A later event must not overtake the spooled one: it queues without a post.
        queued = whmcs.fire("ClientAreaPageDomainDetails", {"domainid": 14, "changeAutoRenewStatusSuccessful": True})
        assert deliveries(queued) == []
        assert [row["event_type"] for row in queued["spool"]] == ["order.accepted", "domain.autorenew_changed"]
        autorenew_id = queued["spool"][1]["webhook_id"]

        idle = whmcs.fire("AfterCronJob", {})
        assert statuses(idle) == ["transport error"]  # one try, then it stops
        assert len(idle["spool"]) == 2 and idle["spool"][0]["attempts"] == 1

        listener.start()
        resent = whmcs.fire("AfterCronJob", {})
        assert statuses(resent) == ["HTTP 202", "HTTP 202"]
        assert [posted_id(entry) for entry in deliveries(resent)] == ["order-21-accepted", autorenew_id]
        assert resent["spool"] == []
        assert listener.query("SELECT webhook_id FROM events ORDER BY id") == [
            ("order-21-accepted",), (autorenew_id,),
        ]

        assert deliveries(whmcs.fire("AfterCronJob", {})) == []
        assert len(listener.events("order-21-accepted")) == 1
    finally:
        listener.stop()


def test_domains_on_the_opbridge_module_leave_registrar_actions_to_the_module(whmcs: Whmcs, listener: Listener) -> None:
    on_module = {"registrar": "opbridge"}
    accepted = whmcs.fire("AcceptOrder", {"orderid": 21}, {"domains": {"11": on_module}})
    body = json.loads(deliveries(accepted)[0]["request"].split("\n\n", 1)[1])
    assert [(item["domain"], item["action"]) for item in body["data"]["domains"]] == [("bücher.example", "transfer")]
    quiet = [
        whmcs.fire("InvoicePaid", {"invoiceid": 32}, {"domains": {"14": on_module}}),
        whmcs.fire("AfterRegistrarSaveNameservers", {
            "params": {"domainid": 14, "ns1": "ns1.example.net", "ns2": "ns2.example.net"},
            "results": {"success": True}, "functionExists": True, "functionSuccessful": True,
        }, {"domains": {"14": on_module}}),
        whmcs.fire("ClientAreaPageDomainAddons", {"domainid": 14, "action": "disable", "addon": "idprotect",
                                                  "success": True}, {"domains": {"14": on_module}}),
    ]
    for report in quiet:
        assert deliveries(report) == [] and report["spool"] == []
    # Auto-renew is never a registrar call, so the hook file carries it for module domains too.
    edited = whmcs.fire("DomainEdit", {"userid": 7, "domainid": 14}, {"domains": {"14": on_module}})
    assert statuses(edited) == ["HTTP 202"]
    assert listener.commands(posted_id(deliveries(edited)[0])) == [
        ("set_autorenew", "bestaand.nl"), ("set_id_protection", "bestaand.nl")]
