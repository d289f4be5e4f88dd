"""Hostile requests to the hook endpoint and every admin route: never a 5xx, never stored unsigned.

Hypothesis draws mutated events whose fields hold lone surrogates, NUL, huge numbers,
deep nesting, wrong types, over-long strings, 4-byte UTF-8 and injection strings, sent
with good, bad, missing, replayed and stale signatures and with wrong content types; and
requests to every admin route with hostile ids, parameters, bodies and tokens. Then the
worker drains everything accepted, and the dashboard shows what was stored escaped.
"""
from __future__ import annotations

import json
import time
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from outbox.models import Command, Event
from tests.dispatch.harness import SECRET, drain
from tests.listener.conftest import UNKNOWN_SECRET, signed_headers
from tests.listener.events import sample
from tests.listener.test_fuzz import JSON_VALUES, mutated_events
from tests.reliability.figures import record

INJECTIONS = [
    "'; DROP TABLE commands; --", "\" OR 1=1 --", "<script>alert(1)</script>", "{{7*7}}", "${jndi:ldap://x/a}",
    "../../etc/passwd", "%00", "\\u0000", "$(reboot)", "<img src=x onerror=alert(1)>",
]
HOSTILE_TEXT = (
    st.sampled_from(INJECTIONS)
    | st.sampled_from(["a\u0000b", "a\ud800b", "\udfff", "\U0001f600\U00020000", "x" * 300, "y" * 70_000, ""])
    | st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None), max_size=40)
)
def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


HOSTILE_VALUES = (
    HOSTILE_TEXT
    | st.sampled_from([10**20, -(10**20), 10**400, 2**63, -1, 0, 1.5e308, True, None, [], {}])
    | st.integers(min_value=1, max_value=300).map(_nested)
    | JSON_VALUES
)
CONTENT_TYPES = ["application/json", "text/plain", "application/json; charset=latin-1", "multipart/form-data", None]


def _soak(request: Any) -> bool:
    return bool(request.config.getoption("--soak"))


