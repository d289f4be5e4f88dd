"""The admin API under ``/api/v1``: inspect and replay work, and the synchronous lookups.

Everything that changes a domain goes through the outbox; the only calls made here and
answered at once are the read-only ones (availability, auth code, DNS templates).
Every request needs ``Authorization: Bearer <token>`` with one of OPBRIDGE_ADMIN_TOKENS.
"""
from __future__ import annotations

import hmac
import json
from typing import Any

from flask import Blueprint, Response, request
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import select

from listener.api_schemas import AvailabilityQuery, CommandListQuery, ReplayFilter, SyncRunListQuery, SyncRunRequest
from listener.errors import Refusal, error_response
from listener.hooks import WEBHOOK_ID
from listener.services import services
from opbridge.settings import ConfigError
from opclient.errors import DomainNotFound, OpenproviderError, TransientError
from opclient.names import InvalidDomainName, split_domain
from outbox.models import Domain, SyncRun
from outbox.store import NewCommand
from outbox.sync import REQUESTED_RUN_KEY
from outbox.sync.records import load_changes, load_run

bp = Blueprint("admin", __name__, url_prefix="/api/v1")


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


# -- what requests carry --------------------------------------------------------


def _query(schema: Schema) -> dict[str, Any]:
    """The route's query parameters, loaded through its schema (400 naming the bad ones)."""
    args = {
        name: request.args.getlist(name) if isinstance(field, fields.List) else request.args[name]
        for name, field in schema.load_fields.items() if name in request.args
    }
    try:
        return schema.load(args)
    except ValidationError as error:
        raise Refusal(400, "invalid_parameter", f"Invalid query parameter(s): {_names(error.messages)}; see details.",
                      error.messages) from None


def _body(schema: Schema, code: str, example: str, required: bool = True) -> dict[str, Any]:
    """The JSON object in the body, loaded through the route's schema (422 naming the bad fields)."""
    raw = request.get_data()
    if not raw and not required:
        return schema.load({})
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict):
        raise Refusal(400, "invalid_body", f"Send a JSON object such as {example}.")
    unknown = sorted(set(body) - {field.data_key or name for name, field in schema.load_fields.items()})
    if unknown:
        raise Refusal(422, code, f"Unknown field(s): {', '.join(unknown)}.", {"fields": unknown})
    try:
        return schema.load(body)
    except ValidationError as error:
        raise Refusal(422, code, f"Invalid {_names(error.messages)}; see details.", error.messages) from None


def _names(messages: Any) -> str:
    return ", ".join(sorted(map(str, messages))) if isinstance(messages, dict) else "value"


# -- commands ------------------------------------------------------------------


@bp.get("/commands")
def list_commands() -> dict[str, Any]:
    query = _query(CommandListQuery())
    rows = services().outbox.list_commands(
        status=query.get("status"),
        type=query.get("type"),
        aggregate_key=query.get("domain"),
        limit=query["limit"],
        after_id=query.get("before"),
    )
    return {"commands": rows, "next_before": rows[-1]["id"] if rows else None}


@bp.get("/commands/<id:command_id>")
def show_command(command_id: int) -> dict[str, Any]:
    record = services().outbox.get_command(command_id)
    if record is None:
        raise Refusal(404, "not_found", f"There is no command with id {command_id}.")
    return record


@bp.post("/commands/<id:command_id>/replay")
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
    chosen = _body(ReplayFilter(), "invalid_filter", '{"status": "dead", "type": "renew_domain"}')
    outbox = services().outbox
    replayed = outbox.replay(outbox.replayable(
        status=chosen["status"], type=chosen["type"], aggregate_key=chosen["domain"], since=chosen["since"],
    ))
    return {"replayed": replayed, "count": len(replayed)}


# -- events and domains ----------------------------------------------------------


@bp.get("/events/<webhook_id>")
def show_event(webhook_id: str) -> dict[str, Any]:
    # An id the hook endpoint would refuse names no stored event (and may not even fit the column).
    event = services().outbox.get_event(webhook_id) if WEBHOOK_ID.fullmatch(webhook_id) else None
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
    query = select(SyncRun.__table__).order_by(SyncRun.id.desc()).limit(_query(SyncRunListQuery())["limit"])
    with services().engine.connect() as conn:
        return {"runs": [dict(row._mapping) for row in conn.execute(query)]}


@bp.get("/sync/runs/<id:run_id>")
def show_sync_run(run_id: int) -> dict[str, Any]:
    engine = services().engine
    run = load_run(engine, run_id)
    if run is None:
        raise Refusal(404, "not_found", f"There is no sync run {run_id}.")
    return run | {"changes": load_changes(engine, run_id)}


@bp.post("/sync/runs")
def request_sync_run() -> tuple[dict[str, Any], int]:
    body = _body(SyncRunRequest(), "invalid_body", '{"dry_run": true}', required=False)
    stored = services().outbox.enqueue(None, [NewCommand("run_sync", REQUESTED_RUN_KEY, {"dry_run": body["dry_run"]})])
    return {"status": "queued", "command": stored.command_ids[0],
            "message": "A worker runs the sync; GET /api/v1/sync/runs shows it when it starts."}, 202


# -- synchronous Openprovider lookups ----------------------------------------------


@bp.get("/availability")
def availability() -> dict[str, Any]:
    names = _query(AvailabilityQuery())["domain"]
    results = services().clients.openprovider.domains.check(names)
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
