"""Login, bearer tokens and their expiry."""
from __future__ import annotations

import re

from .conftest import Sandbox


def test_login_returns_a_32_hex_token_and_the_reseller_id(sandbox: Sandbox) -> None:
    data = sandbox.login().json()["data"]

    assert re.fullmatch(r"[0-9a-f]{32}", data["token"])
    assert data["reseller_id"] == 300001


def test_bad_credentials_are_code_196_with_http_500(sandbox: Sandbox) -> None:
    answer = sandbox.login(password="wrong")

    assert answer.status_code == 500
    assert answer.json()["code"] == 196


def test_a_call_without_a_token_is_401_with_code_196(sandbox: Sandbox) -> None:
    sandbox.token = ""

    answer = sandbox.call("GET", "/domains")

    assert answer.status_code == 401
    assert answer.json() == {"code": 196, "desc": "Authentication/Authorization Failed",
                             "data": "missing, unknown or expired token"}


def test_tokens_expire_after_two_days(sandbox: Sandbox) -> None:
    sandbox.admin("POST", "/clock", json={"advance_seconds": 2 * 86400 - 1})
    assert sandbox.call("GET", "/domains").status_code == 200

    sandbox.admin("POST", "/clock", json={"advance_seconds": 1})
    assert sandbox.call("GET", "/domains").status_code == 401


def test_admin_expires_every_token_now(sandbox: Sandbox) -> None:
    sandbox.admin("POST", "/tokens/expire")

    assert sandbox.call("GET", "/domains").status_code == 401
    sandbox.login()
    assert sandbox.call("GET", "/domains").status_code == 200


def test_admin_expires_tokens_after_n_calls(sandbox: Sandbox) -> None:
    sandbox.admin("POST", "/tokens/expire", json={"after_calls": 3})

    statuses = [sandbox.call("GET", "/domains").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 401]
