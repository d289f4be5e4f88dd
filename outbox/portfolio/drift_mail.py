"""The drift report as a mail to the WHMCS admins, sent through SendAdminEmail like the sync report."""
from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from core.tables import render as text_table
from outbox.portfolio import drift_records
from outbox.portfolio.drift import KINDS
from outbox.portfolio.drift_run import SEND_DRIFT_REPORT
from outbox.registry import Context, PermanentFailure, registry

MAIL_ROWS = 200  # the rest is one `opbridge portfolio drift --report ID` away
COLUMNS = ("domain", "kind", "whmcs_value", "op_value", "action")
WHMCS = "whmcs"


def subject(report: dict[str, Any]) -> str:
    return f"Openprovider portfolio drift #{report['id']}: {report['findings']} finding(s)"


def render_html(report: dict[str, Any], counts: dict[str, int], rows: Sequence[dict[str, Any]]) -> str:
    summary = "".join(f"<tr><td>{kind}</td><td>{counts[kind]}</td></tr>" for kind in KINDS if counts.get(kind))
    head = "".join(f"<th>{column}</th>" for column in COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(row[column] or ''))}</td>" for column in COLUMNS)
                   + "</tr>" for row in rows)
    more = report["findings"] - len(rows)
    return "".join([
        "<p>Dear Administrator,</p>",
        f"<p>WHMCS and the Openprovider account disagree on {report['findings']} point(s) "
        f"({report['whmcs_domains']} WHMCS domain(s), {report['account_domains']} in the account).</p>",
        f"<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><tr><th>kind</th><th>count</th></tr>{summary}</table>",
        f"<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><tr>{head}</tr>{body}</table>",
        f"<p>{more} more: <code>opbridge portfolio drift --report {report['id']}</code>.</p>" if more > 0 else "",
        f"<pre>{html.escape(text_table(rows, COLUMNS))}</pre>",
    ])


@registry.register(SEND_DRIFT_REPORT, service=WHMCS)
def send_drift_report(context: Context) -> str:
    engine = context.services.engine
    report_id = context.payload["report_id"]
    report = drift_records.load_report(engine, report_id)
    if report is None:
        raise PermanentFailure(f"Drift report {report_id} does not exist (purged?).", "unknown_report")
    if report["mailed"]:
        return "already sent"
    rows = drift_records.load_findings(engine, report_id, limit=MAIL_ROWS)
    context.services.whmcs.send_admin_email(
        subject(report), render_html(report, drift_records.count_by_kind(engine, report_id), rows), type="system")
    drift_records.mark_mailed(engine, report_id)
    return f"sent drift report {report_id} ({report['findings']} finding(s))"
