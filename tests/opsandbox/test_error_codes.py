"""Each refusal carries the code Openprovider gives for it, with HTTP 500."""
from __future__ import annotations

import pytest

from .conftest import NAME_SERVERS, Sandbox


def transfer_body(handle: str, full_name: str, **fields: object) -> dict:
    name, extension = full_name.split(".", 1)
    return {"domain": {"name": name, "extension": extension}, "owner_handle": handle,
            "admin_handle": handle, "tech_handle": handle, "name_servers": NAME_SERVERS, **fields}


@pytest.fixture
def taken(sandbox: Sandbox) -> str:
    sandbox.admin("POST", "/seed", json={"registry": [{"name": "taken.com", "auth_code": "right"}]})
    return "taken.com"


def test_311_registering_a_name_taken_elsewhere(sandbox: Sandbox, handle: str, taken: str) -> None:
    error = sandbox.refused("POST", "/domains", json=transfer_body(handle, taken, period=1))

    assert error == {"code": 311, "desc": "The domain name you want to register is not free",
                     "data": "taken.com"}


def test_346_registering_a_name_already_in_the_account(sandbox: Sandbox, handle: str) -> None:
    sandbox.register("mine.com", handle)

    assert sandbox.refused("POST", "/domains", json=transfer_body(handle, "mine.com"))["code"] == 346


def test_313_transferring_a_free_name(sandbox: Sandbox, handle: str) -> None:
    body = transfer_body(handle, "free.com", auth_code="x")

    assert sandbox.refused("POST", "/domains/transfer", json=body)["code"] == 313


def test_326_transferring_a_name_already_in_the_account(sandbox: Sandbox, handle: str) -> None:
    sandbox.register("mine.com", handle)
    body = transfer_body(handle, "mine.com", auth_code="x")

    error = sandbox.refused("POST", "/domains/transfer", json=body)

    assert (error["code"], error["desc"]) == (326, "This domain is already in your account")


@pytest.mark.parametrize(("auth_code", "code"), [("", 317), ("wrong", 318)])
def test_317_318_transfer_auth_code_empty_or_incorrect(sandbox: Sandbox, handle: str, taken: str,
                                                       auth_code: str, code: int) -> None:
    body = transfer_body(handle, taken, auth_code=auth_code)

    assert sandbox.refused("POST", "/domains/transfer", json=body)["code"] == code
    assert sandbox.ok("GET", "/domains")["total"] == 0


def test_320_any_call_on_an_unknown_domain_id(sandbox: Sandbox) -> None:
    error = sandbox.refused("POST", "/domains/99/renew", json={"period": 1})

    assert error["code"] == 320
    assert error["desc"] == ("The domain is not in your account; "
                             "please transfer it to your account first.")


@pytest.mark.parametrize(("role", "code"), [("owner", 331), ("admin", 333), ("tech", 335)])
def test_331_333_335_unknown_handles(sandbox: Sandbox, handle: str, role: str, code: int) -> None:
    body = {**transfer_body(handle, "new.com"), f"{role}_handle": "XX999999-NL"}

    assert sandbox.refused("POST", "/domains", json=body)["code"] == code


def test_221_fewer_than_two_name_servers(sandbox: Sandbox, handle: str) -> None:
    body = {**transfer_body(handle, "new.com"), "name_servers": NAME_SERVERS[:1]}

    assert sandbox.refused("POST", "/domains", json=body)["code"] == 221


def test_366_renewing_a_domain_in_quarantine(sandbox: Sandbox, handle: str) -> None:
    domain_id = sandbox.register("old.com", handle, autorenew="off")["id"]
    sandbox.advance(advance_days=370)

    error = sandbox.refused("POST", f"/domains/{domain_id}/renew", json={"period": 1})

    assert (error["code"], error["desc"]) == (366, "This action is prohibitted for current domain status.")


def test_307_an_extension_the_sandbox_does_not_sell(sandbox: Sandbox, handle: str) -> None:
    assert sandbox.refused("POST", "/domains", json=transfer_body(handle, "new.zz"))["code"] == 307
    checked = sandbox.refused("POST", "/domains/check", json={"domains": [{"name": "a", "extension": "zz"}]})
    assert checked["code"] == 307
    assert sandbox.refused("GET", "/tlds/zz")["code"] == 307


def test_check_takes_at_most_15_names(sandbox: Sandbox) -> None:
    names = [{"name": f"n{i}", "extension": "com"} for i in range(16)]

    assert sandbox.refused("POST", "/domains/check", json={"domains": names})["code"] == 3
    assert len(sandbox.ok("POST", "/domains/check", json={"domains": names[:15]})["results"]) == 15


def test_check_tells_free_from_taken(sandbox: Sandbox, handle: str, taken: str) -> None:
    sandbox.register("mine.com", handle)
    names = [{"name": n, "extension": "com"} for n in ("taken", "mine", "free")]

    results = sandbox.ok("POST", "/domains/check", json={"domains": names})["results"]

    assert [(r["domain"], r["status"]) for r in results] == [
        ("taken.com", "active"), ("mine.com", "active"), ("free.com", "free")]
    assert results[0]["reason"] == "Domain exists"


def test_355_unknown_deletion_type(sandbox: Sandbox, handle: str) -> None:
    domain_id = sandbox.register("mine.com", handle)["id"]

    assert sandbox.refused("DELETE", f"/domains/{domain_id}", params={"type": "purge"})["code"] == 355
