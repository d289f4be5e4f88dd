"""Every answer that is not a success is JSON: ``{"error", "message", "details"}``.

Handlers here turn refusals, HTTP errors, database outages and bugs into that shape,
so no client ever sees an HTML error page or a traceback. Only a database that cannot be
reached (or is too busy to answer) is a 503 to retry; a statement the database refuses
is a bug here, a 500, since every value a request carries was validated before any query.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from listener.metrics import count_refusal
from outbox.db import SchemaNotCurrent

log = logging.getLogger("opbridge.listener")

RETRY_AFTER_SECONDS = 10

# MySQL server errors that say "busy" or "going away" rather than "this statement is wrong":
# too many connections, shutdown in progress, lock wait timeout, deadlock, connection killed,
# idle connection closed. The client's own codes (2000 and up) are all about the connection.
MYSQL_UNAVAILABLE = frozenset({1040, 1053, 1205, 1213, 1927, 4031})
MYSQL_CLIENT_CODES = 2000
# SQLite's primary result codes for the same: busy, locked, read-only, I/O error, disk full, cannot open.
SQLITE_UNAVAILABLE = frozenset({5, 6, 8, 10, 13, 14})


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
    count_refusal(refusal.code)
    from listener.refusals import keep  # it reads the hook endpoint's id pattern, whose module imports this one

    keep(refusal.status, refusal.code, refusal.message)
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


def database_unreachable(error: DBAPIError) -> bool:
    """Whether the database could not be reached or was too busy, not that it refused a statement."""
    if error.connection_invalidated:
        return True
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    # SQLite and PyMySQL raise OperationalError for statements they refuse too, so their codes decide.
    sqlite_code = getattr(error.orig, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return sqlite_code & 0xFF in SQLITE_UNAVAILABLE
    args = getattr(error.orig, "args", ())
    code = args[0] if args and isinstance(args[0], int) else None
    return code is None or code >= MYSQL_CLIENT_CODES or code in MYSQL_UNAVAILABLE


def _database_error(error: DBAPIError) -> Response:
    # The driver's message can quote SQL parameters (event bodies), so only the class is logged.
    reason = type(error.orig or error).__name__
    if not database_unreachable(error):
        log.error("the database refused a statement while serving %s %s: %s", request.method, request.path, reason)
        return error_response(internal_error())
    log.warning("database unavailable while serving %s %s: %s", request.method, request.path, reason)
    return _refused(database_unavailable(reason))


def _pool_timeout(error: PoolTimeout) -> Response:
    log.warning("no database connection free while serving %s %s", request.method, request.path)
    return _refused(database_unavailable("no connection free"))


def _schema_not_current(error: SchemaNotCurrent) -> Response:
    return _refused(Refusal(503, "schema_not_current", str(error), headers={"Retry-After": str(RETRY_AFTER_SECONDS)}))


def internal_error() -> Refusal:
    return Refusal(500, "internal_error", "The server failed to handle this request; it has been logged.")


def _unexpected(error: Exception) -> Response:
    log.exception("unexpected error while serving %s %s", request.method, request.path)
    return error_response(internal_error())


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(Refusal, _refused)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(PoolTimeout, _pool_timeout)
    app.register_error_handler(SchemaNotCurrent, _schema_not_current)
    app.register_error_handler(Exception, _unexpected)
