"""The admin API under ``/api/v1``: inspect and replay work, and the synchronous lookups.

Everything that changes a domain goes through the outbox; the only calls made here and
answered at once are the read-only ones (availability, auth code, DNS templates).
Every request needs ``Authorization: Bearer <token>`` with one of OPBRIDGE_ADMIN_TOKENS.
"""
from __future__ import annotations

from typing import Any, NoReturn

from flask import Blueprint

from listener import api_common
from listener.api_schemas import (
    AuthCodeAnswer, Availability, AvailabilityQuery, CommandDetail, CommandListQuery, CommandPage, Discarded,
    DiscardedMany, DiscardFilter, DiscardRequest, DnsTemplates, DomainState, EventRecord, Replayed, ReplayedMany,
    ReplayFilter, SyncRunDetail, SyncRunList, SyncRunListQuery, SyncRunQueued, SyncRunRequest,
)
from listener.errors import Refusal
from listener.hooks import WEBHOOK_ID
from listener.openapi import describe_blueprint, operation
from listener.services import services
from outbox.mirror import mirrored
from outbox.models import DEAD
from outbox.values import NewCommand
from outbox.sync import REQUESTED_RUN_KEY
from outbox.sync.records import load_changes, load_run, load_runs

bp = Blueprint("admin", __name__, url_prefix="/api/v1")
# Every route needs the token, and any of them may find the database unreachable.
describe_blueprint(bp, "admin", errors=(401, 403, 503), bearer_token=True)
api_common.guard(bp)


# -- commands ------------------------------------------------------------------


@bp.get("/commands")
@operation("Commands, newest first, a page at a time", answers={200: CommandPage}, errors=(400,), query=CommandListQuery)
def list_commands() -> dict[str, Any]:
    query = api_common.query_args(CommandListQuery())
    rows = services().outbox.list_commands(
        status=query.get("status"),
        type=query.get("type"),
        aggregate_key=query.get("domain"),
        limit=query["limit"],
        after_id=query.get("before"),
    )
    return CommandPage().dump({"commands": rows, "next_before": rows[-1]["id"] if rows else None})


@bp.get("/commands/<id:command_id>")
@operation("One command and its attempts", answers={200: CommandDetail}, errors=(404,))
def show_command(command_id: int) -> dict[str, Any]:
    record = services().outbox.get_command(command_id)
    if record is None:
        raise Refusal(404, "not_found", f"There is no command with id {command_id}.")
    return CommandDetail().dump(record)


@bp.post("/commands/<id:command_id>/replay")
@operation("Send a dead or done command back to pending with fresh attempts", answers={200: Replayed}, errors=(404, 409))
def replay_command(command_id: int) -> dict[str, Any]:
    replayed = services().outbox.replay([command_id])
    if not replayed:
        _left_alone(command_id, "not_replayable", "only dead or done commands can be replayed")
    return Replayed().dump({"replayed": replayed})


def _left_alone(command_id: int, code: str, rule: str) -> NoReturn:
    """Why a command was not changed: it does not exist (404), or its status forbids it (409)."""
    record = services().outbox.get_command(command_id)
    if record is None:
        raise Refusal(404, "not_found", f"There is no command with id {command_id}.")
    raise Refusal(409, code, f"Command {command_id} is {record['status']}; {rule}.")


@bp.post("/commands/replay")
@operation("Replay the finished commands a filter picks", answers={200: ReplayedMany}, errors=(400, 422), body=ReplayFilter)
def replay_commands() -> dict[str, Any]:
    chosen = api_common.load_body(ReplayFilter(), "invalid_filter", '{"status": "dead", "type": "renew_domain"}')
    outbox = services().outbox
    replayed = outbox.replay(outbox.replayable(
        status=chosen["status"], type=chosen["type"], aggregate_key=chosen["domain"], since=chosen["since"],
    ))
    return ReplayedMany().dump({"replayed": replayed, "count": len(replayed)})


@bp.post("/commands/<id:command_id>/discard")
@operation("Set a dead command aside for good, with a reason kept in its history", answers={200: Discarded},
           errors=(400, 404, 409, 422), body=DiscardRequest)
def discard_command(command_id: int) -> dict[str, Any]:
    reason = api_common.load_body(DiscardRequest(), "invalid_body", '{"reason": "The order was cancelled."}')["reason"]
    discarded = services().outbox.discard([command_id], reason)
    if not discarded:
        _left_alone(command_id, "not_discardable", "only dead commands can be discarded")
    return Discarded().dump({"discarded": discarded})


