"""The dashboard at ``/admin``: queue counts, dead commands with replay buttons, sync runs.

Sign-in takes one of OPBRIDGE_ADMIN_TOKENS, through the form (a session cookie follows)
or an ``Authorization: Bearer`` header. Every form that changes something carries a
per-session CSRF token, and the cookie is SameSite=Strict.
"""
from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import Blueprint, Flask, abort, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select
from werkzeug.wrappers import Response

from listener.admin import token_is_valid
from listener.services import services
from outbox.models import DEAD, SyncChange, SyncRun

PREFIX = "/admin"
bp = Blueprint("dashboard", __name__, url_prefix=PREFIX, template_folder="templates")


class DashboardSessions(SecureCookieSessionInterface):
    """Cookie sessions for the dashboard only; hooks, probes and the API never use one."""

    def open_session(self, app: Flask, request: Any) -> Any:
        # Unsigning a cookie costs about as much as serving /healthz, on every request.
        if request.path != PREFIX and not request.path.startswith(PREFIX + "/"):
            return self.make_null_session(app)
        return super().open_session(app, request)


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


def _check_csrf() -> None:
    sent = request.form.get("csrf", "")
    if not session.get("csrf") or not secrets.compare_digest(sent, session["csrf"]):
        abort(400, "The form expired; reload the page and try again.")


@bp.before_request
def require_sign_in() -> Response | None:
    if not services().settings.admin_tokens:
        abort(403, "The dashboard is closed: set OPBRIDGE_ADMIN_TOKENS to open it.")
    if request.endpoint in ("dashboard.sign_in", "dashboard.overview") or _signed_in():
        return None
    return redirect(url_for("dashboard.overview"))


@bp.post("/login")
def sign_in() -> Any:
    if not token_is_valid(request.form.get("token", "")):
        return render_template("admin/login.html", error="That token is not one of the admin tokens."), 401
    session.clear()
    session["admin"] = True
    return redirect(url_for("dashboard.overview"))


@bp.post("/logout")
def sign_out() -> Response:
    _check_csrf()
    session.clear()
    return redirect(url_for("dashboard.overview"))


@bp.get("/")
def overview() -> Any:
    if not _signed_in():
        return render_template("admin/login.html", error=None)
    outbox = services().outbox
    with services().engine.connect() as conn:
        runs = conn.execute(select(SyncRun.__table__).order_by(SyncRun.id.desc()).limit(10)).all()
    return render_template(
        "admin/overview.html",
        counts=outbox.counts(),
        dead=outbox.list_commands(status=DEAD, limit=100),
        runs=runs,
        csrf=_csrf_token(),
    )


@bp.get("/commands/<id:command_id>")
def command(command_id: int) -> Any:
    record = services().outbox.get_command(command_id)
    if record is None:
        abort(404, f"There is no command with id {command_id}.")
    return render_template("admin/command.html", command=record, csrf=_csrf_token())


@bp.post("/commands/<id:command_id>/replay")
def replay(command_id: int) -> Response:
    _check_csrf()
    services().outbox.replay([command_id])
    return redirect(request.form.get("next") or url_for("dashboard.overview"))


@bp.get("/sync/<id:run_id>")
def sync_run(run_id: int) -> Any:
    with services().engine.connect() as conn:
        run = conn.execute(select(SyncRun.__table__).where(SyncRun.id == run_id)).first()
        if run is None:
            abort(404, f"There is no sync run {run_id}.")
        changes = conn.execute(
            select(SyncChange.__table__).where(SyncChange.run_id == run_id).order_by(SyncChange.kind, SyncChange.domain)
        ).all()
    return render_template("admin/sync_run.html", run=run, changes=changes)
