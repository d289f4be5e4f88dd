"""WHMCS tells the truth: every outcome of a write reaches WHMCS.

WHMCS's own flow around the module (tests/registrar/flow.php: the module call, WHMCS's
write of the domain, the AfterRegistrar hooks, the confirmation through EmailPreSend) runs
in php-cli against the listener under gunicorn, a worker running beside it, the
Openprovider sandbox refusing, answering or away, and a WHMCS sandbox that holds what
WHMCS would: every assertion about WHMCS reads that sandbox.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.dispatch.harness import Sandbox, make_worker, test_settings
from tests.registrar.conftest import PHP, SECRET, TOKEN, Opbridge
from tests.support import serve_wsgi
from whmcssandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET, SandboxState, create_app, seed

pytestmark = pytest.mark.skipif(PHP is None, reason="php-cli is not installed (apt-get install php-cli php-curl php-sqlite3)")

FLOW = Path(__file__).with_name("flow.php")
PUBLIC_URL = "https://opbridge.example.net"
CONTACT = {"firstname": "Jan", "lastname": "de Vries", "email": "jan@example.nl", "address1": "Dam 1",
           "city": "Amsterdam", "postcode": "1012 JS", "countrycode": "NL", "country": "NL",
           "fullphonenumber": "+31.201234567"}
TODAY = dt.date.today()
NEXT_YEAR = TODAY.replace(year=TODAY.year + 1).isoformat()


class World:
    """opbridge (listener and a running worker), the Openprovider sandbox and a WHMCS sandbox."""

    def __init__(self, opbridge: Opbridge, whmcs_url: str, whmcs: SandboxState, tmp_path: Path) -> None:
        self.opbridge, self.op, self.whmcs = opbridge, opbridge.sandbox, whmcs
        self.whmcs_url, self.tmp_path = whmcs_url, tmp_path
        settings = test_settings(opbridge.database_url, self.op.url, whmcs_url=whmcs_url, public_url=PUBLIC_URL,
                                 whmcs_identifier=DEFAULT_IDENTIFIER, whmcs_secret=DEFAULT_SECRET)
        # Retries a quarter second apart for half a minute: Openprovider may be away that long.
        self.worker = make_worker(opbridge.engine, settings, threads=4, schedule=(0.25,) * 120)
        self.module_settings = {"ListenerURL": f"{opbridge.base_url}/hooks/whmcs", "WebhookSecret": SECRET,
                                "AdminURL": opbridge.base_url, "AdminToken": TOKEN, "Timeout": "5",
                                "OutcomeWait": "8"}
        self.logs: list[dict[str, Any]] = []

    @contextlib.contextmanager
    def working(self) -> Iterator[None]:
        thread = threading.Thread(target=self.worker.run, daemon=True)
        self.worker.stopping.clear()
        thread.start()
        try:
            yield
        finally:
            self.worker.stop()
            thread.join(30)

    def add(self, name: str, **fields: Any) -> int:
        with self.whmcs.lock:
            [domain_id] = seed(self.whmcs, {"domains": [{"domain": name, "userid": 1, "registrar": "opbridge",
                                                          "regperiod": 1, **fields}]})["domains"]
        return domain_id

    def params(self, domain_id: int, name: str, **extra: Any) -> dict[str, Any]:
        sld, tld = name.split(".", 1)
        return {**self.module_settings, "domainid": domain_id, "domainname": name, "sld": sld, "tld": tld,
                "registrar": "opbridge", "regperiod": 1, "userid": 1, "ns1": "ns1.example.net",
                "ns2": "ns2.example.net", **CONTACT, **extra}

    def flow(self, *steps: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """One WHMCS request running ``steps`` (action, params) through WHMCS's flow."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("OPBRIDGE_")}
        env |= {"OPBRIDGE_HARNESS_DB": str(self.tmp_path / "whmcs.db"), "OPBRIDGE_HARNESS_ROOT": str(self.tmp_path),
                "OPBRIDGE_HOOK_URL": self.module_settings["ListenerURL"], "OPBRIDGE_HOOK_SECRET": SECRET,
                "OPBRIDGE_HARNESS_WHMCS_API": f"{self.whmcs_url}/includes/api.php",
                "OPBRIDGE_HARNESS_WHMCS_IDENTIFIER": DEFAULT_IDENTIFIER, "OPBRIDGE_HARNESS_WHMCS_SECRET": DEFAULT_SECRET}
        argument = json.dumps([{"action": action, "params": params} for action, params in steps])
        done = subprocess.run([PHP, str(FLOW), argument], env=env, capture_output=True, text=True, timeout=120,
                              check=False)
        assert done.returncode == 0, done.stderr or done.stdout
        report = json.loads(done.stdout)
        assert report["php_errors"] == [], report["php_errors"]
        self.logs += report["module_log"]
        return report["steps"]

    # -- what WHMCS holds --------------------------------------------------------------

    def domain(self, domain_id: int) -> dict[str, Any]:
        with self.whmcs.lock:
            row = self.whmcs.domains[domain_id]
            return {"status": row.status, "expirydate": row.expirydate and row.expirydate.isoformat()}

    def client_mails(self, domain_id: int) -> list[str]:
        with self.whmcs.lock:
            return [mail["template"] for mail in self.whmcs.client_emails if mail.get("relid") == domain_id]

    def admin_mails(self, name: str) -> list[dict[str, Any]]:
        with self.whmcs.lock:
            return [mail for mail in self.whmcs.emails if name in mail["subject"]]

    def activity(self, name: str) -> list[str]:
        with self.whmcs.lock:
            return [line["description"] for line in self.whmcs.activity if name in line["description"]]

    def wait_until(self, condition: Any, timeout: float = 30.0) -> float:
        """Seconds until ``condition()`` held; fails after ``timeout``."""
        started = time.monotonic()
        while not condition():
            assert time.monotonic() - started < timeout, "WHMCS never got there"
            time.sleep(0.05)
        return time.monotonic() - started

    def op_expiry(self, name: str) -> str:
        return self.op.domain(name)["expiration_date"][:10]


