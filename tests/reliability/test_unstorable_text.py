"""Text no database can store is refused at the door, wherever in the event it sits.

Accepted, a NUL stopped the PostgreSQL worker for good, and a lone surrogate made the
handler fail five times (or MariaDB's intake answer 503); now both get a 422 naming the
field, and nothing is stored.
"""
from __future__ import annotations

import json

from tests.listener.conftest import signed_headers
from tests.listener.events import sample


def _with(path: list, value: object) -> dict:
    event = sample("invoice.paid")
    node = event
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return event


CASES = [
    # (event, the field the refusal must name)
    (_with(["data", "registrant", "first_name"], "a\u0000b"), "data.registrant.first_name"),
    (_with(["data", "registrant", "first_name"], "a\ud800b"), "data.registrant.first_name"),
    (_with(["data", "items", 1, "epp_code"], "\udfffcode"), "data.items[1].epp_code"),
    # Fields no schema reads are stored in the raw body and shown on the dashboard.
    (_with(["data", "items", 0, "unknown_extra"], "x\u0000"), "data.items[0].unknown_extra"),
    (_with(["data", "items", 0, "additional_fields"], {"x\u0000y": "1"}), "data.items[0].additional_fields.x\\u0000y"),
    (_with(["source", "system_url"], "\ud83d"), "source.system_url"),
]


def test_unstorable_text_is_refused_with_the_field_named(client):
    before = client.counts()
    for event, field in CASES:
        response = client.post_event(event)
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["error"] == "unstorable_text"
        assert field in body["message"] and field in body["details"]
    assert client.counts() == before


def test_a_new_event_type_is_checked_before_its_schema(client):
    event = sample("domain.lock_changed")
    event["type"] = "domain.not_yet_known"
    event["data"]["note"] = "\u0000"
    response = client.post_event(event)
    assert response.status_code == 422 and response.json()["error"] == "unstorable_text"


def test_deep_nesting_is_refused_cleanly(client):
    body = b'{"type": "domain.lock_changed", "data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.post(body, signed_headers(body))
    assert response.status_code == 400 and response.json()["error"] == "malformed_json"
    nested = '{"a":' * 900 + '"\\u0000"' + "}" * 900
    body = ('{"type": "domain.lock_changed", "data": ' + nested + "}").encode()
    response = client.post(body, signed_headers(body))
    assert response.status_code == 422, response.text


def test_four_byte_utf8_and_control_characters_are_stored_as_sent(client):
    """Text outside the Basic Multilingual Plane is valid, and every backend keeps it."""
    event = sample("domain.contacts_changed")
    event["data"]["registrant"]["first_name"] = "Ann\U0001f600a \U00020000\t\x01"
    response = client.post_event(event)
    assert response.status_code == 202, response.text
    [command] = client.commands(response.json()["commands"])
    assert command.payload["registrant"]["first_name"] == "Ann\U0001f600a \U00020000\t\x01"
    [stored] = client.events()
    assert json.loads(stored.body) == event
