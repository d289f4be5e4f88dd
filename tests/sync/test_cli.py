"""`opbridge sync run` and `opbridge sync report` against both sandboxes."""
from __future__ import annotations

import json

from click.testing import CliRunner

from opbridge.cli import cli
from tests.sync.conftest import day
from tests.sync.test_rules import op_domain, whmcs_domain
from whmcssandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET


def environment(database_url: str, whmcs_url: str, op_url: str) -> dict[str, str]:
    return {
        "OPBRIDGE_DATABASE_URL": database_url, "OPBRIDGE_WHMCS_URL": whmcs_url,
        "OPBRIDGE_WHMCS_IDENTIFIER": DEFAULT_IDENTIFIER, "OPBRIDGE_WHMCS_SECRET": DEFAULT_SECRET,
        "OPBRIDGE_OP_URL": op_url, "OPBRIDGE_OP_USERNAME": "sandbox", "OPBRIDGE_OP_PASSWORD": "sandbox",
        "OPBRIDGE_LOG_FORMAT": "text", "OPBRIDGE_LOG_LEVEL": "WARNING",
    }


def test_sync_run_dry_then_drained_and_its_report(database_url, whmcs_side, openprovider_side) -> None:
    whmcs_side.seed({"domains": [whmcs_domain("cli.com", day(100), day(90))]})
    openprovider_side.seed({"domains": [op_domain("cli.com", day(120))]})
    runner = CliRunner(env=environment(database_url, whmcs_side.url, openprovider_side.url))

    dry = runner.invoke(cli, ["sync", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run: nothing was written." in dry.output
    assert "no report: a dry run sends none" in dry.output and "report not sent" not in dry.output
    assert "cli.com" in dry.output and "expiry_date" in dry.output
    assert whmcs_side.admin("GET", "/domains/cli.com")["expirydate"] == day(100)
    dry_record = json.loads(runner.invoke(cli, ["sync", "report", "--json"]).output)
    assert dry_record["changes"] and all(not change["applied"] for change in dry_record["changes"])
    assert all("Dry run: a run would write this." in change["comment"] for change in dry_record["changes"])

    real = runner.invoke(cli, ["sync", "run", "--drain"])
    assert real.exit_code == 0, real.output
    assert "report sent" in real.output and "report not sent" not in real.output  # the drain ran the report
    assert whmcs_side.admin("GET", "/domains/cli.com")["expirydate"] == day(120)

    latest = runner.invoke(cli, ["sync", "report", "--json"])
    record = json.loads(latest.output)
    assert isinstance(record, dict) and record["started_at"].endswith("Z")
    assert (record["id"], record["trigger"], record["dry_run"]) == (2, "cli", False)
    assert {(c["kind"], c["new_value"]) for c in record["changes"]} == {("expiry_date", day(120)), ("due_date", day(110))}

    first = runner.invoke(cli, ["sync", "report", "1"])
    assert first.exit_code == 0 and "Sync run #1 (cli)" in first.output and "DOMAIN" in first.output

    unknown = runner.invoke(cli, ["sync", "report", "99"])
    assert unknown.exit_code == 1 and "There is no such sync run." in unknown.output
