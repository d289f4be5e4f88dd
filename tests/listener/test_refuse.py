"""Refused requests: the right status and error code, a JSON body, and nothing stored."""
from __future__ import annotations

import json
import time

import pytest

from tests.listener.conftest import OLD_SECRET, UNKNOWN_SECRET, signed_headers
from tests.listener.events import sample

LOCK = json.dumps(sample("domain.lock_changed")).encode()


@pytest.fixture
def refused(client):
    """Check a refusal's status and code, and that the database did not change."""
    before = client.counts()

    def check(response, status: int, code: str) -> dict:
        assert response.status_code == status, response.text
        assert response.headers["Content-Type"] == "application/json"
        body = response.json()
        assert body["error"] == code and body["message"] and isinstance(body["details"], dict)
        assert client.counts() == before
        return body

    return check


def test_bad_signature(client, refused):
    headers = signed_headers(LOCK)
    headers["webhook-signature"] = "v1,bm90IGEgc2lnbmF0dXJlIGF0IGFsbCBidXQgMzIgYnl0ZXM="
    refused(client.post(LOCK, headers), 401, "bad_signature")


def test_tampered_body(client, refused):
    headers = signed_headers(LOCK)
    refused(client.post(LOCK.replace(b"true", b"false"), headers), 401, "bad_signature")


def test_signature_of_another_id_does_not_carry_over(client, refused):
    headers = signed_headers(LOCK)
    headers["webhook-id"] = "evt_other"
    refused(client.post(LOCK, headers), 401, "bad_signature")


@pytest.mark.parametrize("offset", [-301, 301, -86400])
def test_stale_and_future_timestamps(client, refused, offset):
    headers = signed_headers(LOCK, timestamp=int(time.time()) + offset)
    refused(client.post(LOCK, headers), 401, "timestamp_out_of_range")


def test_timestamp_within_tolerance_is_accepted(client):
    assert client.post(LOCK, signed_headers(LOCK, timestamp=int(time.time()) - 250)).status_code == 202


def test_non_numeric_timestamp(client, refused):
    headers = signed_headers(LOCK)
    headers["webhook-timestamp"] = "2026-11-28T12:00:00Z"
    refused(client.post(LOCK, headers), 401, "invalid_timestamp")


def test_unknown_secret(client, refused):
    refused(client.post(LOCK, signed_headers(LOCK, secret=UNKNOWN_SECRET)), 401, "bad_signature")


def test_rotation_accepts_old_and_new_secret_in_one_header(client):
    headers = signed_headers(LOCK, secret=UNKNOWN_SECRET)
    old = signed_headers(LOCK, secret=OLD_SECRET, webhook_id=headers["webhook-id"],
                         timestamp=int(headers["webhook-timestamp"]))
    headers["webhook-signature"] += " " + old["webhook-signature"]
    assert client.post(LOCK, headers).status_code == 202


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_signature_header(client, refused, missing):
    headers = signed_headers(LOCK)
    del headers[missing]
    body = refused(client.post(LOCK, headers), 401, "missing_signature")
    assert body["details"] == {"missing": [missing]}


def test_malformed_webhook_id(client, refused):
    refused(client.post(LOCK, signed_headers(LOCK, webhook_id="evt 1/../x")), 400, "invalid_webhook_id")


@pytest.mark.parametrize("body", [b"{not json", b'{"type": NaN}', b"\xff\xfe{}", b"[" * 100_000])
def test_malformed_json(client, refused, body):
    refused(client.post(body, signed_headers(body)), 400, "malformed_json")


@pytest.mark.parametrize("document", [[1, 2], "event", {"type": "domain.lock_changed"},
                                      {"type": 5, "occurred_at": "yesterday", "data": []}])
