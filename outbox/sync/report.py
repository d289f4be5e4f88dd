"""The activity report of a run, as the manual's mail lays it out, in HTML and plain text.

WHMCS's SendAdminEmail takes one HTML ``custommessage``, so the mail is the HTML tables
followed by a plain-text section with the same rows in fixed-width columns, readable
where HTML is not rendered and easy to paste into a ticket. Every value is escaped.
"""
from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Sequence
from typing import Any

from core.tables import render as text_table
from outbox.sync.decisions import AUTORENEW, DUE_DATE, ERROR, EXPIRY, ID_PROTECTION, STATUS
from outbox.sync.verifications import VERIFICATION

MAIL_ROWS_PER_SECTION = 200  # the rest is one `opbridge sync report RUN` away
Row = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Section:
    kind: str
    heading: str
    headers: tuple[str, ...]  # after the Domain column
    cells: Callable[[Row], tuple[str, ...]]


def _invoice_cells(row: Row) -> tuple[str, ...]:
    moved = f"Invoices moved: {row['invoices']}." if row["invoices"] else ""
    comment = " ".join(part for part in (row["comment"], moved) if part)
    return _text(row["old_value"]), _text(row["new_value"]), "yes" if row["invoices"] else "no", comment


SECTIONS = (
    Section(EXPIRY, "The following domains have been processed for expiry date updates:",
            ("Old date", "New date"), lambda row: (_text(row["old_value"]), _text(row["new_value"]))),
    Section(DUE_DATE, "The following domains have been processed for due date updates:",
            ("Old date", "New date", "Invoice updated?", "Comments"), _invoice_cells),
    Section(STATUS, "The following domains have been processed for domain status updates:",
            ("Old status", "New status", "Comments"),
            lambda row: (_text(row["old_value"]), _text(row["new_value"]), _text(row["comment"]))),
    Section(AUTORENEW, "Auto-renew set at Openprovider to follow WHMCS:",
            ("Openprovider was", "Set to"), lambda row: (_text(row["old_value"]), _text(row["new_value"]))),
    Section(ID_PROTECTION, "ID protection (whois privacy) set at Openprovider to follow WHMCS:",
            ("Openprovider was", "Set to"), lambda row: (_text(row["old_value"]), _text(row["new_value"]))),
    Section(ERROR, "The following domains need attention:", ("Message",), lambda row: (_text(row["comment"]),)),
    Section(VERIFICATION, "Registrants who have not confirmed their e-mail address (ICANN verification); "
            "the domain is suspended on the date shown:", ("E-mail address", "Suspended on", "Comments"),
            lambda row: (_text(row["old_value"]), _text(row["new_value"]), _text(row["comment"]))),
)


# The margin audit's findings new since the last report (outbox.catalogue.audit).
MARGINS = Section("margins", "New margin findings since the last report (TLDs sold below Openprovider's cost, "
                  "premium renewal costs that changed):", ("Operation", "WHMCS price / was", "Cost / now", "Currency",
                                                           "Note"),
                  lambda row: (row["operation"], _text(row["sell_price"]), _text(row["cost_price"]), row["currency"],
                               _text(row["note"])))


def subject(run: Row, changes: Sequence[Row]) -> str:
    errors = sum(1 for row in changes if row["kind"] == ERROR)
    pending = sum(1 for row in changes if row["kind"] == VERIFICATION)
    dry = " (dry run)" if run["dry_run"] else ""
    waiting = f", {pending} registrant verification(s) pending" if pending else ""
    return (f"Openprovider domain sync #{run['id']}: {len(changes) - errors - pending} change(s), "
            f"{errors} error(s){waiting}{dry}")


def render_html(run: Row, changes: Sequence[Row], admin_url: str = "", margins: Sequence[Row] = ()) -> str:
    parts = [
        "<p>Dear Administrator,</p>",
        "<p>Please find the domain synchronisation update below for your Openprovider domains.</p>",
        f"<p>{_escape(_summary(run))}</p>",
    ]
    for section in SECTIONS:
        rows = [row for row in changes if row["kind"] == section.kind]
        parts.append(f"<p><strong>{_escape(section.heading)}</strong></p>")
        parts.append(_html_table(section, rows, admin_url))
        parts.append(_more_note(rows, run, html_form=True))
    if margins:
        parts.append(f"<p><strong>{_escape(MARGINS.heading)}</strong></p>")
        parts.append(_html_table(MARGINS, [{**row, "domain": row["subject"]} for row in margins], ""))
    parts.append("<hr><p><strong>Plain text</strong></p>")
    parts.append(f"<pre>{_escape(render_text(run, changes, margins))}</pre>")
    return "\n".join(part for part in parts if part)


def render_text(run: Row, changes: Sequence[Row], margins: Sequence[Row] = ()) -> str:
    lines = [_summary(run)]
    margin_rows = [{**row, "domain": row["subject"], "kind": MARGINS.kind} for row in margins]
    for section in (*SECTIONS, MARGINS) if margins else SECTIONS:
        rows = [row for row in (*changes, *margin_rows) if row["kind"] == section.kind]
        lines += ["", section.heading]
        if not rows:
            lines.append("  none")
            continue
        columns = ("Domain", *section.headers)
        records = [dict(zip(columns, (row["domain"], *section.cells(row)))) for row in rows[:MAIL_ROWS_PER_SECTION]]
        lines.append(text_table(records, columns))
        note = _more_note(rows, run, html_form=False)
        if note:
            lines.append(note)
    return "\n".join(lines) + "\n"


def _summary(run: Row) -> str:
    dry = " Dry run: nothing was written." if run["dry_run"] else ""
    message = f" {run['message']}" if run.get("message") else ""
    return (f"Sync run #{run['id']} ({run['trigger']}) started {run['started_at']:%Y-%m-%d %H:%M} UTC: "
            f"{run['domains_checked']} domain(s) checked.{dry}{message}")


def _html_table(section: Section, rows: Sequence[Row], admin_url: str) -> str:
    headers = ("Domain", *section.headers)
    head = "".join(f"<th align=\"left\">{_escape(header)}</th>" for header in headers)
    if rows:
        body = "".join(
            "<tr>" + f"<td>{_domain_cell(row, admin_url)}</td>"
            + "".join(f"<td>{_escape(cell)}</td>" for cell in section.cells(row)) + "</tr>"
            for row in rows[:MAIL_ROWS_PER_SECTION]
        )
    else:
        body = f"<tr><td colspan=\"{len(headers)}\">None.</td></tr>"
    return f"<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><tr>{head}</tr>{body}</table>"


def _domain_cell(row: Row, admin_url: str) -> str:
    name = _escape(row["domain"])
    if not admin_url or row.get("whmcs_domain_id") is None:
        return name
    link = f"{admin_url}/clientsdomains.php?id={int(row['whmcs_domain_id'])}"
    return f"<a href=\"{_escape(link)}\">{name}</a>"


def _more_note(rows: Sequence[Row], run: Row, html_form: bool) -> str:
    hidden = len(rows) - MAIL_ROWS_PER_SECTION
    if hidden <= 0:
        return ""
    note = f"... and {hidden} more: run `opbridge sync report {run['id']}` to see them all."
    return f"<p>{_escape(note)}</p>" if html_form else note


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _escape(value: Any) -> str:
    return html.escape(_text(value), quote=True)
