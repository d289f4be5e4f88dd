"""Arbitrary requests never break the listener and never store an unsigned event."""
from __future__ import annotations

import json
import time

from hypothesis import HealthCheck, given, settings, strategies as st

from tests.listener.conftest import NEW_SECRET, new_webhook_id, signed_headers
from tests.listener.events import SAMPLES

HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=80).map(str.lstrip)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


@st.composite
def mutated_events(draw, values: st.SearchStrategy = JSON_VALUES) -> bytes:
    """A sample event with one field anywhere replaced by a value drawn from ``values``."""
    event = json.loads(json.dumps(SAMPLES[draw(st.sampled_from(sorted(SAMPLES)))]))
    node = event
    while isinstance(node, (dict, list)) and node and draw(st.booleans()):
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = draw(st.sampled_from(keys))
        if not isinstance(node[key], (dict, list)) or draw(st.booleans()):
            node[key] = draw(values)
            break
        node = node[key]
    return json.dumps(event).encode()


BODIES = st.binary(max_size=2048) | JSON_VALUES.map(lambda value: json.dumps(value).encode()) | mutated_events()


@st.composite
def requests_to_send(draw) -> tuple[bytes, dict[str, str], bool]:
    """A body with headers that are either correctly signed or arbitrary; says which."""
    body = draw(BODIES)
    signed = draw(st.booleans())
    if signed:
        headers = signed_headers(body, secret=NEW_SECRET)
    else:
        headers = {
            "webhook-id": draw(st.just(new_webhook_id()) | HEADER_TEXT),
            "webhook-timestamp": draw(st.just(str(int(time.time()))) | HEADER_TEXT),
            "webhook-signature": draw(HEADER_TEXT.map(lambda text: "v1," + text)),
        }
    headers["Content-Type"] = draw(st.sampled_from(["application/json", "text/plain", "application/json; charset=utf-8"]))
    for name in draw(st.sets(st.sampled_from(sorted(headers)), max_size=1)):
        del headers[name]
    return body, headers, signed and "webhook-signature" in headers


def test_arbitrary_requests(client):
    validly_signed = set()

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(requests_to_send())
    def post(request):
        body, headers, signed = request
        if signed:
            validly_signed.add(headers.get("webhook-id"))
        response = client.post(body, headers)
        assert response.status_code < 500, response.text
        assert response.headers["Content-Type"] == "application/json"
        if response.status_code >= 400:
            assert set(response.json()) == {"error", "message", "details"}

    post()
    assert {event.webhook_id for event in client.events()} <= validly_signed
