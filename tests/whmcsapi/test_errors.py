"""How the client maps HTTP and WHMCS answers onto its exception tree, and what it records."""
from __future__ import annotations

import logging

import flask
import pytest

from core.settings import load_settings
from tests.support import free_port, serve_wsgi
from whmcsapi import (
    CallRecord,
    WhmcsAuthenticationError,
    WhmcsClient,
    WhmcsError,
    WhmcsPermanentError,
    WhmcsTransientError,
)
from whmcssandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET


def canned(status: int, body: str, headers: dict | None = None) -> flask.Flask:
    """A stand-in WHMCS that gives every call the same answer."""
    app = flask.Flask(__name__)
    app.add_url_rule("/includes/api.php", "api", lambda: (body, status, headers or {}), methods=["POST"])
    return app


def call_canned(status: int, body: str, headers: dict | None = None) -> WhmcsError:
    with serve_wsgi(canned(status, body, headers)) as url, WhmcsClient(url, "id", "secret", timeout=5) as client:
        with pytest.raises(WhmcsError) as raised:
            client.get_clients_domains()
    return raised.value


def test_wrong_secret_is_an_authentication_error(sandbox_url, admin):
    with WhmcsClient(sandbox_url, DEFAULT_IDENTIFIER, "wrong", timeout=5) as client:
        with pytest.raises(WhmcsAuthenticationError, match="Authentication Failed") as raised:
            client.get_clients_domains()

    assert raised.value.call.http_status == 403 and raised.value.call.outcome == "auth_error"
    assert admin.get("/counters")["calls"] == {}  # refused before anything ran


def test_missing_access_key_is_an_authentication_error(sandbox_url, state):
    state.accesskey = "k3y!"
    with WhmcsClient(sandbox_url, DEFAULT_IDENTIFIER, DEFAULT_SECRET, timeout=5) as client:
        with pytest.raises(WhmcsAuthenticationError, match="Invalid Access Key"):
            client.get_clients_domains()
    with WhmcsClient(sandbox_url, DEFAULT_IDENTIFIER, DEFAULT_SECRET, accesskey="k3y!", timeout=5) as client:
        assert client.get_clients_domains().total == 0


def test_injected_http_500_is_transient(client, admin):
    admin.faults(error_rate=1.0)

    with pytest.raises(WhmcsTransientError) as raised:
        client.log_activity("x")

    assert raised.value.call.http_status == 500 and raised.value.retry_after is None
    assert admin.get("/activity") == [] and admin.get("/counters")["faults_injected"] == 1


def test_retry_after_is_read_in_seconds_or_as_a_date():
    assert call_canned(503, "busy", {"Retry-After": "7"}).retry_after == 7.0
    dated = call_canned(503, "busy", {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert dated.retry_after == 0.0  # a date in the past means: now


def test_too_many_requests_is_transient():
    assert isinstance(call_canned(429, "slow down", {"Retry-After": "30"}), WhmcsTransientError)


def test_timeout_is_transient(sandbox_url, admin):
    admin.faults(latency_ms=1000)
    with WhmcsClient(sandbox_url, DEFAULT_IDENTIFIER, DEFAULT_SECRET, timeout=0.2) as client:
        with pytest.raises(WhmcsTransientError) as raised:
            client.get_clients_domains()
    assert raised.value.call.outcome == "transient_error" and raised.value.call.http_status is None


def test_connection_refused_is_transient():
    with WhmcsClient(f"http://127.0.0.1:{free_port()}", "id", "secret", timeout=2) as client:
        with pytest.raises(WhmcsTransientError):
            client.get_clients_domains()


def test_result_error_is_permanent_with_the_message(client):
    with pytest.raises(WhmcsPermanentError) as raised:
        client.call("NoSuchAction")
    assert raised.value.message == "Command Not Found" and not isinstance(raised.value, WhmcsTransientError)


def test_registrar_error_text_is_kept():
    error = call_canned(200, '{"result": "error", "message": "Registrar Error Message", "error": "Domain locked"}')
    assert isinstance(error, WhmcsPermanentError)
    assert (error.message, error.error) == ("Registrar Error Message", "Domain locked")
    assert "Domain locked" in str(error)


@pytest.mark.parametrize(("status", "body"), [(200, "<html>WHMCS</html>"), (404, "Not Found"), (200, "[]")])
def test_answers_that_are_not_a_whmcs_reply_are_permanent(status, body):
    error = call_canned(status, body)
    assert isinstance(error, WhmcsPermanentError) and f"HTTP {status}" in error.message


def test_every_call_is_recorded_without_credentials(sandbox_url, admin, caplog):
    records: list[CallRecord] = []
    report = "<p>" + "x" * 5000 + "</p>"
    with WhmcsClient(sandbox_url, DEFAULT_IDENTIFIER, DEFAULT_SECRET, accesskey="k", timeout=5,
                     on_call=records.append) as client, caplog.at_level(logging.DEBUG, logger="whmcsapi"):
        client.send_admin_email("report", report)
        client.call("LogActivity", {"description": "d", "password": "hunter2"})
        with pytest.raises(WhmcsPermanentError):
            client.call("NoSuchAction")

    assert [(record.action, record.outcome, record.http_status) for record in records] == [
        ("SendAdminEmail", "success", 200), ("LogActivity", "success", 200), ("NoSuchAction", "error", 200),
    ]
    assert records[0].params["custommessage"].endswith("(5007 chars)")
    assert records[1].params["password"] == "***"
    logged = " ".join(str(record.__dict__) for record in caplog.records)
    assert "whmcs_call" in logged
    for secret in (DEFAULT_SECRET, "hunter2"):
        assert secret not in logged and secret not in repr(records)
    assert DEFAULT_SECRET not in repr(client)
    received = admin.get("/requests")
    assert received[0]["responsetype"] == "json" and "secret" not in received[0]


def test_from_settings(sandbox_url, state):
    settings = load_settings(environ={}, whmcs_url=sandbox_url + "/", whmcs_identifier=DEFAULT_IDENTIFIER,
                             whmcs_secret=DEFAULT_SECRET)
    with WhmcsClient.from_settings(settings, timeout=5) as client:
        assert client.endpoint == sandbox_url + "/includes/api.php"
        assert client.get_clients_domains().total == 0
