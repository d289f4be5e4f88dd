"""The admin API under ``/api/v1``: inspect and replay work, and the synchronous lookups.

Everything that changes a domain goes through the outbox; the only calls made here and
answered at once are the read-only ones (availability, auth code, DNS templates).
Every request needs ``Authorization: Bearer <token>`` with one of OPBRIDGE_ADMIN_TOKENS.
"""
from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import select

from listener.errors import Refusal, error_response
from listener.services import services
from opbridge.settings import ConfigError
from opclient.errors import DomainNotFound, OpenproviderError, TransientError
from opclient.names import InvalidDomainName, split_domain
from outbox.models import DEAD, DONE, STATUSES, Domain, SyncRun
from outbox.store import NewCommand
from outbox.sync import REQUESTED_RUN_KEY
from outbox.sync.records import load_changes, load_run

bp = Blueprint("admin", __name__, url_prefix="/api/v1")

MAX_LIST = 1000


def token_is_valid(token: str) -> bool:
    """Constant-time check against every configured token."""
    tokens = services().settings.admin_tokens
    return any(hmac.compare_digest(token.encode(), known.encode()) for known in tokens)


@bp.before_request
def require_token() -> None:
    if not services().settings.admin_tokens:
        raise Refusal(403, "admin_closed", "The admin API is closed: set OPBRIDGE_ADMIN_TOKENS to open it.")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token or not token_is_valid(token.strip()):
        raise Refusal(401, "unauthorized", "Send Authorization: Bearer <token> with one of the admin tokens.",
                      headers={"WWW-Authenticate": "Bearer"})


# -- commands ------------------------------------------------------------------


