"""Bad input to the admin API and the dashboard: a 4xx naming the problem, never a 5xx.

Every id, query parameter and body field is checked against the type and range of the
column it is compared with, so no value reaches the database that the database would
refuse; and a statement the database does refuse is not reported as an outage.
"""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from listener.errors import database_unreachable
from listener.ids import MAX_ID
from outbox.db import make_engine
from outbox.values import Failure, NewCommand
from tests.admin.conftest import api
from tests.support import free_port

ID_ROUTES = [
    ("GET", "/api/v1/commands/{}"),
    ("POST", "/api/v1/commands/{}/replay"),
    ("GET", "/api/v1/sync/runs/{}"),
    ("GET", "/admin/commands/{}"),
    ("POST", "/admin/commands/{}/replay"),
    ("GET", "/admin/sync/{}"),
]


def test_ids_beyond_the_id_columns_are_not_found(admin):  # noqa: ANN001
    for method, route in ID_ROUTES:
        for command_id in ("99999999999999999999", str(MAX_ID + 1), "0"):
            answer = admin.request(method, admin.base + route.format(command_id), timeout=10)
            assert answer.status_code == 404, (method, route, command_id, answer.text)
    for method, route in ID_ROUTES[:3]:
        answer = admin.request(method, admin.base + route.format(MAX_ID), timeout=10)
        assert answer.status_code == 404 and answer.json()["error"] == "not_found", (route, answer.text)


@pytest.fixture
def dead_command(admin) -> int:  # noqa: ANN001
    [command_id] = admin.outbox.enqueue(None, [NewCommand("set_lock", "a.com", {"locked": True})]).command_ids
    [claimed] = admin.outbox.claim("t", 1)
    admin.outbox.fail(claimed, Failure("Openprovider error 331: invalid owner handle", "331", transient=False))
    return command_id


BAD_FILTERS = [
    {"type": ["a"]}, {"type": 5}, {"type": "set_lock\u0000"}, {"type": "x" * 65},
    {"status": ["dead"]}, {"status": "pending"}, {"status": None},
    {"domain": ["a.com"]}, {"domain": "a\ud800b.com"}, {"domain": 7},
    {"since": 12}, {"since": "yesterday"}, {"since": "2026-02-30T10:00:00Z"},
]


def test_replay_filters_are_checked_against_their_columns(admin, dead_command):  # noqa: ANN001
    for body in BAD_FILTERS:
        answer = api(admin, "POST", "/commands/replay", json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["error"] == "invalid_filter" and set(answer.json()["details"]) == set(body)
    assert admin.outbox.get_command(dead_command)["status"] == "dead"


def test_a_replay_filter_time_with_an_offset_is_compared_in_utc(admin, dead_command):  # noqa: ANN001
    updated = admin.outbox.get_command(dead_command)["updated_at"]
    later_in_utc = updated.replace(microsecond=0).isoformat() + "-01:00"
    assert api(admin, "POST", "/commands/replay", json={"since": later_in_utc}).json()["count"] == 0
    # Beyond what a column holds: after everything stored (not an overflow).
    assert api(admin, "POST", "/commands/replay", json={"since": "9999-12-31T23:59:59-01:00"}).json()["count"] == 0
    assert api(admin, "POST", "/commands/replay", json={"since": updated.isoformat() + "Z", "type": "set_lock",
                                                        "domain": "A.COM"}).json() == {"replayed": [dead_command],
                                                                                       "count": 1}


BAD_QUERIES = [
    ("/commands", "limit", "abc"), ("/commands", "limit", "0"), ("/commands", "limit", "1001"),
    ("/commands", "limit", "\u00b2"), ("/commands", "limit", "99999999999999999999"),
    ("/commands", "before", "99999999999999999999"), ("/commands", "before", "-1"),
    ("/commands", "status", "lost"), ("/commands", "type", "set_lock\u0000"), ("/commands", "type", "x" * 65),
    ("/commands", "domain", "-not-a-domain-"),
    ("/sync/runs", "limit", "99999999999999999999"),
    ("/availability", "domain", "not a domain"),
]


def test_query_parameters_are_checked_against_their_columns(admin):  # noqa: ANN001
    for path, parameter, value in BAD_QUERIES:
        answer = api(admin, "GET", path, params={parameter: value})
        assert answer.status_code == 400, (path, parameter, value, answer.text)
        assert answer.json()["error"] == "invalid_parameter" and parameter in answer.json()["details"]


def test_event_ids_the_hook_endpoint_refuses_name_no_event(admin):  # noqa: ANN001
    for webhook_id in ("evt%00x", "x" * 200, "evt%F0%9F%92%A5"):
        answer = api(admin, "GET", f"/events/{webhook_id}")
        assert answer.status_code == 404 and answer.json()["error"] == "not_found", answer.text


def test_only_an_unreachable_database_is_an_outage(database_url):  # noqa: ANN001
    engine = make_engine(database_url)
    try:
        with pytest.raises(DBAPIError) as refused, engine.connect() as conn:
            conn.execute(text("SELECT no_such_column FROM commands"))
    finally:
        engine.dispose()
    assert not database_unreachable(refused.value)

    url = make_url(database_url)
    gone = (url.set(database="/nonexistent-directory/x.db") if url.get_backend_name() == "sqlite"
            else url.set(port=free_port()))
    engine = make_engine(gone.render_as_string(hide_password=False))
    try:
        with pytest.raises(DBAPIError) as unreachable, engine.connect():
            pass
    finally:
        engine.dispose()
    assert database_unreachable(unreachable.value)
