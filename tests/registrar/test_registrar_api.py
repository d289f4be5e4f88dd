"""``/api/v1/registrar/…/sync`` answers from the mirror only while it is current, with the
pull-sync's status map and expiry source; otherwise live at the sandbox."""
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
from tests.support import serve_wsgi

TOKEN = "registrar-api-token-8c1d"


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
