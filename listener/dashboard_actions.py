"""The dashboard's changes beyond a replay: discard, the selection's replay and discard,
"run sync now", and closing a circuit.

As everywhere in the dashboard, a GET shows what will happen and asks; its form POSTs the
change, with the session's CSRF token.
"""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from listener.dashboard import back_to, bp, check_csrf, find_command, readable_domain
from listener.ids import MAX_ID
from listener.services import services
import outbox.handlers  # noqa: F401 - registers every handler: a circuit's command types are theirs
from outbox import circuits
from outbox.models import DEAD, DONE
from outbox.registry import registry
from outbox.values import NewCommand
from outbox.sync import REQUESTED_RUN_KEY

REASON_MAX = 1000
SELECTION_MAX = 500  # one page of the list, and one short transaction
SERVICES = ("openprovider", "whmcs", "configuration")


def _reason() -> str:
    reason = (request.form.get("reason") or "").strip()
    if not reason or len(reason) > REASON_MAX:
        abort(400, f"Say why in 1 to {REASON_MAX} characters: the reason stays in the command's history.")
    return reason


@bp.route("/commands/<id:command_id>/discard", methods=["GET", "POST"])
def discard(command_id: int) -> Any:
    """GET asks for a reason; the form it shows POSTs here to discard."""
    record = find_command(command_id)
    if request.method == "GET":
        if record["status"] != DEAD:
            abort(409, f"Command {command_id} is {record['status']}; only dead commands can be discarded.")
        return render_template("admin/confirm_discard.html", command=record, domain=readable_domain(record["aggregate_key"]))
    check_csrf()
    if not services().outbox.discard([command_id], _reason()):
        abort(409, f"Command {command_id} is {find_command(command_id)['status']}; only dead commands can be discarded.")
    flash(f"Command {command_id} is discarded; it stays, with the reason, until the purge.")
    return redirect(url_for("dashboard.command", command_id=command_id))


def _selected(values: Any) -> list[int]:
    raw = values.getlist("id")
    if not raw:
        abort(400, "Select at least one command.")
    if len(raw) > SELECTION_MAX or not all(value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID for value in raw):
        abort(400, f"Select 1 to {SELECTION_MAX} commands by id.")
    return sorted({int(value) for value in raw})


@bp.route("/commands/selection", methods=["GET", "POST"])
def selection() -> Any:
    """The list's checked commands: GET asks (with a reason for a discard), POST replays or discards."""
    action = request.values.get("action")
    if action not in ("replay", "discard"):
        abort(400, "Choose replay or discard.")
    ids = _selected(request.values)
    if request.method == "GET":
        return render_template("admin/confirm_selection.html", action=action, ids=ids,
                               allowed=(DEAD,) if action == "discard" else (DEAD, DONE))
    check_csrf()
    outbox = services().outbox
    changed = outbox.discard(ids, _reason()) if action == "discard" else outbox.replay(ids)
    left = len(ids) - len(changed)
    done = "discarded" if action == "discard" else "pending again"
    flash(f"{len(changed)} command{'s' if len(changed) != 1 else ''} {done}"
          + (f"; {left} left alone (no longer {'dead' if action == 'discard' else 'dead or done'})." if left else "."))
    return redirect(back_to(url_for("dashboard.commands")))


@bp.route("/sync/run", methods=["GET", "POST"])
def run_sync_now() -> Any:
    """Queue a sync run for a worker, as ``POST /api/v1/sync/runs`` does."""
    if request.method == "GET":
        return render_template("admin/confirm_sync.html")
    check_csrf()
    dry_run = request.form.get("dry_run") == "on"
    stored = services().outbox.enqueue(None, [NewCommand("run_sync", REQUESTED_RUN_KEY, {"dry_run": dry_run})])
    flash(f"A worker runs the {'dry ' if dry_run else ''}sync now (command {stored.command_ids[0]}); "
          "it shows under Recent sync runs once it starts.")
    return redirect(url_for("dashboard.overview"))


@bp.route("/circuits/<service>/close", methods=["GET", "POST"])
def close_circuit(service: str) -> Any:
    """Resume calls after the cause was fixed outside opbridge; the row keeps who closed it."""
    if service not in SERVICES:
        abort(404, "There is no such circuit.")
    outbox = services().outbox
    if request.method == "GET":
        opened = [row for row in circuits.open_circuits(outbox.engine, outbox.clock()) if row["service"] == service]
        if not opened:
            abort(409, f"The {service} circuit is not open.")
        return render_template("admin/confirm_circuit.html", circuit=opened[0])
    check_csrf()
    due = circuits.close(outbox.engine, service, registry.types_of(service), outbox.clock(),
                         f"the dashboard, from {request.remote_addr}")
    if due is None:
        abort(409, f"The {service} circuit is not open.")
    flash(f"The {service} circuit is closed: {due} command(s) due now.")
    return redirect(url_for("dashboard.overview"))