@bp.post("/commands/discard")
@operation("Discard the dead commands a filter picks", answers={200: DiscardedMany}, errors=(400, 422), body=DiscardFilter)
def discard_commands() -> dict[str, Any]:
    chosen = api_common.load_body(DiscardFilter(), "invalid_filter", '{"type": "renew_domain", "reason": "Renewed by hand."}')
    outbox = services().outbox
    picked = outbox.replayable(status=DEAD, type=chosen["type"], aggregate_key=chosen["domain"], since=chosen["since"])
    discarded = outbox.discard(picked, chosen["reason"])
    return DiscardedMany().dump({"discarded": discarded, "count": len(discarded)})


# -- events and domains ----------------------------------------------------------


@bp.get("/events/<webhook_id>")
@operation("A received event and the commands it enqueued", answers={200: EventRecord}, errors=(404,),
           path={"webhook_id": api_common.WEBHOOK_ID_DOCS})
def show_event(webhook_id: str) -> dict[str, Any]:
    # An id the hook endpoint would refuse names no stored event (and may not even fit the column).
    event = services().outbox.get_event(webhook_id) if WEBHOOK_ID.fullmatch(webhook_id) else None
    if event is None:
        raise Refusal(404, "not_found", f"No event with webhook id {webhook_id!r} was received (or it was purged).")
    return EventRecord().dump(event)


@bp.get("/domains/<name>")
@operation("A domain's mirrored state and its recent commands", answers={200: DomainState}, errors=(400, 404),
           path={"name": api_common.DOMAIN_NAME_DOCS})
def show_domain(name: str) -> dict[str, Any]:
    key = api_common.domain_key(name)
    mirror = mirrored(services().engine, key)
    recent = services().outbox.list_commands(aggregate_key=key, limit=20)
    if mirror is None and not recent:
        raise Refusal(404, "not_found", f"opbridge knows nothing about {key}.")
    return DomainState().dump({"domain": key, "mirror": mirror, "recent_commands": recent})


# -- sync runs -------------------------------------------------------------------------


@bp.get("/sync/runs")
@operation("Sync runs, newest first", answers={200: SyncRunList}, errors=(400,), query=SyncRunListQuery)
def list_sync_runs() -> dict[str, Any]:
    return SyncRunList().dump({"runs": load_runs(services().engine, api_common.query_args(SyncRunListQuery())["limit"])})


@bp.get("/sync/runs/<id:run_id>")
@operation("One sync run and the changes it decided", answers={200: SyncRunDetail}, errors=(404,))
def show_sync_run(run_id: int) -> dict[str, Any]:
    engine = services().engine
    run = load_run(engine, run_id)
    if run is None:
        raise Refusal(404, "not_found", f"There is no sync run {run_id}.")
    return SyncRunDetail().dump(run | {"changes": load_changes(engine, run_id)})


@bp.post("/sync/runs")
@operation("Ask a worker to run the pull-sync now", answers={202: SyncRunQueued}, errors=(400, 422),
           body=SyncRunRequest, body_required=False)
def request_sync_run() -> tuple[dict[str, Any], int]:
    body = api_common.load_body(SyncRunRequest(), "invalid_body", '{"dry_run": true}', required=False)
    stored = services().outbox.enqueue(None, [NewCommand("run_sync", REQUESTED_RUN_KEY, {"dry_run": body["dry_run"]})])
    return SyncRunQueued().dump({"status": "queued", "command": stored.command_ids[0],
                                 "message": "A worker runs the sync; GET /api/v1/sync/runs shows it when it starts."}), 202


# -- synchronous Openprovider lookups ----------------------------------------------


@bp.get("/availability")
@operation("Whether names can be registered, asked of Openprovider", answers={200: Availability}, errors=(400, 422, 502),
           query=AvailabilityQuery)
def availability() -> dict[str, Any]:
    names = api_common.query_args(AvailabilityQuery())["domain"]
    results = services().clients.openprovider.domains.check(names)
    return Availability().dump({"results": [
        {"domain": r.domain, "status": r.status, "available": r.is_available, "reason": r.reason} for r in results
    ]})


@bp.get("/domains/<name>/authcode")
@operation("A domain's transfer code, from Openprovider", answers={200: AuthCodeAnswer}, errors=(400, 404, 422, 502),
           path={"name": api_common.DOMAIN_NAME_DOCS})
def auth_code(name: str) -> dict[str, Any]:
    client = services().clients.openprovider
    domain = client.domains.find(api_common.domain_key(name))
    code = client.domains.auth_code(domain.id)
    return AuthCodeAnswer().dump({"domain": domain.domain.ascii, "auth_code": code.code, "type": code.type,
                                  "sent_to_owner": code.sent_to_owner})


@bp.get("/dns-templates")
@operation("The account's DNS templates", answers={200: DnsTemplates}, errors=(502,))
def dns_templates() -> dict[str, Any]:
    templates = services().clients.openprovider.dns.templates()
    return DnsTemplates().dump({"templates": templates})