@pytest.fixture
def world(database: str, sandbox: Sandbox, tmp_path: Path) -> Iterator[World]:
    state = SandboxState()
    seed(state, {"clients": [{"firstname": "Jan", "lastname": "de Vries", "email": "jan@example.nl"}]})
    with serve_wsgi(create_app(state)) as url:
        # The listener has WHMCS's API credentials: it queues the write-back of late outcomes.
        opbridge = Opbridge(database, sandbox, tmp_path / "gunicorn.log", whmcs_url=url,
                            whmcs_identifier=DEFAULT_IDENTIFIER, whmcs_secret=DEFAULT_SECRET)
        try:
            with opbridge.running():
                yield World(opbridge, url, state, tmp_path)
        finally:
            opbridge.engine.dispose()


def outcomes(world: World) -> list[dict[str, Any]]:
    """The outcome answers the module read, in order."""
    return [entry["response"] for entry in world.logs if str(entry["processed"]).startswith("outcome ")]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_each_refusal_reaches_whmcs_and_each_success_shows_what_openprovider_holds(world: World) -> None:
    world.op.seed(registry=[{"name": "taken.com"}, {"name": "moving.com", "auth_code": "right-code"}])
    taken, moving = world.add("taken.com", status="Pending"), world.add("moving.com", status="Pending")
    absent = world.add("absent.com", status="Active", expirydate="2027-01-10")
    free = world.add("free.com", status="Pending")
    before = {domain_id: world.domain(domain_id) for domain_id in (taken, moving, absent)}
    with world.working():
        steps = world.flow(
            ("register", world.params(taken, "taken.com")),
            ("transfer", world.params(moving, "moving.com", eppcode="wrong-code")),
            ("renew", world.params(absent, "absent.com", expiryDate="2027-01-10")),
            ("register", world.params(free, "free.com")),
        )
    refused_registration, refused_transfer, refused_renewal, registered = steps
    # A refusal is WHMCS's error with Openprovider's sentence: the domain stays, the action is queued.
    assert "not free" in refused_registration["result"]["error"]
    assert "Authorization code is incorrect" in refused_transfer["result"]["error"]
    assert "absent.com" in refused_renewal["result"]["error"]
    assert all(step["module_queue"] for step in steps[:3])
    assert {domain_id: world.domain(domain_id) for domain_id in before} == before
    assert world.domain(taken)["status"] == world.domain(moving)["status"] == "Pending"
    assert world.client_mails(taken) == world.client_mails(moving) == world.client_mails(absent) == []
    # A success is Active with Openprovider's expiry, confirmed to the customer once.
    assert registered["result"] == {"success": True}
    assert world.domain(free) == {"status": "Active", "expirydate": world.op_expiry("free.com")}
    assert world.client_mails(free) == ["Domain Registration Confirmation"]
    assert [answer["state"] for answer in outcomes(world)] == ["dead", "dead", "dead", "done"]
    # WHMCS's own transfer sync hears of the refused transfer as failed, with the reason.
    sync = requests.get(f"{world.opbridge.base_url}/api/v1/registrar/domains/moving.com/sync",
                        headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).json()
    assert sync["transfer"]["failed"] is True and "Authorization code is incorrect" in sync["transfer"]["reason"]
    # Nothing was written back late: WHMCS was told every outcome at once.
    assert world.activity(".com") == [] and world.admin_mails(".com") == []


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_openprovider_away_longer_than_the_wait(world: World) -> None:
    world.op.seed(domains=[{"name": "kept.com", "expiration_date": "2027-03-01"}])
    fresh = world.add("fresh.com", status="Pending")
    kept = world.add("kept.com", status="Active", expirydate="2027-03-01")
    gone = world.add("gone.com", status="Active", expirydate="2027-05-05")
    world.op.set_faults(maintenance=True)
    with world.working():
        steps = world.flow(
            ("register", world.params(fresh, "fresh.com")),
            ("renew", world.params(kept, "kept.com", expiryDate="2027-03-01")),
            ("renew", world.params(gone, "gone.com", expiryDate="2027-05-05")),
        )
        # Success without a claim: Pending Registration, the old expiries, no confirmation.
        assert [step["result"] for step in steps] == [{"success": True}] * 3
        answers = outcomes(world)
        assert [answer["state"] for answer in answers] == ["pending"] * 3
        # Known to be away: answered without spending the 8 s wait (WHMCS's page is not held up).
        assert all(answer["openprovider_away"] and answer["waited_ms"] < 4000 for answer in answers), answers
        assert world.domain(fresh) == {"status": "Pending Registration", "expirydate": NEXT_YEAR}
        assert world.domain(kept) == {"status": "Active", "expirydate": "2027-03-01"}
        assert world.domain(gone) == {"status": "Active", "expirydate": "2027-05-05"}
        assert [step["held"] for step in steps] == ["Domain Registration Confirmation",
                                                    "Domain Renewal Confirmation", "Domain Renewal Confirmation"]
        world.op.set_faults(maintenance=False)
        # Openprovider is back: WHMCS gets what it holds, with no admin involved.
        world.wait_until(lambda: world.client_mails(kept) and world.client_mails(fresh) and world.admin_mails("gone.com"))
    assert world.domain(fresh) == {"status": "Active", "expirydate": world.op_expiry("fresh.com")}
    assert world.client_mails(fresh) == ["Domain Registration Confirmation"]
    assert world.domain(kept) == {"status": "Active", "expirydate": world.op_expiry("kept.com")}
    assert world.op_expiry("kept.com") == "2028-03-01"
    assert world.client_mails(kept) == ["Domain Renewal Confirmation"]
    # The refused renewal: the old expiry, a mail to the admins with the reason and the link, a log line.
    assert world.domain(gone) == {"status": "Active", "expirydate": "2027-05-05"}
    assert world.client_mails(gone) == []
    [mail] = world.admin_mails("gone.com")
    assert "renewal of gone.com failed" in mail["subject"] and "not in" in mail["message"]
    assert f"{PUBLIC_URL}/admin/commands/" in mail["message"]
    assert any("failed at Openprovider" in line for line in world.activity("gone.com"))
    assert any("done at Openprovider" in line for line in world.activity("fresh.com"))


