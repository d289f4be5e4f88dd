"""Error classification for answers the sandbox does not produce on its own."""
from __future__ import annotations

import email.utils
import json
import time

import pytest
import requests

from opclient import envelope
from opclient.errors import (
    AuthenticationError,
    DomainNotFound,
    PermanentError,
    TokenRejected,
    TransientError,
)


def answer(status: int, body: object = None, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


def read(response: requests.Response) -> object:
    return envelope.read(response, envelope.decoded_body(response))


def test_code_zero_is_success_whatever_the_status() -> None:
    assert read(answer(500, {"code": 0, "desc": "", "data": {"id": 1}})) == {"id": 1}


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (401, {"code": 196, "desc": "Authentication/Authorization Failed", "data": ""}, TokenRejected),
        (200, {"code": 196, "desc": "Authentication/Authorization Failed", "data": ""}, TokenRejected),
        (401, "Unauthorized", TokenRejected),
        (500, {"code": 10005, "desc": "Access denied", "data": ""}, AuthenticationError),
        (500, {"code": 10009, "desc": "no authority", "data": ""}, AuthenticationError),
        (500, {"code": 197, "desc": "blocked", "data": ""}, AuthenticationError),
        (500, {"code": 50, "desc": "Calls limit has been reached", "data": ""}, TransientError),
        (500, {"code": 4007, "desc": "temporarily blocked", "data": ""}, TransientError),
        (503, {"code": 1, "desc": "maintenance", "maintenance": True}, TransientError),
        (503, {"desc": "maintenance", "maintenance": True}, TransientError),
        (502, "<html>Bad gateway</html>", TransientError),
        (429, "slow down", TransientError),
        (200, "<html>maintenance</html>", TransientError),
        (500, {"code": 320, "desc": "not in your account", "data": ""}, DomainNotFound),
        (500, {"code": 311, "desc": "not free", "data": ""}, PermanentError),
        (404, "Not Found", PermanentError),
    ],
)
def test_classification(status: int, body: object, kind: type) -> None:
    with pytest.raises(kind) as raised:
        read(answer(status, body))
    assert type(raised.value) is kind


def test_permanent_errors_carry_code_and_description() -> None:
    with pytest.raises(PermanentError) as raised:
        read(answer(500, {"code": 311, "desc": "The domain name is not free", "data": ""}))
    assert raised.value.code == 311
    assert raised.value.description == "The domain name is not free"
    assert "311" in str(raised.value)


def test_retry_after_seconds_header_is_the_suggested_delay() -> None:
    with pytest.raises(TransientError) as raised:
        read(answer(500, {"code": 50, "desc": "Calls limit", "data": ""}, {"Retry-After": "7"}))
    assert raised.value.retry_after == 7


def test_retry_after_http_date() -> None:
    later = email.utils.formatdate(time.time() + 120, usegmt=True)
    with pytest.raises(TransientError) as raised:
        read(answer(503, "busy", {"Retry-After": later}))
    assert 100 < raised.value.retry_after <= 120


def test_rate_limits_without_header_suggest_their_documented_block() -> None:
    with pytest.raises(TransientError) as raised:
        read(answer(500, {"code": 4007, "desc": "blocked", "data": ""}))
    assert raised.value.retry_after == 300


def test_bare_5xx_has_no_suggestion() -> None:
    with pytest.raises(TransientError) as raised:
        read(answer(500, "oops"))
    assert raised.value.retry_after is None and raised.value.code is None
