"""Dashboard pages of whole-portfolio work: the latest drift report, and transfers in.

They are the dashboard's own (its blueprint, sign-in and layout), kept in a module of their own."""
from __future__ import annotations

from typing import Any

from flask import abort, render_template, request

from listener.dashboard import bp
from listener.services import services
from outbox.portfolio import drift_records, transfer_batch
from outbox.portfolio.drift import KINDS

SHOWN = 1000


@bp.get("/portfolio/drift")
def drift() -> Any:
    engine = services().engine
    report_id = request.args.get("report", type=int)
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    report = drift_records.load_report(engine, report_id)
    if report is None:
        if report_id is not None:
            abort(404, f"There is no drift report {report_id}.")
        return render_template("admin/drift.html", report=None, counts={}, rows=[], kinds=KINDS, kind=None,
                               shown=SHOWN)
    return render_template("admin/drift.html", report=report, kinds=KINDS, kind=kind, shown=SHOWN,
                           counts=drift_records.count_by_kind(engine, report["id"]),
                           rows=drift_records.load_findings(engine, report["id"], kind=kind, limit=SHOWN))


@bp.get("/portfolio/transfers")
@bp.get("/portfolio/transfers/<id:batch_id>")
def transfers(batch_id: int | None = None) -> Any:
    """A bulk transfer's domains and where each stands (the latest batch by default)."""
    engine = services().engine
    batch_id = batch_id or transfer_batch.latest_batch(engine)
    rows = transfer_batch.item_rows(engine, batch_id=batch_id, limit=SHOWN) if batch_id else []
    if batch_id and not rows:
        abort(404, f"There is no bulk transfer {batch_id}.")
    counts = transfer_batch.batch_counts(engine, batch_id) if batch_id else {}
    return render_template("admin/transfers.html", batch_id=batch_id, rows=rows, counts=counts, shown=SHOWN)
