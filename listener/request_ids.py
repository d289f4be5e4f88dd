"""A request id on every request: the caller's ``X-Request-Id`` when well-formed, else a new one.

It is set as the log context of the request (so every line logged while serving it
carries it), echoed in the response header, and written in gunicorn's access line
from there.
"""
from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, request

from core import logs

HEADER = "X-Request-Id"
# A proxy's or client's id is kept only when it is a plain short token, so a header
# value can never forge or break a log line.
WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id() -> str:
    sent = request.headers.get(HEADER, "")
    return sent if WELL_FORMED.fullmatch(sent) else uuid.uuid4().hex


def _start() -> None:
    g.request_id = request_id()
    g.log_context = logs.bind(request_id=g.request_id)


def _echo(response: Response) -> Response:
    if "request_id" in g:
        response.headers[HEADER] = g.request_id
    return response


def _end(_error: BaseException | None) -> None:
    if "log_context" in g:
        logs.unbind(g.pop("log_context"))


def install(app: Flask) -> None:
    # App-wide functions run before the blueprints' own, so the lines of those carry the id too.
    app.before_request(_start)
    app.after_request(_echo)
    app.teardown_request(_end)
