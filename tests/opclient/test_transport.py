"""The client's HTTP: the environment read once, failures told apart, answers decoded."""
from __future__ import annotations

import pytest
import urllib3
from urllib3.exceptions import NewConnectionError, ProtocolError, ReadTimeoutError

from opclient.transport import Answer, Transport, timed_out

URL = "https://api.openprovider.eu"


def transport() -> Transport:
    return Transport(URL, pool_size=4, timeout=(1.0, 2.0), headers={})


def test_a_proxy_in_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    pool = transport()._pool
    assert isinstance(pool, urllib3.ProxyManager)
    assert pool.proxy.host == "proxy.example"


def test_no_proxy_and_the_ca_bundle_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    bundle = tmp_path / "ca.pem"
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "openprovider.eu")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    pool = transport()._pool
    assert not isinstance(pool, urllib3.ProxyManager)
    assert pool.connection_pool_kw["ca_certs"] == str(bundle)
    assert pool.connection_pool_kw["cert_reqs"] == "CERT_REQUIRED"


def test_a_refused_connection_is_a_failure_not_a_timeout() -> None:
    assert timed_out(ReadTimeoutError(None, "/", "read timed out"))
    assert not timed_out(NewConnectionError(None, "refused"))
    assert not timed_out(ProtocolError("Connection aborted."))


def test_an_answer_reads_as_json() -> None:
    assert Answer(200, {}, b'{"code": 0}').json() == {"code": 0}
    with pytest.raises(ValueError):
        Answer(502, {}, b"<html>").json()
