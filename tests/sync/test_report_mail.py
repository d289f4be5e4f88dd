"""The report mail as the WHMCS sandbox received it, for a seeded scenario with one case per section."""
from __future__ import annotations

from html.parser import HTMLParser

from tests.sync.conftest import day
from tests.sync.test_rules import op_domain, whmcs_domain


class Tables(HTMLParser):
    """The text of every table cell, table by table, row by row; and the <pre> text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.links: list[str] = []
        self.pre = ""
        self._cell: list[str] | None = None
        self._in_pre = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a":
            self.links.append(dict(attrs)["href"])
        elif tag == "pre":
            self._in_pre = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "pre":
            self._in_pre = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in_pre:
            self.pre += data


def parsed(message: str) -> Tables:
    tables = Tables()
    tables.feed(message)
    return tables


def test_the_report_mail_lists_each_change_in_its_section(harness) -> None:
    harness.whmcs.seed({
        "domains": [
            whmcs_domain("expiry.com", day(50), day(40)),
            whmcs_domain("status.com", day(80), day(70), status="Expired"),
            whmcs_domain("autorenew.com", day(80), day(70), donotrenew=True),
            whmcs_domain("private.com", day(80), day(70), idprotection=True),
            whmcs_domain("missing.com", day(80), day(70)),
        ],
        "invoices": [{"duedate": day(40), "items": [{"type": "Domain", "domain": "expiry.com"}]}],
    })
    harness.openprovider.seed({"domains": [
        op_domain("expiry.com", day(60)), op_domain("status.com", day(80)), op_domain("autorenew.com", day(80)),
        op_domain("private.com", day(80)),
    ]})

    run_id = harness.sync_and_drain()

    [mail] = harness.emails()
    assert mail["type"] == "system"
    assert mail["subject"] == f"Openprovider domain sync #{run_id}: 5 change(s), 1 error(s)"
    expiry, due, status, autorenew, id_protection, errors, verifications = parsed(mail["message"]).tables
    assert expiry == [["Domain", "Old date", "New date"], ["expiry.com", day(50), day(60)]]
    assert due == [["Domain", "Old date", "New date", "Invoice updated?", "Comments"],
                   ["expiry.com", day(40), day(50), "yes", "Invoices moved: 1."]]
    assert status[1:] == [["status.com", "Expired", "Active", ""]]
    assert autorenew[1:] == [["autorenew.com", "default", "off"]]
    assert id_protection[1:] == [["private.com", "off", "on"]]
    assert verifications[1:] == [["None."]]
    assert errors[1][0] == "missing.com" and "Not found in the Openprovider account" in errors[1][1]
    report = parsed(mail["message"])
    assert f"{harness.whmcs.url}/admin/clientsdomains.php?id=1" in report.links
    assert "expiry.com" in report.pre and "INVOICE UPDATED?" in report.pre  # the plain-text part


def test_an_empty_run_is_mailed_only_when_empty_reports_are_on(make_harness) -> None:
    quiet = make_harness(send_empty_reports=False)
    quiet.whmcs.seed({"domains": [whmcs_domain("calm.com", day(80), day(70))]})
    quiet.openprovider.seed({"domains": [op_domain("calm.com", day(80))]})
    quiet.sync_and_drain()
    assert quiet.emails() == []

    chatty = make_harness(send_empty_reports=True)
    run_id = chatty.sync_and_drain()

    [mail] = chatty.emails()
    assert mail["subject"] == f"Openprovider domain sync #{run_id}: 0 change(s), 0 error(s)"
    assert "1 domain(s) checked" in mail["message"]
    assert chatty.run(run_id)["report_sent"] is True