def test_malformed_envelope(client, refused, document):
    body = json.dumps(document).encode()
    refused(client.post(body, signed_headers(body)), 400, "malformed_envelope")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_wrong_content_type(client, refused, content_type):
    headers = signed_headers(LOCK)
    if content_type:
        headers["Content-Type"] = content_type
    else:
        del headers["Content-Type"]
    refused(client.post(LOCK, headers), 415, "unsupported_media_type")


def test_json_with_charset_is_json(client):
    headers = signed_headers(LOCK)
    headers["Content-Type"] = "application/json; charset=utf-8"
    assert client.post(LOCK, headers).status_code == 202


def _padded(size: int) -> bytes:
    event = sample("domain.lock_changed")
    event["padding"] = ""
    body = json.dumps(event).encode()
    event["padding"] = "x" * (size - len(body))
    return json.dumps(event).encode()


def test_body_of_exactly_256_kib_is_accepted(client):
    body = _padded(256 * 1024)
    assert len(body) == 256 * 1024
    assert client.post(body, signed_headers(body)).status_code == 202


def test_257_kib_body(client, refused):
    body = _padded(257 * 1024)
    refused(client.post(body, signed_headers(body)), 413, "body_too_large")


def test_chunked_oversize_body(client, refused):
    body = _padded(300 * 1024)

    def chunks():
        for start in range(0, len(body), 16 * 1024):
            yield body[start:start + 16 * 1024]

    # A generator body is sent with Transfer-Encoding: chunked and no Content-Length.
    refused(client.post(chunks(), signed_headers(body)), 413, "body_too_large")


def test_chunked_body_within_the_limit_is_accepted(client):
    assert client.post(iter([LOCK[:10], LOCK[10:]]), signed_headers(LOCK)).status_code == 202


@pytest.mark.parametrize(("event_type", "change", "path"), [
    ("invoice.paid", lambda d: d["items"][1].update(domain="bad..example"), ["data", "items", "1", "domain"]),
    ("order.accepted", lambda d: d["registrant"].update(phone="0201234567"), ["data", "registrant", "phone"]),
    ("order.accepted", lambda d: d["domains"][0].update(period_years=11), ["data", "domains", "0", "period_years"]),
    ("order.accepted", lambda d: d["domains"][0].update(action="renew"), ["data", "domains", "0", "action"]),
    ("domain.nameservers_changed", lambda d: d.update(nameservers=["ns1.example.net"]), ["data", "nameservers"]),
    ("domain.nameservers_changed", lambda d: d.update(nameservers=["ns1.example.net", "ns2.example.net/999.1.1.1"]),
     ["data", "nameservers", "1"]),
    ("domain.lock_changed", lambda d: d.pop("locked"), ["data", "locked"]),
    ("domain.lock_changed", lambda d: d.update(domain_id="7"), ["data", "domain_id"]),
    ("domain.edited", lambda d: d.update(expiry_date="2027-02-30"), ["data", "expiry_date"]),
    ("domain.contacts_changed", lambda d: d["registrant"].update(country="Netherlands"), ["data", "registrant", "country"]),
    ("domain.delete_requested", lambda d: d.update(domain="localhost"), ["data", "domain"]),
])
def test_schema_violations_name_the_field(client, refused, event_type, change, path):
    event = sample(event_type)
    change(event["data"])
    body = json.dumps(event).encode()
    details = refused(client.post(body, signed_headers(body)), 422, "invalid_event")["details"]
    for step in path:
        details = details[step]
    assert isinstance(details, list) and all(isinstance(message, str) for message in details)


def test_unknown_type(client, refused):
    event = sample("domain.lock_changed")
    event["type"] = "domain.teleported"
    body = json.dumps(event).encode()
    details = refused(client.post(body, signed_headers(body)), 422, "unknown_event_type")["details"]
    assert "domain.lock_changed" in details["type"][0]


def test_unknown_path_and_method_answer_json(client, refused):
    refused(client.http.get(f"{client.base_url}/nowhere"), 404, "not_found")
    response = client.http.get(f"{client.base_url}/hooks/whmcs")
    refused(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]
