"""Every answer that is not a success is JSON: ``{"error", "message", "details"}``.

Handlers here turn refusals, HTTP errors, database outages and bugs into that shape,
so no client ever sees an HTML error page or a traceback.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from outbox.db import SchemaNotCurrent

log = logging.getLogger("opbridge.listener")

RETRY_AFTER_SECONDS = 10


class Refusal(Exception):
    """A request the listener turns down, with what the client should know to fix it."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


def error_response(refusal: Refusal) -> Response:
    response = jsonify(error=refusal.code, message=refusal.message, details=refusal.details)
    response.status_code = refusal.status
    response.headers.update(refusal.headers)
    return response


def database_unavailable(reason: str) -> Refusal:
    return Refusal(
        503,
        "database_unavailable",
        f"The database is unavailable ({reason}); nothing was stored, retry in {RETRY_AFTER_SECONDS} seconds.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _refused(refusal: Refusal) -> Response:
    log.info(
        "refused %s %s: %d %s (webhook-id %s, from %s)",
        request.method,
        request.path,
        refusal.status,
        refusal.code,
        _loggable(request.headers.get("webhook-id")),
        request.remote_addr,
    )
    return error_response(refusal)


def _loggable(value: str | None) -> str:
    # Header values are the client's; only a plain short token goes into a log line.
    if value is None:
        return "absent"
    return value if re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", value) else "malformed"


def _http_error(error: HTTPException) -> Response:
    headers = {"Allow": ", ".join(error.valid_methods)} if isinstance(error, MethodNotAllowed) and error.valid_methods else {}
    code = re.sub(r"\W+", "_", (error.name or "error").lower()).strip("_")
    return _refused(Refusal(error.code or 500, code, error.description or error.name, headers=headers))


def _database_error(error: Exception) -> Response:
    # The driver's message can quote SQL parameters (event bodies), so only the class is logged.
    reason = type(getattr(error, "orig", None) or error).__name__
    log.warning("database error while serving %s %s: %s", request.method, request.path, reason)
    return _refused(database_unavailable(reason))


def _schema_not_current(error: SchemaNotCurrent) -> Response:
    return _refused(Refusal(503, "schema_not_current", str(error), headers={"Retry-After": str(RETRY_AFTER_SECONDS)}))


def _unexpected(error: Exception) -> Response:
    log.exception("unexpected error while serving %s %s", request.method, request.path)
    return error_response(Refusal(500, "internal_error", "The server failed to handle this request; it has been logged."))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(Refusal, _refused)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(PoolTimeout, _database_error)
    app.register_error_handler(SchemaNotCurrent, _schema_not_current)
    app.register_error_handler(Exception, _unexpected)