@st.composite
def hook_requests(draw) -> tuple[bytes, dict[str, str], str]:
    """A body, its headers, and how it was signed: valid, bad, missing, stale or replayed."""
    body = draw(mutated_events(HOSTILE_VALUES) | st.just(b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"))
    signing = draw(st.sampled_from(["valid", "valid", "valid", "bad", "missing", "stale", "replayed"]))
    if signing == "bad":
        headers = signed_headers(body, secret=UNKNOWN_SECRET)
    elif signing == "stale":
        headers = signed_headers(body, secret=SECRET, timestamp=int(time.time()) - 3600)
    else:
        headers = signed_headers(body, secret=SECRET)
    if signing == "missing":
        del headers[draw(st.sampled_from(["webhook-id", "webhook-timestamp", "webhook-signature"]))]
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    if content_type is None:
        del headers["Content-Type"]
    else:
        headers["Content-Type"] = content_type
    return body, headers, signing


def _stored_events(engine) -> set[str]:  # noqa: ANN001
    with engine.connect() as conn:
        return set(conn.scalars(select(Event.webhook_id)))


def _check_error_shape(response) -> None:  # noqa: ANN001
    assert response.status_code < 500 or (response.status_code == 503 and "Retry-After" in response.headers), (
        response.status_code, response.text[:500])
    if response.status_code >= 400 and response.headers.get("Content-Type") == "application/json":
        assert set(response.json()) == {"error", "message", "details"}


def test_hostile_hooks_are_refused_or_stored_and_drained(stack, request):  # noqa: ANN001
    accepted: dict[str, tuple[bytes, dict[str, str]]] = {}
    validly_signed: set[str] = set()
    tally = {"sent": 0, "accepted": 0, "duplicates": 0, "5xx": 0}
    http = stack.admin.__class__()

    def post(body: bytes, headers: dict[str, str]):  # noqa: ANN202
        tally["sent"] += 1
        response = http.post(f"{stack.url}/hooks/whmcs", data=body, headers=headers, timeout=30)
        tally["5xx"] += response.status_code >= 500
        return response

    @settings(max_examples=2000 if _soak(request) else 150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(hook_requests())
    def send(drawn):  # noqa: ANN001, ANN202
        body, headers, signing = drawn
        if signing == "replayed" and accepted:
            webhook_id = sorted(accepted)[len(body) % len(accepted)]
            old_body, old_headers = accepted[webhook_id]
            again = post(old_body, old_headers)  # a redelivery: acknowledged, nothing new stored
            assert again.status_code == 200 and again.json()["status"] == "duplicate", again.text
            tally["duplicates"] += 1
            headers = {**old_headers, "Content-Type": "application/json"}  # the old signature on a new body
        elif signing == "valid" and headers.get("Content-Type", "").startswith("application/json"):
            validly_signed.add(headers["webhook-id"])
        response = post(body, headers)
        _check_error_shape(response)
        if response.status_code == 202:
            assert headers.get("webhook-id") in validly_signed
            accepted[headers["webhook-id"]] = (body, headers)
            tally["accepted"] += 1

    send()
    stored = _stored_events(stack.engine)
    assert stored == set(accepted)  # every 202 has its row, and no row lacks a valid signature
    counts = drain(stack.worker, timeout=300 if _soak(request) else 120)
    assert counts["pending"] == counts["running"] == 0
    with stack.engine.connect() as conn:
        crashed = conn.scalars(select(Command.id).where(Command.last_error_code == "internal_error")).all()
        commands = conn.scalar(select(func.count()).select_from(Command))
    assert crashed == []  # a handler never trips over what the intake let in
    with stack.engine.connect() as conn:
        shown = conn.scalars(select(Command.id).order_by(Command.id.desc()).limit(30)).all()
    for command_id in shown:
        page = stack.api("GET", f"/admin/commands/{command_id}")
        assert page.status_code == 200 and not any(text in page.text for text in MARKUP)
    record("hostile hooks", stack.worker.outbox.backend, **tally, commands=commands, **counts)


MARKUP = [text for text in INJECTIONS if "<" in text]


def _shown_escaped(page: str, text: str) -> bool:
    """The text is on the page, but only HTML-escaped, JSON-escaped or both, never as markup."""

    def html(value: str) -> str:
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")

    as_json = json.dumps(text)[1:-1]  # as Jinja's tojson writes it
    escaped = [html(text), html(as_json)]
    for character in "&<>'":
        as_json = as_json.replace(character, f"\\u{ord(character):04x}")
    escaped.append(as_json)
    return text not in page and any(form in page for form in escaped)


def test_what_was_stored_is_shown_escaped_on_the_dashboard(stack):  # noqa: ANN001
    event = sample("domain.contacts_changed")
    event["data"]["registrant"]["first_name"] = "<script>alert(1)</script>"
    event["data"]["registrant"]["company_name"] = "\" onmouseover=\"alert(2)"
    body = json.dumps(event).encode()
    answer = stack.admin.__class__().post(f"{stack.url}/hooks/whmcs", data=body, headers=signed_headers(body, SECRET))
    assert answer.status_code == 202, answer.text
    [command_id] = answer.json()["commands"]
    drain(stack.worker)
    page = stack.api("GET", f"/admin/commands/{command_id}")
    assert page.status_code == 200
    assert _shown_escaped(page.text, "<script>alert(1)</script>")
    assert _shown_escaped(page.text, "\" onmouseover=\"alert(2)")
    overview = stack.api("GET", "/admin/")
    assert overview.status_code == 200 and "<script>alert(1)" not in overview.text


# -- the admin API and the dashboard ---------------------------------------------

ID_TEXT = (
    st.sampled_from(["99999999999999999999", "9223372036854775808", "0", "-1", "1", "2", "1e3", "0x10", "%00", "%F0%9F%98%80"])
    | st.integers(min_value=-(2**70), max_value=2**70).map(str)
)
NAME_TEXT = st.sampled_from(["kept.com", "KEPT.COM", "bücher.example", "a" * 300 + ".com", "%00.com", "x..com", "-a-.com",
                             "%F0%9F%98%80.com", "%ED%A0%80.com"])
ROUTES = [
    ("GET", "/api/v1/commands", None), ("GET", "/api/v1/commands/{id}", None),
    ("POST", "/api/v1/commands/{id}/replay", None), ("POST", "/api/v1/commands/replay", "body"),
    ("GET", "/api/v1/events/{name}", None), ("GET", "/api/v1/domains/{name}", None),
    ("GET", "/api/v1/sync/runs", None), ("GET", "/api/v1/sync/runs/{id}", None), ("POST", "/api/v1/sync/runs", "body"),
    ("GET", "/api/v1/availability", None), ("GET", "/api/v1/domains/{name}/authcode", None),
    ("GET", "/api/v1/dns-templates", None),
    ("GET", "/admin/", None), ("GET", "/admin/commands/{id}", None), ("POST", "/admin/commands/{id}/replay", "form"),
    ("GET", "/admin/sync/{id}", None), ("POST", "/admin/login", "form"), ("POST", "/admin/logout", "form"),
]
PARAMETERS = st.dictionaries(
    st.sampled_from(["limit", "before", "status", "type", "domain", "domains", "since", "dry_run", "token", "csrf"]),
    st.sampled_from(["1", "0", "-1", "99999999999999999999", "dead", "done", "pending", "set_lock", "a\x00b", "x" * 2000,
                     "kept.com", "2026-01-01T00:00:00Z", "\U0001f600", "' OR 1=1 --", "true"])
    | st.text(max_size=20),
    max_size=3,
)
BODIES = st.one_of(
    HOSTILE_VALUES.map(lambda value: ("json", value)),
    st.dictionaries(st.sampled_from(["status", "type", "domain", "since", "dry_run", "domains", "ids"]), HOSTILE_VALUES,
                    max_size=3).map(lambda value: ("json", value)),
    st.binary(max_size=200).map(lambda value: ("raw", value)),
)
AUTH = st.sampled_from(["valid", "valid", "valid", "wrong", "missing"])


@st.composite
def admin_requests(draw) -> dict[str, Any]:
    method, template, body_kind = draw(st.sampled_from(ROUTES))
    path = template.format(id=draw(ID_TEXT), name=draw(NAME_TEXT))
    kwargs: dict[str, Any] = {"params": draw(PARAMETERS), "allow_redirects": False}
    if body_kind == "body":
        kind, value = draw(BODIES)
        if kind == "json":
            kwargs["data"] = json.dumps(value).encode()
            kwargs["headers"] = {"Content-Type": draw(st.sampled_from(["application/json", "text/plain"]))}
        else:
            kwargs["data"] = value
    elif body_kind == "form":
        kwargs["data"] = draw(PARAMETERS)
    return dict(method=method, path=path, auth=draw(AUTH), kwargs=kwargs)


def _table_state(engine) -> tuple:  # noqa: ANN001
    with engine.connect() as conn:
        return tuple(conn.execute(select(Command.id, Command.status, Command.attempts).order_by(Command.id)).all())


def test_hostile_admin_requests_never_answer_5xx(stack, request):  # noqa: ANN001
    # Something to look at and replay: the sample events, run once.
    for type_ in ("domain.lock_changed", "invoice.paid", "order.accepted"):
        body = json.dumps(sample(type_)).encode()
        stack.admin.__class__().post(f"{stack.url}/hooks/whmcs", data=body, headers=signed_headers(body, SECRET))
    drain(stack.worker)
    tally = {"sent": 0, "5xx": 0, "unauthorised": 0}

    @settings(max_examples=2000 if _soak(request) else 200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(admin_requests())
    def send(drawn):  # noqa: ANN001, ANN202
        http = stack.admin.__class__()
        if drawn["auth"] == "valid":
            http.headers["Authorization"] = stack.admin.headers["Authorization"]
        elif drawn["auth"] == "wrong":
            http.headers["Authorization"] = "Bearer not-the-token"
        before = _table_state(stack.engine) if drawn["auth"] != "valid" else None
        response = http.request(drawn["method"], stack.url + drawn["path"], timeout=30, **drawn["kwargs"])
        tally["sent"] += 1
        tally["5xx"] += response.status_code >= 500
        _check_error_shape(response)
        if before is not None:
            tally["unauthorised"] += 1
            assert response.status_code in (302, 303, 400, 401, 403, 404, 405, 200), response.status_code
            assert _table_state(stack.engine) == before  # without the token nothing changes

    send()
    record("hostile admin requests", stack.worker.outbox.backend, **tally)
