"""The margin guard against both sandboxes over HTTP: a WHMCS whose prices (in USD, its
default currency) put some TLD terms below Openprovider's cost (in EUR), found by the
audit, shown on the dashboard and in /metrics, told once by the sync report."""
from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest
import requests
from sqlalchemy import insert

from listener import create_app
from core.settings import load_settings
from opclient import OpenproviderClient
from outbox.catalogue import refresh_catalogue
from outbox.catalogue.audit import NoExchangeRate, run_audit, stored_findings
from outbox.models import PremiumRenewal
from outbox.values import utcnow
from outbox.sync import report
from tests.dashboard.test_pages import TOKEN, Dashboard
from tests.support import serve_wsgi
from whmcsapi.client import WhmcsClient
from whmcssandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET
from whmcssandbox import create_app as create_whmcs

WHMCS_PRICES = {
    # USD; Openprovider's EUR costs at 1 EUR = 1.25 USD: .com 9.50 -> 11.88, .es 8.00 -> 10.00
    "com": {"register": {"1": "14.95", "2": "22.00"}, "renew": {"1": "11.00"}, "transfer": {"1": "12.00"}},
    "es": {"register": {"1": "12.00"}, "renew": {"1": "12.00"}, "transfer": {"1": "0.00"}},
    "shop": {"register": {"1": "1.00"}},  # not sold by Openprovider here: not audited
}


@pytest.fixture
def whmcs_url() -> Any:
    with serve_wsgi(create_whmcs()) as url:
        requests.post(f"{url}/_sandbox/seed", json={
            "currencies": [{"code": "USD", "rate": "1"}, {"code": "EUR", "rate": "0.8"}],
            "tld_pricing": WHMCS_PRICES}, timeout=10).raise_for_status()
        yield url


def test_the_audit_finds_terms_below_cost_in_whmcs_currency(sandbox, whmcs_url, fresh_database) -> None:  # noqa: ANN001
    database = fresh_database("sqlite")
    settings = load_settings(environ={}, database_url=database, admin_tokens=TOKEN, op_url=sandbox.url,
                             op_username="sandbox", op_password="sandbox", whmcs_url=whmcs_url,
                             whmcs_identifier=DEFAULT_IDENTIFIER, whmcs_secret=DEFAULT_SECRET)
    app = create_app(settings)
    engine = app.extensions["opbridge"].engine
    with OpenproviderClient(sandbox.url, "sandbox", "sandbox") as client:
        refresh_catalogue(client, engine)
    with engine.begin() as conn:
        conn.execute(insert(PremiumRenewal.__table__).values(
            domain="gold.com", currency="EUR", renew_price=Decimal("950.00"), previous_price=Decimal("900.00"),
            checked_at=utcnow(), changed_at=utcnow()))
    with WhmcsClient(whmcs_url, DEFAULT_IDENTIFIER, DEFAULT_SECRET) as whmcs:
        findings = {(f.subject, f.operation): f for f in run_audit(engine, whmcs)}
    assert set(findings) == {(".com", "register 2y"), (".com", "renew 1y"), (".es", "transfer 1y"),
                             ("gold.com", "renew")}
    assert (findings[".com", "register 2y"].sell_price, findings[".com", "register 2y"].cost_price) == (
        Decimal("22.00"), Decimal("23.75"))
    assert findings[".com", "renew 1y"].currency == "USD" and findings[".es", "transfer 1y"].cost_price == Decimal("10.00")

    with serve_wsgi(app) as url:
        metrics = requests.get(f"{url}/metrics", timeout=10).text
        assert 'opbridge_margin_findings{kind="below_cost"} 3.0' in metrics
        assert 'opbridge_margin_findings{kind="premium_renewal"} 1.0' in metrics
        dashboard = Dashboard(url, None)
        dashboard.page("/admin/")
        dashboard.submit("/admin/login", {"token": TOKEN})
        page = dashboard.page("/admin/margins").text
        assert "register 2y" in page and "23.75" in page and "gold.com" in page and "premium renewal changed" in page

    # The sync report carries what is new since the last one: all of it now, none after.
    first_seen = stored_findings(engine)[0]["first_seen_at"]
    text = report.render_text({"id": 1, "trigger": "cli", "started_at": utcnow(), "domains_checked": 0,
                               "dry_run": False}, [], stored_findings(engine))
    assert "New margin findings" in text and "register 2y" in text and "gold.com" in text
    assert stored_findings(engine, since=first_seen) == []


def test_without_a_rate_for_openprovider_s_currency_the_audit_says_so(sandbox, fresh_database) -> None:  # noqa: ANN001
    with serve_wsgi(create_whmcs()) as url:
        requests.post(f"{url}/_sandbox/seed", json={"currencies": [{"code": "USD", "rate": "1"}],
                                                   "tld_pricing": WHMCS_PRICES}, timeout=10).raise_for_status()
        from outbox.db import make_engine, upgrade

        engine = make_engine(fresh_database("sqlite"))
        upgrade(engine)
        with OpenproviderClient(sandbox.url, "sandbox", "sandbox") as client:
            refresh_catalogue(client, engine)
        with WhmcsClient(url, DEFAULT_IDENTIFIER, DEFAULT_SECRET) as whmcs, pytest.raises(NoExchangeRate, match="EUR"):
            run_audit(engine, whmcs)
        engine.dispose()


def test_cli_audit_prints_json(sandbox, whmcs_url, tmp_path) -> None:  # noqa: ANN001
    env = {"OPBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path}/audit.db", "OPBRIDGE_OP_URL": sandbox.url,
           "OPBRIDGE_OP_USERNAME": "sandbox", "OPBRIDGE_OP_PASSWORD": "sandbox", "OPBRIDGE_WHMCS_URL": whmcs_url,
           "OPBRIDGE_WHMCS_IDENTIFIER": DEFAULT_IDENTIFIER, "OPBRIDGE_WHMCS_SECRET": DEFAULT_SECRET, "PATH": "/usr/bin"}
    script = ("from opbridge.cli import main; import sys; sys.argv=['opbridge','tlds','refresh']; "
              "\ntry: main()\nexcept SystemExit: pass\nsys.argv=['opbridge','tlds','audit','--json']; main()")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout[done.stdout.index("["):])
    assert {(row["subject"], row["operation"]) for row in rows} == {(".com", "register 2y"), (".com", "renew 1y"),
                                                                   (".es", "transfer 1y")}
