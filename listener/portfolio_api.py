"""The admin API's portfolio routes: a bulk transfer in (checked, then queued), its status,
and the drift report. They are the admin API's own (its blueprint and token)."""
from __future__ import annotations

from typing import Any

from listener.admin import bp
from listener.api_common import load_body
from listener.errors import Refusal
from listener.openapi import operation
from listener.portfolio_schemas import DriftReportAnswer, TransferReport, TransferRequest, TransferStatus
from listener.services import services
from outbox.portfolio import drift_records, transfer_batch
from outbox.portfolio.transfer_batch import CheckFailed, check_rows, queue_rows
from outbox.portfolio.transfer_file import mark_repeats, read_row

EXAMPLE = '{"rows": [{"domain": "example.com", "auth_code": "...", "handle": "JS000001-NL"}], "apply": false}'


@bp.post("/portfolio/transfers")
@operation("Check a bulk transfer in and, with apply and no row in trouble, queue it",
           answers={200: TransferReport}, errors=(400, 422, 502), body=TransferRequest)
def transfer_in() -> dict[str, Any]:
    body = load_body(TransferRequest(), "invalid_transfer", EXAMPLE)
    rows = [read_row(line, {name: "" if value is None else str(value) for name, value in fields.items()})
            for line, fields in enumerate(body["rows"], start=1)]
    mark_repeats(rows)
    outbox = services().outbox
    try:
        check_rows(rows, services().clients, outbox.engine, retry_failed=body["retry_failed"])
    except CheckFailed as error:
        raise Refusal(502, "upstream_unreadable", str(error)) from None
    problems = sum(not row.ok for row in rows)
    # A file with problems is checked, not malformed: the report says which rows, and nothing is queued.
    wanted = 0 if problems else sum(not row.note.startswith("skipped") for row in rows)
    batch = queue_rows(rows, "admin API", services().clients, outbox) if body["apply"] and wanted else None
    return TransferReport().dump({"dry_run": not body["apply"], "problems": problems, "batch": batch,
                                  "queued": wanted if batch else 0, "rows": [row.record() for row in rows]})


@bp.get("/portfolio/transfers/<id:batch_id>")
@operation("Each domain of a bulk transfer and where it stands", answers={200: TransferStatus}, errors=(404,))
def transfer_status(batch_id: int) -> dict[str, Any]:
    engine = services().engine
    domains = transfer_batch.item_rows(engine, batch_id=batch_id)
    if not domains:
        raise Refusal(404, "not_found", f"There is no bulk transfer {batch_id}.")
    return TransferStatus().dump({"batch": batch_id, "counts": transfer_batch.batch_counts(engine, batch_id),
                                  "domains": domains})


@bp.get("/portfolio/drift")
@operation("The latest drift report between WHMCS and the account, with its findings",
           answers={200: DriftReportAnswer}, errors=(404,))
def drift() -> dict[str, Any]:
    engine = services().engine
    report = drift_records.load_report(engine)
    if report is None:
        raise Refusal(404, "not_found", "No drift report was made yet: run `opbridge portfolio drift`.")
    return DriftReportAnswer().dump(report | {"findings_by_kind": drift_records.count_by_kind(engine, report["id"]),
                                              "rows": drift_records.load_findings(engine, report["id"])})
