from __future__ import annotations

from core.masking import MASK, redact
from opclient.calls import CallRecord


def test_secrets_are_masked_at_any_depth() -> None:
    value = {
        "username": "reseller",
        "password": "hunter2",
        "data": {
            "token": "abc",
            "results": [{"auth_code": "X1", "authCode": "X2", "auth_code_type": "external"}],
        },
        "auth_info": {"pw": "secret"},
        "Authorization": "Bearer abc",
        "epp_code": "E",
        "internal_auth_code": "I",
    }
    assert redact(value) == {
        "username": "reseller",
        "password": MASK,
        "data": {
            "token": MASK,
            "results": [{"auth_code": MASK, "authCode": MASK, "auth_code_type": "external"}],
        },
        "auth_info": {"pw": MASK},
        "Authorization": MASK,
        "epp_code": MASK,
        "internal_auth_code": MASK,
    }


def test_empty_secrets_stay_visible_as_empty() -> None:
    assert redact({"auth_code": "", "token": None}) == {"auth_code": "", "token": None}


def test_redact_leaves_the_original_alone() -> None:
    value = {"password": "hunter2"}
    redact(value)
    assert value == {"password": "hunter2"}


def test_call_record_redacts_body_answer_and_query() -> None:
    record = CallRecord.build(
        "POST",
        "/v1beta/auth/login",
        {"auth_code": "q", "limit": 10},
        status=200,
        duration=0.25,
        request={"username": "u", "password": "p"},
        response={"code": 0, "data": {"token": "t"}},
    )
    assert record.path == "/v1beta/auth/login?auth_code=***&limit=10"
    assert record.request == {"username": "u", "password": MASK}
    assert record.response == {"code": 0, "data": {"token": MASK}}
    assert record.to_dict()["status"] == 200
