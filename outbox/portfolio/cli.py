"""``opbridge portfolio``: drift, transfer-in, status and import."""
from __future__ import annotations

import csv
import sys
from typing import Any

import click

from opbridge.settings import require
from opbridge.tables import echo_json, echo_records
from outbox.portfolio import drift_records
from outbox.portfolio.drift import KINDS
from outbox.portfolio.drift_run import DriftBusy, run_drift
from outbox.sync.cli import PhaseProgress

READS_BOTH = ("whmcs_url", "whmcs_identifier", "whmcs_secret", "op_url", "op_username", "op_password")
DRIFT_COLUMNS = ("domain", "kind", "whmcs_value", "op_value", "action")
CSV_COLUMNS = (*DRIFT_COLUMNS, "whmcs_domain_id", "client_id")


def runtime() -> Any:
    """The ``Runtime`` the top-level ``opbridge`` group put on the context."""
    return click.get_current_context().obj


@click.group()
def portfolio() -> None:
    """Whole-portfolio work: drift between WHMCS and the account, bulk transfers in, import."""


@portfolio.command("drift")
@click.option("--report", "report_id", type=int, help="Show a stored report instead of making a new one.")
@click.option("--kind", type=click.Choice(KINDS), help="Only findings of this kind.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--csv", "csv_file", type=click.File("w"), help="Also write the findings as CSV to this file (- for stdout).")
def drift(report_id: int | None, kind: str | None, as_json: bool, csv_file: Any) -> None:
    """Compare WHMCS with the Openprovider account and list every disagreement with its action."""
    run = runtime()
    engine = run.engine
    run.outbox  # noqa: B018 - brings an embedded database's schema up to date first
    if report_id is None:
        require(run.settings, *READS_BOTH)
        progress = PhaseProgress() if sys.stderr.isatty() else None
        try:
            report_id = run_drift(run.services, run.outbox, trigger="cli",
                                  progress=(lambda done, total: progress("read", done, total)) if progress else None)
        except DriftBusy as busy:
            raise click.ClickException(str(busy)) from None
        finally:
            if progress:
                progress.close()
    report = drift_records.load_report(engine, report_id)
    if report is None:
        raise click.ClickException(f"There is no drift report {report_id}.")
    rows = drift_records.load_findings(engine, report_id, kind=kind)
    if csv_file is not None:
        writer = csv.DictWriter(csv_file, CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        if csv_file is sys.stdout or getattr(csv_file, "name", "") == "<stdout>":
            return
    if as_json:
        echo_json(report | {"findings_by_kind": drift_records.count_by_kind(engine, report_id), "rows": rows})
        return
    click.echo(f"Drift report #{report['id']}: {report['findings']} finding(s) over {report['whmcs_domains']} "
               f"WHMCS domain(s) and {report['account_domains']} in the account"
               f"{', changed since the last report' if report['changed'] else ''}.")
    echo_records(rows, DRIFT_COLUMNS, False)
