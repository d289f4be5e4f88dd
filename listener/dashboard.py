"""The dashboard at ``/admin``: what is stuck and why, and replaying it.

Server-rendered pages without JavaScript or external assets. Sign-in takes one of
OPBRIDGE_ADMIN_TOKENS, through the form (a session cookie follows) or an
``Authorization: Bearer`` header. Every POST carries a per-session CSRF token, the
cookie is HttpOnly and SameSite=Strict, and Secure when the request came over HTTPS.
Every change asks for confirmation first: a replay button leads to a page whose form
does the replay.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime
from typing import Any, NoReturn

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from listener.api_common import token_is_valid
from listener.charts import bar_chart
from listener.command_filter import BadFilter, CommandFilter
from listener.domains import normalise_domain
from listener.ids import MAX_ID
from listener.relative_time import relative
from listener.services import services
from core.times import json_default
from opclient.names import to_unicode
from outbox.circuits import open_circuits
from outbox.catalogue.audit import stored_findings
from outbox.catalogue.entries import tlds as catalogue_tlds
from outbox.mirror import mirrored
from outbox.values import utcnow
from outbox.models import DEAD, DONE, PENDING, RUNNING, STATUSES
from outbox.sync.records import load_changes, load_run, load_runs
from outbox.sync.verifications import pending_verifications

PREFIX = "/admin"
bp = Blueprint("dashboard", __name__, url_prefix=PREFIX, template_folder="templates")

PAGE = 50
# What the overview counts by type: done is nearly every row of a big table, and no worry.
OPEN_AND_DEAD = (PENDING, RUNNING, DEAD)
REPLAY_BATCH = 500
REPORT_ROWS = 1000


class DashboardSessions(SecureCookieSessionInterface):
    """Cookie sessions for the dashboard only; hooks, probes and the API never use one."""

    def open_session(self, app: Flask, request: Any) -> Any:
        # Unsigning a cookie costs about as much as serving /healthz, on every request.
        if request.path != PREFIX and not request.path.startswith(PREFIX + "/"):
            return self.make_null_session(app)
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        # Behind a proxy, gunicorn's forwarded_allow_ips (or ProxyFix) makes this true.
        return request.is_secure


def configure_sessions(app: Flask, tokens: tuple[str, ...]) -> None:
    # Derived from the tokens: every gunicorn worker agrees, and rotating the tokens
    # signs everybody out.
    app.secret_key = hashlib.sha256(("opbridge-dashboard\0" + "\0".join(sorted(tokens))).encode()).digest()
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict")
    app.session_interface = DashboardSessions()


def _signed_in() -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token and token_is_valid(token.strip()):
        return True
    return bool(session.get("admin"))


def _csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    sent = request.form.get("csrf", "")
    if not session.get("csrf") or not secrets.compare_digest(sent, session["csrf"]):
        abort(400, "The form expired; reload the page and try again.")


# The pages that follow a moving queue; never a form, whose input a reload would lose.
LIVE_PAGES = {"dashboard.overview", "dashboard.commands", "dashboard.workers", "dashboard.events",
              "dashboard.command", "dashboard.domain"}
LIVE_SECONDS = 5


@bp.context_processor
def _template_helpers() -> dict[str, Any]:
    # Live refresh is the page reloading itself (a meta refresh): it works without JavaScript.
    live_on = bool(session.get("live"))
    return {"csrf_token": _csrf_token, "live_on": live_on,
            "live_refresh": LIVE_SECONDS if live_on and request.endpoint in LIVE_PAGES else None}


@bp.app_template_filter("ago")
def ago(moment: datetime) -> str:
    return relative(moment, utcnow())


@bp.app_template_filter("json_text")
def json_text(value: Any) -> str:
    """A record as indented JSON for people, Unicode kept; autoescaping makes it text.

    Jinja's ``tojson`` writes ``<`` as ``\\u003c``, safe for a script but unreadable in a page.
    """
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=json_default)


@bp.before_request
def require_sign_in() -> Response | None:
    if not services().settings.admin_tokens:
        abort(403, "The dashboard is closed: set OPBRIDGE_ADMIN_TOKENS to open it.")
    if request.endpoint in ("dashboard.sign_in", "dashboard.overview") or _signed_in():
        return None
    # Back to the page asked for after signing in: a link from an alert lands where it points.
    wanted = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("dashboard.overview", next=wanted))


@bp.errorhandler(HTTPException)
def _error_page(error: HTTPException) -> tuple[str, int]:
    return render_template("admin/error.html", error=error, signed_in=_signed_in()), error.code or 500


def _filter(args: Any) -> CommandFilter:
    try:
        return CommandFilter.from_args(args)
    except BadFilter as error:
        abort(400, str(error))


def id_arg(values: Any, name: str) -> int | None:
    raw = values.get(name) or ""
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_ID:
        abort(400, f"'{name}' must be a command id.")
    return int(raw)


def back_to(default: str) -> str:
    # Only a path inside the dashboard: never a redirect to somewhere else.
    target = request.form.get("next", "")
    if target.startswith(PREFIX + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


# -- signing in --------------------------------------------------------------------


@bp.post("/login")
def sign_in() -> Any:
    check_csrf()
    if not token_is_valid(request.form.get("token", "")):
        return render_template("admin/login.html", error="That token is not one of the admin tokens."), 401
    session.clear()
    session["admin"] = True
    return redirect(back_to(url_for("dashboard.overview")))


@bp.post("/live")
def toggle_live() -> Response:
    """Live refresh on or off for this session: a preference, so no confirmation."""
    check_csrf()
    session["live"] = not session.get("live")
    return redirect(back_to(url_for("dashboard.overview")))


@bp.post("/logout")
def sign_out() -> Response:
    check_csrf()
    session.clear()
    return redirect(url_for("dashboard.overview"))


# -- pages -------------------------------------------------------------------------


@bp.get("/")
def overview() -> Any:
    if not _signed_in():
        return render_template("admin/login.html", error=None)
    outbox = services().outbox
    minutes = outbox.tries_per_minute(60)
    starts = [minute.start for minute in minutes]
    runs = load_runs(services().engine, 10)
    tallied = outbox.command_counts()  # one read of the tallies for both counts
    return render_template(
        "admin/overview.html",
        counts=outbox.counts(tallied),
        by_type=outbox.counts_by_type(OPEN_AND_DEAD, tallied),
        by_type_statuses=OPEN_AND_DEAD,
        dead=outbox.list_commands(status=DEAD, limit=20),
        done_chart=bar_chart(starts, [minute.done for minute in minutes], "done"),
        failed_chart=bar_chart(starts, [minute.failed for minute in minutes], "failed"),
        first_minute=starts[0],
        circuit=_circuit(),
        runs=runs,
        report=load_changes(services().engine, runs[0]["id"], 20) if runs else [],
        verifications=pending_verifications(services().engine),
    )


def _circuit() -> dict[str, Any] | None:
    """The circuit that holds calls back longest, as the workers recorded its opening."""
    opened = open_circuits(services().engine, services().outbox.clock())
    return {"service": opened[0]["service"], "until": opened[0]["open_until"], "code": opened[0]["code"],
            "reason": opened[0]["reason"] or ""} if opened else None


@bp.get("/commands")
def commands() -> Any:
    chosen = _filter(request.args)
    before = id_arg(request.args, "before")
    rows = services().outbox.list_commands(**chosen.store_arguments(), limit=PAGE, after_id=before)
    return render_template(
        "admin/commands.html", filter=chosen, rows=rows, statuses=STATUSES,
        types=list(services().outbox.counts_by_type(OPEN_AND_DEAD)),
        older=rows[-1]["id"] if len(rows) == PAGE else None, paged=before is not None,
    )


@bp.get("/commands/<id:command_id>")
def command(command_id: int) -> Any:
    record = find_command(command_id)
    return render_template("admin/command.html", command=record, domain=readable_domain(record["aggregate_key"]),
                           webhook_id=record.pop("webhook_id"))


@bp.route("/commands/<id:command_id>/replay", methods=["GET", "POST"])
def replay(command_id: int) -> Any:
    """GET asks for confirmation; the form it shows POSTs here to replay."""
    if request.method == "GET":
        record = _replayable(command_id)
        return render_template("admin/confirm_replay.html", command=record, domain=readable_domain(record["aggregate_key"]))
    check_csrf()
    if not services().outbox.replay([command_id]):
        _replayable(command_id)  # says why not
    flash(f"Command {command_id} is pending again.")
    return redirect(back_to(url_for("dashboard.overview")))


def _replayable(command_id: int) -> dict[str, Any]:
    record = find_command(command_id)
    if record["status"] not in (DEAD, DONE):
        abort(409, f"Command {command_id} is {record['status']}; only dead or done commands can be replayed.")
    return record


def find_command(command_id: int) -> dict[str, Any]:
    record = services().outbox.get_command(command_id)
    if record is None:
        abort(404, f"There is no command with id {command_id}.")
    return record


@bp.route("/commands/replay", methods=["GET", "POST"])
def replay_shown() -> Any:
    """GET counts what the filter picks and asks; the form it shows POSTs here to replay."""
    if request.method == "GET":
        chosen = _bulk_filter(request.args)
        ids = _matching_ids(chosen, through=None)
        return render_template("admin/confirm_replay_shown.html", filter=chosen, ids=ids, through=max(ids, default=0))
    check_csrf()
    chosen = _bulk_filter(request.form)
    through = id_arg(request.form, "through")
    if through is None:
        abort(400, "The form lost its upper id; open the list and confirm again.")
    # Only what the confirmation page counted: commands failing since then wait for a new look.
    ids = _matching_ids(chosen, through)
    replayed = sum(len(services().outbox.replay(ids[start:start + REPLAY_BATCH]))
                   for start in range(0, len(ids), REPLAY_BATCH))
    flash(f"{replayed} command{'s' if replayed != 1 else ''} pending again.")
    return redirect(url_for("dashboard.commands", **chosen.query()))


def _bulk_filter(args: Any) -> CommandFilter:
    chosen = _filter(args)
    if not chosen.replayable:
        abort(400, "Choose the status dead or done to replay a filtered set: only finished commands can be replayed.")
    return chosen


def _matching_ids(chosen: CommandFilter, through: int | None) -> list[int]:
    """Every id the filter picks, at most ``through``, walking the list page by page."""
    outbox, ids, before = services().outbox, [], None if through is None else through + 1
    while True:
        page = outbox.list_commands(**chosen.store_arguments(), limit=REPLAY_BATCH, after_id=before)
        ids.extend(row["id"] for row in page)
        if len(page) < REPLAY_BATCH:
            return ids
        before = page[-1]["id"]


@bp.get("/domains")
def find_domain() -> Response:
    query = request.args.get("q", "")
    try:
        name = normalise_domain(query)
    except ValueError as error:
        abort(400, f"{query.strip() or 'The search'} {error}.")
    return redirect(url_for("dashboard.domain", name=name))


@bp.get("/domains/<name>")
def domain(name: str) -> Any:
    try:
        key = normalise_domain(name)
    except ValueError as error:
        abort(400, f"{name} {error}.")
    if key != name:
        return redirect(url_for("dashboard.domain", name=key))
    before = id_arg(request.args, "before")
    history = services().outbox.list_commands(aggregate_key=key, limit=PAGE, after_id=before)
    mirror = mirrored(services().engine, key)
    status = 404 if mirror is None and not history and before is None else 200
    return render_template(
        "admin/domain.html", key=key, domain=readable_domain(key), mirror=mirror, rows=history,
        older=history[-1]["id"] if len(history) == PAGE else None, paged=before is not None,
    ), status


@bp.route("/<path:unknown>", methods=["GET", "POST"])
def no_such_page(unknown: str) -> NoReturn:
    # Without this, routing's own 404 for a path it does not know answers in the API's
    # JSON; under /admin a person reads it. (An id out of range still gets that JSON 404:
    # routing gives up on the path once the id rule has refused it.)
    abort(404, "There is no such page in the dashboard.")


@bp.get("/sync/<id:run_id>")
def sync_run(run_id: int) -> Any:
    run = load_run(services().engine, run_id)
    if run is None:
        abort(404, f"There is no sync run {run_id}.")
    return render_template("admin/sync_run.html", run=run, shown=REPORT_ROWS,
                           changes=load_changes(services().engine, run_id, REPORT_ROWS))


@bp.get("/margins")
def margins() -> Any:
    engine = services().engine
    with engine.connect() as conn:
        tld_count, refreshed_at = conn.execute(select(func.count(), func.max(catalogue_tlds.c.refreshed_at))).one()
    return render_template("admin/margins.html", findings=stored_findings(engine), tld_count=tld_count,
                           refreshed_at=refreshed_at)


@bp.app_template_filter("readable_domain")
def readable_domain(key: str) -> str:
    """The Unicode form of a stored A-label, for people; the key itself when it has none."""
    try:
        return to_unicode(key)
    except ValueError:
        return key


# The pages and actions beyond the queue's own live in modules of their own, on this blueprint.
from listener import dashboard_actions, dashboard_views  # noqa: E402,F401