def test_whmcs_retries_run_again_and_nothing_is_done_twice(world: World) -> None:
    world.op.seed(registry=[{"name": "wanted.com"}], domains=[{"name": "paid.com", "expiration_date": "2027-02-02"}])
    wanted = world.add("wanted.com", status="Pending")
    paid = world.add("paid.com", status="Active", expirydate="2027-02-02")
    renewal = world.params(paid, "paid.com", expiryDate="2027-02-02")
    with world.working():
        [refused] = world.flow(("register", world.params(wanted, "wanted.com")))
        assert refused["module_queue"]["action"] == "RegisterDomain"
        with world.op.state.lock:
            del world.op.state.registry["wanted.com"]  # the other holder let it go
        # The Module Queue's retry, then a second press of Register: registered once.
        [retried] = world.flow(("register", world.params(wanted, "wanted.com")))
        [again] = world.flow(("register", world.params(wanted, "wanted.com")))
        # A renewal WHMCS sends twice: renewed once.
        [renewed] = world.flow(("renew", renewal))
        [twice] = world.flow(("renew", renewal))
    assert retried["result"] == again["result"] == renewed["result"] == twice["result"] == {"success": True}
    assert world.op.succeeded("create_domain") == 1
    assert world.op.succeeded("renew_domain") == 1
    assert world.domain(wanted)["status"] == "Active"
    assert world.domain(paid)["expirydate"] == world.op_expiry("paid.com") == "2028-02-02"


