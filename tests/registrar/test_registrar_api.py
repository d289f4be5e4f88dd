"""``/api/v1/registrar/…/sync`` answers from the mirror only while it is current, with the
pull-sync's status map and expiry source; otherwise live at the sandbox. A gTLD's
``…/verification`` answers from the latest sync run's record on the same rule."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import insert

from listener import create_app
from outbox.db import make_engine
from outbox.models import MirroredDomain
from outbox.values import NewCommand, utcnow
from tests.dispatch.harness import Sandbox, test_settings
from tests.registrar.conftest import record_sync_run
from tests.support import serve_wsgi

TOKEN = "registrar-api-token-8c1d"
VERIFYING_OWNER = {"name": {"first_name": "Ann", "last_name": "Owner"},
                   "address": {"street": "Main", "number": "1", "zipcode": "1011AA", "city": "Amsterdam", "country": "NL"},
                   "phone": {"country_code": "+31", "area_code": "20", "subscriber_number": "1234567"}}


@pytest.fixture
def api(database_url: str, sandbox: Sandbox) -> Iterator[Any]:
    settings = test_settings(database_url, sandbox.url, admin_tokens=TOKEN, expiry_source="renewal_date")
    engine = make_engine(database_url)
    app = create_app(settings, engine)
    with serve_wsgi(app) as url, requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {TOKEN}"
        http.base = f"{url}/api/v1/registrar"
        http.engine = engine
        http.outbox = app.extensions["opbridge"].outbox
        http.openprovider = app.extensions["opbridge"].clients.openprovider
        yield http
    engine.dispose()


def mirror(engine: Any, **fields: Any) -> None:
    with engine.begin() as conn:
        conn.execute(insert(MirroredDomain.__table__).values(updated_at=utcnow(), **fields))


def test_sync_answers_from_a_current_mirror_and_live_otherwise(api: Any, sandbox: Sandbox) -> None:  # noqa: ANN001
    sandbox.seed(domains=[{"name": "spiegel.nl", "status": "ACT", "expiration_date": "2027-08-01",
                           "renewal_date": "2027-07-25"}])
    mirror(api.engine, name="spiegel.nl", op_status="ACT", op_expiration_date=dt.date(2027, 6, 1),
           op_renewal_date=dt.date(2027, 5, 20), last_synced_at=utcnow() - dt.timedelta(hours=1))

    mirrored = api.get(f"{api.base}/domains/spiegel.nl/sync", timeout=10).json()
    assert (mirrored["source"], mirrored["expiry_date"], mirrored["whmcs_status"]) == ("mirror", "2027-05-20", "Active")
    assert mirrored["active"] is True and mirrored["transfer"] == {"completed": True, "failed": False, "reason": ""}

    live = api.get(f"{api.base}/domains/spiegel.nl/sync?live=1", timeout=10).json()
    assert (live["source"], live["expiry_date"]) == ("openprovider", "2027-07-25")  # OPBRIDGE_EXPIRY_SOURCE

    # Work queued for the domain since the last sync visit makes the mirror stale.
    api.outbox.enqueue(None, [NewCommand("set_lock", "spiegel.nl", {"domain": "spiegel.nl", "locked": True})])
    assert api.get(f"{api.base}/domains/spiegel.nl/sync", timeout=10).json()["source"] == "openprovider"


def test_a_domain_page_costs_no_openprovider_call_while_the_mirror_is_current(api: Any, sandbox: Sandbox) -> None:  # noqa: ANN001
    sandbox.seed(domains=[{"name": "pagina.nl", "status": "ACT", "expiration_date": "2027-08-01",
                           "renewal_date": "2027-07-25", "is_locked": True}])
    assert api.get(f"{api.base}/domains/pagina.nl", timeout=10).json()["locked"] is True  # unknown: live
    mirror(api.engine, name="pagina.nl", op_status="ACT", op_renewal_date=dt.date(2027, 7, 25),
           op_nameservers="ns1.example.net,ns2.example.net/192.0.2.53", op_locked=False, op_private_whois=True,
           op_autorenew="off", last_synced_at=utcnow() - dt.timedelta(hours=1))
    sandbox.reset_counters()
    page = api.get(f"{api.base}/domains/pagina.nl", timeout=10).json()
    assert sum(sandbox.counters()["calls"].values()) == 0
    assert page == {"domain": "pagina.nl", "status": "ACT", "whmcs_status": "Active", "expiry_date": "2027-07-25",
                    "nameservers": ["ns1.example.net", "ns2.example.net/192.0.2.53"], "locked": False,
                    "lockable": True, "id_protection": True, "autorenew": "off"}
    # A change queued since the sync read it: the page asks Openprovider, once.
    api.outbox.enqueue(None, [NewCommand("set_lock", "pagina.nl", {"domain": "pagina.nl", "locked": True})])
    live = api.get(f"{api.base}/domains/pagina.nl", timeout=10).json()
    assert live["locked"] is True and sandbox.counters()["calls"] == {"list_domains": 1}


def sync_run(api: Any, started_at: dt.datetime) -> int:
    return record_sync_run(api.engine, api.openprovider, started_at)


def test_a_gtld_verification_comes_from_the_latest_sync_run_while_the_mirror_is_current(  # noqa: ANN001
        api: Any, sandbox: Sandbox) -> None:
    deadline = (utcnow() + dt.timedelta(days=12)).strftime("%Y-%m-%d 10:00:00")
    [ann, bob] = sandbox.seed(customers=[{**VERIFYING_OWNER, "email": "ann@example.net"},
                                         {**VERIFYING_OWNER, "email": "bob@example.net"}])["customers"]
    sandbox.seed(verifications=[{"email": "ann@example.net", "expiration_date": deadline}],
                 domains=[{"name": "wachtend.com", "status": "ACT", "owner_handle": ann},
                          {"name": "bevestigd.com", "status": "ACT", "owner_handle": bob}])
    for name in ("wachtend.com", "bevestigd.com"):
        mirror(api.engine, name=name, op_status="ACT", last_synced_at=utcnow() - dt.timedelta(hours=2))
    sync_run(api, utcnow() - dt.timedelta(hours=1))
    sandbox.reset_counters()

    pending = api.get(f"{api.base}/domains/wachtend.com/verification", timeout=10).json()
    calm = api.get(f"{api.base}/domains/bevestigd.com/verification", timeout=10).json()
    assert sum(sandbox.counters()["calls"].values()) == 0
    assert pending == {"domain": "wachtend.com", "applies": True, "status": None, "email": "ann@example.net",
                       "pending": True, "suspended": False, "suspension_date": deadline[:10]}
    assert calm == {"domain": "bevestigd.com", "applies": True, "status": None, "email": None, "pending": False,
                    "suspended": False, "suspension_date": None}

    # Work queued for the domain since the sync read it: the mirror is stale, the read live.
    api.outbox.enqueue(None, [NewCommand("set_lock", "wachtend.com", {"domain": "wachtend.com", "locked": True})])
    live = api.get(f"{api.base}/domains/wachtend.com/verification", timeout=10).json()
    assert sandbox.counters()["calls"] == {"list_domain_email_verifications": 1}
    assert live == {**pending, "status": "in progress"}


def test_a_gtld_verification_is_read_live_unless_a_current_run_read_the_list(api: Any, sandbox: Sandbox) -> None:  # noqa: ANN001
    [bob] = sandbox.seed(customers=[{**VERIFYING_OWNER, "email": "bob@example.net"}])["customers"]
    sandbox.seed(domains=[{"name": "bevestigd.com", "status": "ACT", "owner_handle": bob}])
    mirror(api.engine, name="bevestigd.com", op_status="ACT", last_synced_at=utcnow() - dt.timedelta(hours=1))
    path = f"{api.base}/domains/bevestigd.com/verification"
    api.openprovider.tlds.get("com")  # log in now: the counts below start with a valid token

    def calls_of_a_read() -> dict[str, int]:
        sandbox.reset_counters()
        assert api.get(path, timeout=10).json()["pending"] is False
        return sandbox.counters()["calls"]

    # No finished run yet; then one that started before the mirror read the domain: live,
    # and a domain without any verification costs the second call that finds it.
    assert calls_of_a_read() == {"list_domain_email_verifications": 1, "list_domains": 1}
    sync_run(api, utcnow() - dt.timedelta(hours=3))
    assert calls_of_a_read() == {"list_domain_email_verifications": 1, "list_domains": 1}
    sync_run(api, utcnow())
    assert calls_of_a_read() == {}
    # The latest run could not read the list: its silence says nothing of the domain.
    sandbox.set_faults(error_rate=1.0, operations=["list_domain_email_verifications"])
    sync_run(api, utcnow())
    sandbox.set_faults()
    assert calls_of_a_read() == {"list_domain_email_verifications": 1, "list_domains": 1}


def test_sync_never_gives_a_provisional_date_and_names_a_failed_request(api: Any, sandbox: Sandbox) -> None:  # noqa: ANN001
    sandbox.seed(domains=[{"name": "wacht.nl", "status": "REQ"}, {"name": "mislukt.nl", "status": "FAI"}])
    mirror(api.engine, name="wacht.nl", op_status="REQ", op_expiration_date=dt.date(2027, 1, 1),
           last_synced_at=utcnow())
    waiting = api.get(f"{api.base}/domains/wacht.nl/sync", timeout=10).json()
    assert (waiting["source"], waiting["expiry_date"], waiting["transfer"]["completed"]) == ("openprovider", None, False)
    failed = api.get(f"{api.base}/domains/mislukt.nl/sync", timeout=10).json()
    assert failed["transfer"] == {"completed": False, "failed": True,
                                  "reason": "The domain name request has failed (Openprovider status FAI)."}
    missing = api.get(f"{api.base}/domains/nergens.nl/sync", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert api.get(f"{api.base}/domains/spiegel.nl/sync", headers={"Authorization": "Bearer nope"},
                   timeout=10).status_code == 401


def test_a_domain_the_account_no_longer_holds_was_transferred_away(api: Any, sandbox: Sandbox) -> None:  # noqa: ANN001
    # The pull-sync saw weg.nl active here two weeks ago; Openprovider no longer lists it.
    mirror(api.engine, name="weg.nl", op_status="ACT", op_expiration_date=dt.date(2027, 3, 1),
           last_synced_at=utcnow() - dt.timedelta(days=14))
    gone = api.get(f"{api.base}/domains/weg.nl/sync", timeout=10).json()
    assert (gone["transferred_away"], gone["active"], gone["expiry_date"]) == (True, False, None)
    assert gone["whmcs_status"] == "Transferred Away"
    # A domain opbridge never saw active is unknown, not transferred away.
    mirror(api.engine, name="nooit.nl", op_status="REQ", last_synced_at=utcnow() - dt.timedelta(days=14))
    assert api.get(f"{api.base}/domains/nooit.nl/sync", timeout=10).status_code == 404
    sandbox.seed(domains=[{"name": "hier.nl", "status": "ACT", "expiration_date": "2027-08-01"}])
    assert api.get(f"{api.base}/domains/hier.nl/sync?live=1", timeout=10).json()["transferred_away"] is False


def test_suggestions_are_checked_with_premium_prices_and_bad_terms_refused(api: Any, sandbox: Sandbox) -> None:  # noqa: ANN001
    sandbox.seed(domains=[{"name": "bakkerij.nl", "status": "ACT"}],
                 premium={"getbakkerij.com": {"create": "499.00", "renew": "350.00"}})
    answer = api.get(f"{api.base}/suggestions", params={"name": "bakkerij", "tld": ["com", ".nl"], "limit": 3},
                     timeout=10)
    assert answer.status_code == 200, answer.text
    assert [(r["domain"], r["status"], r["available"]) for r in answer.json()["results"]] == [
        ("bakkerij.com", "free", True), ("getbakkerij.com", "premium", True), ("getbakkerij.nl", "free", True)]
    assert answer.json()["results"][1]["premium_price"] == {"amount": "499.0", "currency": "EUR"}
    assert answer.json()["results"][1]["premium_renew_price"] == {"amount": "350.0", "currency": "EUR"}
    refused = api.get(f"{api.base}/suggestions", params={"name": "no spaces"}, timeout=10)
    assert refused.status_code == 400 and refused.json()["details"].keys() == {"name"}
