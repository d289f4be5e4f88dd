"""The dashboard's pages beside the queue: the workers running now, and the events received.

Both read a page of rows by index (workers are few; events go by id, newest first), so
they answer in the same few milliseconds however many done commands the database holds.
"""
from __future__ import annotations

from typing import Any

from flask import abort, render_template, request

from listener.dashboard import bp, id_arg
from listener.hooks import WEBHOOK_ID
from listener.services import services
from outbox import event_log, workers

PAGE = 50


@bp.get("/workers", endpoint="workers")
def workers_page() -> Any:
    outbox = services().outbox
    return render_template("admin/workers.html", workers=workers.live(outbox.engine), now=outbox.clock(),
                           lease=outbox.lease, held_shown=workers.HELD_SHOWN)


@bp.get("/events", endpoint="events")
def events_page() -> Any:
    refused = request.args.get("show") == "refused"
    before = id_arg(request.args, "before")
    read = event_log.refused if refused else event_log.accepted
    rows = read(services().engine, PAGE, before)
    return render_template("admin/events.html", rows=rows, refused=refused, paged=before is not None,
                           older=rows[-1]["id"] if len(rows) == PAGE else None)


@bp.get("/events/<webhook_id>")
def event(webhook_id: str) -> Any:
    record = services().outbox.get_event(webhook_id) if WEBHOOK_ID.fullmatch(webhook_id) else None
    if record is None:
        abort(404, f"No event with webhook id {webhook_id!r} was received (or it was purged).")
    return render_template("admin/event.html", event=record)
