"""Requests are held to the official spec: unknown fields and wrong types are refused."""
from __future__ import annotations

import pytest

from opsandbox.spec import Violation, load_spec

from .conftest import NAME_SERVERS, Sandbox


def create_body(handle: str, **extra: object) -> dict:
    return {"domain": {"name": "example", "extension": "com"}, "owner_handle": handle,
            "admin_handle": handle, "tech_handle": handle, "name_servers": NAME_SERVERS, **extra}


@pytest.mark.parametrize(("extra", "where"), [
    ({"periode": 1}, "body.periode: unknown field"),
    ({"period": "1"}, "body.period: expected integer"),
    ({"is_locked": True}, "body.is_locked: unknown field"),  # only the update request has it
    ({"autorenew": True}, "body.autorenew: expected string"),
    ({"name_servers": [{"hostname": "ns1.example.net"}]}, "body.name_servers[0].hostname: unknown field"),
    ({"period": 2**31}, "body.period: integer out of int32 range"),
])
def test_create_with_a_field_the_spec_does_not_define_is_refused(sandbox: Sandbox, handle: str,
                                                                 extra: dict, where: str) -> None:
    error = sandbox.refused("POST", "/domains", json=create_body(handle, **extra))

    assert error["code"] == 3
    assert error["data"].startswith(where)
    assert sandbox.ok("GET", "/domains")["total"] == 0


def test_a_valid_create_body_is_accepted_and_nulls_count_as_unset(sandbox: Sandbox, handle: str) -> None:
    data = sandbox.ok("POST", "/domains", json=create_body(handle, period=1, comments=None))

    assert data["status"] == "ACT"


def test_transfer_has_no_period_in_the_spec(sandbox: Sandbox, handle: str) -> None:
    error = sandbox.refused("POST", "/domains/transfer", json={**create_body(handle), "period": 1})

    assert error["data"].startswith("body.period: unknown field")


def test_suggest_name_takes_the_spec_request_and_answers_the_spec_response(sandbox: Sandbox) -> None:
    request = {"name": "example-domain", "tlds": ["com", "net"], "limit": 3, "language": "eng", "sensitive": False}
    data = sandbox.ok("POST", "/domains/suggest-name", json=request)
    assert data == {"results": [{"domain": "example-domain", "name": "example-domain.com", "tld": "com"},
                                {"domain": "example-domain", "name": "example-domain.net", "tld": "net"},
                                {"domain": "getexample-domain", "name": "getexample-domain.com", "tld": "com"}]}
    operation = load_spec().operation("POST", "/v1beta/domains/suggest-name")
    assert operation is not None and operation.operation_id == "SuggestNameDomain"
    result_fields = set(operation.definitions["domainSuggestNameDomainResult"]["properties"])
    assert all(set(result) == result_fields for result in data["results"])
    assert sandbox.refused("POST", "/domains/suggest-name", json={"name": "x", "tld": ["com"]})["data"].startswith(
        "body.tld: unknown field")
    assert sandbox.refused("POST", "/domains/suggest-name", json={"name": "!!"})["code"] == 3


@pytest.mark.parametrize("field", ["name", "company_name"])
def test_customer_update_cannot_change_name_or_company(sandbox: Sandbox, handle: str, field: str) -> None:
    error = sandbox.refused("PUT", f"/customers/{handle}", json={field: {"first_name": "X"}})

    assert error["code"] == 3
    assert f"body.{field}: unknown field" in error["data"]
    assert sandbox.ok("GET", f"/customers/{handle}")["name"]["first_name"] == "Jane"


@pytest.mark.parametrize(("query", "where"), [
    ({"domain_name": "example"}, "domain_name: unknown query parameter"),
    ({"limit": "ten"}, "limit: expected an integer"),
    ({"with_history": "yes"}, "with_history: expected true or false"),
])
def test_query_parameters_are_checked(sandbox: Sandbox, query: dict, where: str) -> None:
    error = sandbox.refused("GET", "/domains", params=query)

    assert error["data"] == where or error["data"].startswith(where)


def test_array_query_parameters_repeat_the_key(sandbox: Sandbox, handle: str) -> None:
    sandbox.register("one.com", handle)

    data = sandbox.ok("GET", "/domains", params=[("status_not_equal", "DEL"), ("status_not_equal", "REQ")])

    assert data["total"] == 1


def test_a_path_id_must_be_an_integer(sandbox: Sandbox) -> None:
    error = sandbox.refused("GET", "/domains/abc")

    assert error["data"].startswith("id: expected an integer")


def test_a_body_that_is_not_json_is_refused(sandbox: Sandbox) -> None:
    error = sandbox.refused("POST", "/domains/check", data="{not json",
                            headers={"Content-Type": "application/json"})

    assert error["code"] == 3


def test_answers_are_checked_against_the_spec_too() -> None:
    operation = load_spec().operation("GET", "/v1beta/domains/<id>")
    operation.check_response({"code": 0, "desc": "", "data": {"id": 1, "status": "ACT"}})

    with pytest.raises(Violation, match="response.data.expiry"):
        operation.check_response({"code": 0, "data": {"expiry": "2025-01-01 00:00:00"}})
