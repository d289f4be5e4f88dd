"""What the admin API's blueprints share: the token check, how a request's query and body
are loaded, the domain name a path carries, and how configuration and Openprovider errors
are answered. Each blueprint calls ``guard`` once; none reaches into another's module."""
from __future__ import annotations

import hmac
import json
from typing import Any

from flask import Blueprint, Response, request
from marshmallow import Schema, ValidationError, fields

from core.settings import ConfigError
from listener.api_schemas import DOMAIN_DOCS, RegistrableDomain
from listener.errors import Refusal, error_response
from listener.hooks import WEBHOOK_ID
from listener.services import services
from opclient.errors import DomainNotFound, OpenproviderError, TransientError

# Openprovider's answer for an extension it does not sell: the caller's mistake, not Openprovider's.
UNSOLD_EXTENSION = 307
WEBHOOK_ID_DOCS = {"type": "string", "pattern": f"^{WEBHOOK_ID.pattern}$", "examples": ["evt_0001"]}
DOMAIN_NAME_DOCS = {"type": "string", **DOMAIN_DOCS}


def token_is_valid(token: str) -> bool:
    """Constant-time check against every configured token."""
    tokens = services().settings.admin_tokens
    return any(hmac.compare_digest(token.encode(), known.encode()) for known in tokens)


def require_token() -> None:
    if not services().settings.admin_tokens:
        raise Refusal(403, "admin_closed", "The admin API is closed: set OPBRIDGE_ADMIN_TOKENS to open it.")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token or not token_is_valid(token.strip()):
        raise Refusal(401, "unauthorized", "Send Authorization: Bearer <token> with one of the admin tokens.",
                      headers={"WWW-Authenticate": "Bearer"})



def guard(bp: Blueprint) -> None:
    """Every route of ``bp`` needs the admin token, and answers a missing setting or an
    Openprovider refusal with a sentence and a code."""
    bp.before_request(require_token)
    bp.register_error_handler(ConfigError, not_configured)
    bp.register_error_handler(OpenproviderError, openprovider_failed)


# -- what requests carry --------------------------------------------------------


def query_args(schema: Schema) -> dict[str, Any]:
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


def load_body(schema: Schema, code: str, example: str, required: bool = True) -> dict[str, Any]:
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


def domain_key(name: str) -> str:
    try:
        return RegistrableDomain().deserialize(name)
    except ValidationError as error:
        raise Refusal(400, "invalid_domain", " ".join(error.messages), {"domain": name}) from None


def not_configured(error: ConfigError) -> Response:
    return error_response(Refusal(503, "not_configured", str(error)))


def openprovider_failed(error: OpenproviderError) -> Response:
    if isinstance(error, DomainNotFound):
        return error_response(Refusal(404, "not_found", str(error)))
    if error.code == UNSOLD_EXTENSION:
        return error_response(Refusal(422, "unsupported_extension", f"Openprovider does not sell this extension: {error}",
                                      {"code": error.code}))
    if isinstance(error, TransientError):
        retry = str(int(error.retry_after or 30))
        return error_response(Refusal(503, "openprovider_unavailable", f"Openprovider did not answer: {error}",
                                      headers={"Retry-After": retry}))
    return error_response(Refusal(502, "openprovider_error", f"Openprovider refused the request: {error}",
                                  {"code": error.code}))
