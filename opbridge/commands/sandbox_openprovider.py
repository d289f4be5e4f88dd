"""``opbridge sandbox openprovider``: serve the sandbox over HTTP."""
from __future__ import annotations

import click

from opsandbox.app import create_app
from opsandbox.faults import FaultSettings
from opsandbox.server import DEFAULT_THREADS, serve
from opsandbox.state import DEFAULT_PASSWORD, DEFAULT_USERNAME, SandboxState

# The port of Openprovider's own REST sandbox (api.sandbox.openprovider.nl:8480).
DEFAULT_PORT = 8480


@click.command("openprovider")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
@click.option("--latency-ms", default=0, show_default=True, type=click.IntRange(0),
              help="Delay added to every API call.")
@click.option("--error-rate", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Share of API calls answered with a bare HTTP 500.")
@click.option("--rate-limit-rate", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Share of API calls answered with code 50 (calls limit).")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Seed for the fault dice; the same seed gives the same faults.")
@click.option("--username", default=DEFAULT_USERNAME, show_default=True,
              help="The username /auth/login accepts.")
@click.option("--password", default=DEFAULT_PASSWORD, show_default=True,
              help="The password /auth/login accepts.")
@click.option("--check-responses/--no-check-responses", default=True, show_default=True,
              help="Check every success answer against the spec (costs time on big lists).")
@click.option("--threads", default=DEFAULT_THREADS, show_default=True, type=click.IntRange(1),
              help="Calls served at once; a call holds its thread for the added latency.")
def sandbox_openprovider(host: str, port: int, latency_ms: int, error_rate: float,
                         rate_limit_rate: float, seed: int, username: str, password: str,
                         check_responses: bool, threads: int) -> None:
    """Serve a stateful Openprovider v1beta API sandbox (admin API under /_sandbox)."""
    state = SandboxState(username=username, password=password)
    state.faults.configure(FaultSettings(seed=seed, latency_ms=latency_ms, error_rate=error_rate,
                                         rate_limit_rate=rate_limit_rate))
    app = create_app(state)
    app.config["OPSANDBOX_CHECK_RESPONSES"] = check_responses
    click.echo(f"Openprovider sandbox: http://{host}:{port}/v1beta  admin: /_sandbox")
    serve(app, host, port, threads)
