"""``POST /hooks/whmcs``: one signed WHMCS event in, its registrar work stored.

The checks run cheapest first and nothing is stored until all of them pass; the
event row and its commands are then written in one transaction, which events that
arrive together share (listener.group_commit).
"""
from __future__ import annotations

import json
import re
from typing import IO, Any, NoReturn

from flask import Blueprint, g, request
from marshmallow import ValidationError

from listener.commands import commands_for
from listener.dns_saves import refuse_conflicting_save
from listener.api_schemas import HookAnswer
from listener.errors import Refusal
from listener.metrics import count_event
from listener.registry_intake import check_registry_data
from listener.openapi import describe_blueprint, operation
from listener.event_schemas import ENVELOPE, EVENT_DATA, EnvelopeSchema
from listener.services import services
from listener.signing import SignatureError
from listener.storable import unstorable_text
from core import logs
from outbox.sealing import NoAtRestKey, holds_secret
from outbox.values import NewEvent

MAX_BODY_BYTES = 256 * 1024
SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
WEBHOOK_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_READ_CHUNK = 64 * 1024

bp = Blueprint("hooks", __name__)
describe_blueprint(bp, "hooks", errors=(400, 401, 413, 415, 422, 503))


@bp.post("/hooks/whmcs")
@operation(
    "One signed WHMCS event (Standard Webhooks signature)", answers={200: HookAnswer, 202: HookAnswer},
    body=EnvelopeSchema, headers=tuple(
        {"in": "header", "name": name, "required": True, "schema": {"type": "string", "pattern": pattern}}
        for name, pattern in zip(SIGNATURE_HEADERS, (f"^{WEBHOOK_ID.pattern}$", "^[0-9]{1,12}$", "^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$"))
    ),
)
def receive_whmcs_event() -> tuple[dict[str, Any], int]:
    _require_json()
    keyring = services().keyring
    if not keyring.keys:
        raise Refusal(503, "no_webhook_secrets", "OPBRIDGE_WEBHOOK_SECRETS is not set, so no event can be verified.")
    webhook_id, timestamp, signature = _signature_headers()
    logs.bind(event_id=webhook_id)  # undone with the request's own context (listener.request_ids)
    body = _read_body(MAX_BODY_BYTES)
    try:
        key_id = keyring.verify(webhook_id, timestamp, signature, body)
    except SignatureError as error:
        raise Refusal(401, error.code, error.message) from None
    text, document = _parse_json(body)
    event_type, data = _validate(document)
    if event_type == "domain.dns_changed":
        refuse_conflicting_save(services().outbox, data)
    if holds_secret(document):
        text, data = _sealed(document, data)
    stored = services().group_commit.enqueue(
        NewEvent(webhook_id=webhook_id, type=event_type, body=text, key_id=key_id),
        commands_for(event_type, data),
    )
    count_event(event_type, stored.duplicate)
    if stored.duplicate:
        return {"id": webhook_id, "status": "duplicate"}, 200
    return {"id": webhook_id, "status": "accepted", "commands": stored.command_ids}, 202


def _require_json() -> None:
    if request.mimetype != "application/json":
        raise Refusal(415, "unsupported_media_type", "Send the event with Content-Type: application/json.",
                      {"content_type": request.content_type})


def _signature_headers() -> tuple[str, str, str]:
    values = {name: request.headers.get(name, "") for name in SIGNATURE_HEADERS}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise Refusal(401, "missing_signature", f"Sign the event: the {', '.join(missing)} header(s) are missing.",
                      {"missing": missing})
    webhook_id, timestamp, signature = values.values()
    if not WEBHOOK_ID.fullmatch(webhook_id):
        raise Refusal(400, "invalid_webhook_id", "webhook-id must be 1 to 128 characters of A-Z a-z 0-9 . _ : -.")
    return webhook_id, timestamp, signature


def _read_body(limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        _too_large(limit)
    # A chunked body has no Content-Length, so the stream itself is read no further than the limit.
    body = _read_at_most(request.stream, limit + 1)
    if len(body) > limit:
        _too_large(limit)
    return body


def _read_at_most(stream: IO[bytes], size: int) -> bytes:
    parts = []
    remaining = size
    while remaining > 0:
        part = stream.read(min(remaining, _READ_CHUNK))
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _too_large(limit: int) -> NoReturn:
    raise Refusal(413, "body_too_large", f"The body is larger than {limit // 1024} KiB; nothing was stored.",
                  {"limit_bytes": limit})


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def _parse_json(body: bytes) -> tuple[str, Any]:
    try:
        text = body.decode("utf-8")
        return text, json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        raise Refusal(400, "malformed_json", f"The body is not valid UTF-8 JSON: {error}.") from None


def _sealed(document: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The stored body and the command data with their auth codes sealed (outbox.sealing)."""
    sealer = services().clients.sealer
    try:
        return json.dumps(sealer.seal(document)), sealer.seal(data)
    except NoAtRestKey as error:
        # WHMCS's hook spools the event and resends it, so it waits for the key unharmed.
        raise Refusal(503, "no_at_rest_key", str(error), headers={"Retry-After": "300"}) from None


def _validate(document: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(document, dict):
        raise Refusal(400, "malformed_envelope", "The body must be a JSON object: the event envelope.")
    # Over the whole body, before any schema: new event types and unknown fields are covered too.
    unstorable = unstorable_text(document)
    if unstorable:
        paths = sorted(unstorable)
        named = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        raise Refusal(422, "unstorable_text", f"The event holds text no database can store, in {named}; see details.",
                      {path: unstorable[path] for path in paths[:50]})
    try:
        envelope = ENVELOPE.load(document)
    except ValidationError as error:
        raise Refusal(400, "malformed_envelope", "The event envelope is invalid; see details.", error.messages) from None
    schema = EVENT_DATA.get(envelope["type"])
    if schema is None:
        known = ", ".join(sorted(EVENT_DATA))
        raise Refusal(422, "unknown_event_type", f"The event type {envelope['type']!r} is unknown.",
                      {"type": [f"Must be one of: {known}."]})
    g.event_type = envelope["type"]  # a known type, for the refusals metric (listener.metrics)
    try:
        data = schema.load(envelope["data"])
    except ValidationError as error:
        raise Refusal(422, "invalid_event", f"The {envelope['type']} event data is invalid; see details.",
                      {"data": error.messages}) from None
    check_registry_data(envelope["type"], data)
    return envelope["type"], data