def test_a_renewal_retried_after_it_went_dead_runs_again(world: World) -> None:
    late = world.add("late.com", status="Active", expirydate="2027-04-04")
    renewal = world.params(late, "late.com", expiryDate="2027-04-04")
    with world.working():
        [refused] = world.flow(("renew", renewal))
        world.op.seed(domains=[{"name": "late.com", "expiration_date": "2027-04-04"}])  # moved into the account
        [retried] = world.flow(("renew", renewal))
    assert "late.com" in refused["result"]["error"]
    assert retried["result"] == {"success": True}
    assert world.op_expiry("late.com") == "2028-04-04"
    assert world.domain(late)["expirydate"] == "2028-04-04"


def test_one_whmcs_request_shares_one_wait(world: World) -> None:
    ids = [world.add(f"batch{n}.com", status="Pending") for n in range(3)]
    world.module_settings["OutcomeWait"] = "1"
    # No worker runs: the commands stay open, so each write would wait its whole second.
    steps = world.flow(*[("register", world.params(domain_id, f"batch{n}.com")) for n, domain_id in enumerate(ids)])
    assert [step["result"] for step in steps] == [{"success": True}] * 3
    waited = [answer["waited_ms"] for answer in outcomes(world)]
    assert len(waited) == 3 and sum(waited) <= 1000 + 3 * 100, waited
    assert [world.domain(domain_id)["status"] for domain_id in ids] == ["Pending Registration"] * 3


def test_the_outcome_endpoint_refuses_what_it_cannot_answer(opbridge: Opbridge) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    base = f"{opbridge.base_url}/api/v1/events"
    too_long = requests.get(f"{base}/evt-1/outcome?wait=60", headers=headers, timeout=10)
    unknown = requests.get(f"{base}/evt-unknown/outcome?wait=0", headers=headers, timeout=10)
    anonymous = requests.get(f"{base}/evt-1/outcome", timeout=10)
    assert too_long.status_code == 400 and too_long.json()["error"]
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"
    assert anonymous.status_code == 401