def _int_arg(name: str, default: int | None = None, maximum: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or (maximum is not None and int(raw) > maximum):
        bound = f" up to {maximum}" if maximum else ""
        raise Refusal(400, "invalid_parameter", f"{name} must be a whole number{bound}.", {name: raw})
    return int(raw)


def _status_arg(value: str | None, allowed: tuple[str, ...] = STATUSES) -> str | None:
    if value is not None and value not in allowed:
        raise Refusal(400, "invalid_parameter", f"status must be one of {', '.join(allowed)}.", {"status": value})
    return value


@bp.get("/commands")
def list_commands() -> dict[str, Any]:
    rows = services().outbox.list_commands(
        status=_status_arg(request.args.get("status")),
        type=request.args.get("type"),
        aggregate_key=_domain_key(request.args["domain"]) if "domain" in request.args else None,
        limit=_int_arg("limit", 100, MAX_LIST),
        after_id=_int_arg("before"),
    )
    return {"commands": rows, "next_before": rows[-1]["id"] if rows else None}


@bp.get("/commands/<int:command_id>")
def show_command(command_id: int) -> dict[str, Any]:
    record = services().outbox.get_command(command_id)
    if record is None:
        raise Refusal(404, "not_found", f"There is no command with id {command_id}.")
    return record


@bp.post("/commands/<int:command_id>/replay")
def replay_command(command_id: int) -> dict[str, Any]:
    replayed = services().outbox.replay([command_id])
    if not replayed:
        record = services().outbox.get_command(command_id)
        if record is None:
            raise Refusal(404, "not_found", f"There is no command with id {command_id}.")
        raise Refusal(409, "not_replayable", f"Command {command_id} is {record['status']}; only dead or done commands can be replayed.")
    return {"replayed": replayed}


@bp.post("/commands/replay")
def replay_commands() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refusal(400, "invalid_body", 'Send a JSON object such as {"status": "dead", "type": "renew_domain"}.')
    unknown = sorted(set(body) - {"status", "type", "domain", "since"})
    if unknown:
        raise Refusal(422, "invalid_filter", f"Unknown filter field(s): {', '.join(unknown)}.", {"fields": unknown})
    outbox = services().outbox
    replayed = outbox.replay(outbox.replayable(
        status=_status_arg(body.get("status", DEAD), (DEAD, DONE)),
        type=body.get("type"),
        aggregate_key=_domain_key(body["domain"]) if body.get("domain") else None,
        since=_since(body.get("since")),
    ))
    return {"replayed": replayed, "count": len(replayed)}


def _since(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        raise Refusal(422, "invalid_filter", "since must be an ISO-8601 time such as 2026-11-28T10:00:00.",
                      {"since": value}) from None


# -- events and domains ----------------------------------------------------------


@bp.get("/events/<webhook_id>")
def show_event(webhook_id: str) -> dict[str, Any]:
    event = services().outbox.get_event(webhook_id)
    if event is None:
        raise Refusal(404, "not_found", f"No event with webhook id {webhook_id!r} was received (or it was purged).")
    return event


def _domain_key(name: str) -> str:
    try:
        return split_domain(name).ascii
    except InvalidDomainName as error:
        raise Refusal(400, "invalid_domain", str(error), {"domain": name}) from None


@bp.get("/domains/<name>")
def show_domain(name: str) -> dict[str, Any]:
    key = _domain_key(name)
    with services().engine.connect() as conn:
        row = conn.execute(select(Domain.__table__).where(Domain.name == key)).first()
    recent = services().outbox.list_commands(aggregate_key=key, limit=20)
    if row is None and not recent:
        raise Refusal(404, "not_found", f"opbridge knows nothing about {key}.")
    return {"domain": key, "mirror": dict(row._mapping) if row else None, "recent_commands": recent}


# -- sync runs -------------------------------------------------------------------------


@bp.get("/sync/runs")
def list_sync_runs() -> dict[str, Any]:
    query = select(SyncRun.__table__).order_by(SyncRun.id.desc()).limit(_int_arg("limit", 20, MAX_LIST))
    with services().engine.connect() as conn:
        return {"runs": [dict(row._mapping) for row in conn.execute(query)]}


@bp.get("/sync/runs/<int:run_id>")
def show_sync_run(run_id: int) -> dict[str, Any]:
    engine = services().engine
    run = load_run(engine, run_id)
    if run is None:
        raise Refusal(404, "not_found", f"There is no sync run {run_id}.")
    return run | {"changes": load_changes(engine, run_id)}


@bp.post("/sync/runs")
def request_sync_run() -> tuple[dict[str, Any], int]:
    body = request.get_json(silent=True) if request.data else {}
    if not isinstance(body, dict) or set(body) - {"dry_run"} or not isinstance(body.get("dry_run", False), bool):
        raise Refusal(422, "invalid_body", 'Send nothing, or {"dry_run": true|false}.')
    stored = services().outbox.enqueue(None, [NewCommand("run_sync", REQUESTED_RUN_KEY, {"dry_run": body.get("dry_run", False)})])
    return {"status": "queued", "command": stored.command_ids[0],
            "message": "A worker runs the sync; GET /api/v1/sync/runs shows it when it starts."}, 202


# -- synchronous Openprovider lookups ----------------------------------------------


@bp.get("/availability")
def availability() -> dict[str, Any]:
    names = request.args.getlist("domain")
    if not names:
        raise Refusal(400, "missing_parameter", "Give one or more ?domain= names to check.")
    results = services().clients.openprovider.domains.check([_domain_key(name) for name in names])
    return {"results": [
        {"domain": r.domain, "status": r.status, "available": r.is_available, "reason": r.reason} for r in results
    ]}


@bp.get("/domains/<name>/authcode")
def auth_code(name: str) -> dict[str, Any]:
    client = services().clients.openprovider
    domain = client.domains.find(_domain_key(name))
    code = client.domains.auth_code(domain.id)
    return {"domain": domain.domain.ascii, "auth_code": code.code, "type": code.type, "sent_to_owner": code.sent_to_owner}


@bp.get("/dns-templates")
def dns_templates() -> dict[str, Any]:
    templates = services().clients.openprovider.dns.templates()
    return {"templates": [{"id": t.id, "name": t.name} for t in templates]}


@bp.errorhandler(ConfigError)
def _not_configured(error: ConfigError) -> Response:
    return error_response(Refusal(503, "not_configured", str(error)))


@bp.errorhandler(OpenproviderError)
def _openprovider_failed(error: OpenproviderError) -> Response:
    if isinstance(error, DomainNotFound):
        return error_response(Refusal(404, "not_found", str(error)))
    if isinstance(error, TransientError):
        retry = str(int(error.retry_after or 30))
        return error_response(Refusal(503, "openprovider_unavailable", f"Openprovider did not answer: {error}",
                                      headers={"Retry-After": retry}))
    return error_response(Refusal(502, "openprovider_error", f"Openprovider refused the request: {error}",
                                  {"code": error.code}))
