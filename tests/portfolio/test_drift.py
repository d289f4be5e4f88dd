"""`opbridge portfolio drift` against seeded sandboxes holding every kind of disagreement."""
from __future__ import annotations

import csv
import io
import json

import requests
from click.testing import CliRunner

from listener import create_app
from opbridge.cli import cli
from outbox.portfolio import drift_records
from outbox.portfolio.drift_run import run_drift
from outbox.scheduler import SyncScheduler
from tests.sync.conftest import day
from tests.sync.test_cli import environment
from tests.support import serve_wsgi
from tests.sync.test_rules import op_domain, whmcs_domain

EXPECTED = {
    ("unbilled.com", "missing_in_whmcs", None, "ACT", "import"),
    ("cancelled.com", "missing_in_whmcs", "Cancelled", "ACT", "import"),
    ("elsewhere.com", "other_registrar", "enom", "ACT", "move-registrar"),
    ("gone.com", "missing_in_account", "Active", None, "transfer-in"),
    ("expiry.com", "expiry_date", day(100), day(130), "sync"),
    ("lapsed.com", "status", "Expired", "ACT", "sync"),
    ("renewing.com", "autorenew", "off", "default", "sync"),
    ("private.com", "id_protection", "on", "off", "sync"),
    ("failed.com", "problem", "Pending Transfer", "FAI", "review"),
}


def seed(harness) -> None:  # noqa: ANN001
    harness.whmcs.seed({"domains": [
        whmcs_domain("agree.com", day(200), day(190)),
        whmcs_domain("cancelled.com", day(200), day(190), status="Cancelled"),
        whmcs_domain("elsewhere.com", day(200), day(190), registrar="enom"),
        whmcs_domain("gone.com", day(200), day(190)),
        whmcs_domain("ordered.com", None, None, status="Pending Registration"),
        whmcs_domain("expiry.com", day(100), day(90)),
        whmcs_domain("lapsed.com", day(200), day(190), status="Expired"),
        whmcs_domain("renewing.com", day(200), day(190), donotrenew=True),
        whmcs_domain("private.com", day(200), day(190), idprotection=True),
        whmcs_domain("failed.com", None, None, status="Pending Transfer"),
        whmcs_domain("theirs.com", day(200), day(190), registrar="enom"),
    ]})
    harness.openprovider.seed({"domains": [
        op_domain(name, day(200)) for name in
        ("agree.com", "unbilled.com", "cancelled.com", "elsewhere.com", "lapsed.com", "renewing.com", "private.com")
    ] + [op_domain("expiry.com", day(130)), op_domain("failed.com", day(200), status="FAI")]})


def test_every_kind_of_drift_is_found_with_its_action_and_a_changed_report_is_mailed(harness) -> None:
    seed(harness)

    first = run_drift(harness.services, harness.outbox, clock=harness.clock)
    rows = drift_records.load_findings(harness.engine, first)
    assert {(r["domain"], r["kind"], r["whmcs_value"], r["op_value"], r["action"]) for r in rows} == EXPECTED
    report = drift_records.load_report(harness.engine, first)
    assert (report["whmcs_domains"], report["account_domains"], report["findings"], report["changed"]) == (11, 9, 9, True)

    # Nothing changed: the scheduled report is stored and not mailed.
    same = run_drift(harness.services, harness.outbox, trigger="schedule", clock=harness.clock)
    assert not drift_records.load_report(harness.engine, same)["changed"]
    harness.drain()
    assert harness.emails() == []

    # One more disagreement: the scheduled report changed, and goes to the admins once.
    harness.openprovider.seed({"domains": [op_domain("newcomer.com", day(300))]})
    changed = run_drift(harness.services, harness.outbox, trigger="schedule", clock=harness.clock)
    harness.drain()
    [mail] = harness.emails()
    assert f"drift #{changed}: 10 finding(s)" in mail["subject"]
    assert "newcomer.com" in mail["message"] and "move-registrar" in mail["message"]
    assert drift_records.load_report(harness.engine, changed)["mailed"]


def test_drift_cli_prints_a_table_json_and_csv(database_url, harness) -> None:
    seed(harness)
    runner = CliRunner(env=environment(database_url, harness.whmcs.url, harness.openprovider.url))

    table = runner.invoke(cli, ["portfolio", "drift"])
    assert table.exit_code == 0, table.output
    assert "Drift report #1: 9 finding(s) over 11 WHMCS domain(s) and 9 in the account" in table.output
    assert "gone.com" in table.output and "transfer-in" in table.output

    as_json = json.loads(runner.invoke(cli, ["portfolio", "drift", "--report", "1", "--json"]).output)
    assert as_json["findings_by_kind"]["missing_in_whmcs"] == 2 and len(as_json["rows"]) == 9

    as_csv = runner.invoke(cli, ["portfolio", "drift", "--report", "1", "--kind", "status", "--csv", "-"])
    [row] = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert (row["domain"], row["whmcs_value"], row["op_value"], row["action"]) == ("lapsed.com", "Expired", "ACT", "sync")

    unknown = runner.invoke(cli, ["portfolio", "drift", "--report", "7"])
    assert unknown.exit_code == 1 and "There is no drift report 7." in unknown.output


def test_drift_page_metrics_and_the_weekly_schedule(make_harness) -> None:
    harness = make_harness(admin_tokens="drift-token-0123456789")
    seed(harness)
    scheduler = SyncScheduler(harness.services, harness.outbox, period=0)
    scheduler.drift_tick()  # none yet: due
    scheduler.drift_tick()  # a week has not passed: not due
    [report] = [drift_records.load_report(harness.engine)]
    assert (report["id"], report["trigger"]) == (1, "schedule")

    app = create_app(harness.settings)
    with serve_wsgi(app) as url:
        headers = {"Authorization": "Bearer drift-token-0123456789"}
        page = requests.get(f"{url}/admin/portfolio/drift", headers=headers, timeout=10)
        only_status = requests.get(f"{url}/admin/portfolio/drift?kind=status", headers=headers, timeout=10)
        metrics = requests.get(f"{url}/metrics", timeout=10).text
        refused = requests.get(f"{url}/admin/portfolio/drift", timeout=10, allow_redirects=False)
    assert page.status_code == 200 and "<b>9</b> findings" in page.text
    assert "gone.com" in page.text and "move-registrar" in page.text
    assert "lapsed.com" in only_status.text and "gone.com" not in only_status.text
    assert 'opbridge_drift_findings{kind="missing_in_whmcs"} 2.0' in metrics
    assert 'opbridge_drift_findings{kind="status"} 1.0' in metrics
    assert refused.status_code == 302  # the page needs a signed-in admin
