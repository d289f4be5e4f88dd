"""The ``sandbox whmcs`` command, without opening a port."""
from __future__ import annotations

from click.testing import CliRunner

from opbridge.commands import sandbox_whmcs as cli


def test_options_reach_the_served_app(monkeypatch):
    served = {}
    monkeypatch.setattr(cli, "run_simple", lambda host, port, app, **kwargs: served.update(
        host=host, port=port, app=app, threaded=kwargs.get("threaded")))

    result = CliRunner().invoke(cli.sandbox_whmcs, [
        "--port", "9123", "--identifier", "me", "--secret", "s3cret",
        "--latency-ms", "5", "--error-rate", "0.25", "--seed-demo",
    ])

    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.output and "6 domains" in result.output
    assert (served["host"], served["port"], served["threaded"]) == ("127.0.0.1", 9123, True)
    admin = served["app"].test_client()
    assert admin.get("/_sandbox/faults").get_json() == {"latency_ms": 5, "error_rate": 0.25, "seed": 0}
    assert admin.get("/_sandbox/domains/jansen.eu").get_json()["status"] == "Grace"
    refused = admin.post("/includes/api.php", data={"identifier": "me", "secret": "wrong", "action": "x"})
    assert refused.status_code == 403


def test_bad_error_rate_is_a_usage_error():
    assert CliRunner().invoke(cli.sandbox_whmcs, ["--error-rate", "3"]).exit_code == 2
