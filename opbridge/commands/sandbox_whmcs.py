"""``opbridge sandbox whmcs``: serve a simulated WHMCS on this machine."""
from __future__ import annotations

import click
from werkzeug.serving import run_simple

from whmcssandbox.app import create_app
from whmcssandbox.faults import Faults
from whmcssandbox.seeding import demo_spec, seed
from whmcssandbox.state import DEFAULT_IDENTIFIER, DEFAULT_SECRET, SandboxState


@click.command("whmcs")
@click.option("--port", default=8091, show_default=True, type=click.IntRange(0, 65535))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--identifier", default=DEFAULT_IDENTIFIER, show_default=True, help="API identifier to accept.")
@click.option("--secret", default=DEFAULT_SECRET, show_default=True, help="API secret to accept.")
@click.option("--accesskey", default="", help="Require this access key as well.")
@click.option("--latency-ms", default=0, show_default=True, type=click.IntRange(min=0),
              help="Delay every API call by this much.")
@click.option("--error-rate", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Share of API calls answered with HTTP 500.")
@click.option("--fault-seed", default=0, show_default=True, help="Seed of the fault sequence.")
@click.option("--seed-demo", is_flag=True, help="Start with a small demo data set.")
def sandbox_whmcs(port: int, host: str, identifier: str, secret: str, accesskey: str,
                  latency_ms: int, error_rate: float, fault_seed: int, seed_demo: bool) -> None:
    """Serve a simulated WHMCS API at http://HOST:PORT/includes/api.php (admin API under /_sandbox)."""
    state = SandboxState(
        identifier=identifier, secret=secret, accesskey=accesskey,
        faults=Faults(latency_ms=latency_ms, error_rate=error_rate, seed=fault_seed),
    )
    if seed_demo:
        created = seed(state, demo_spec())
        click.echo(f"Seeded {len(created['clients'])} clients, {len(created['domains'])} domains "
                   f"and {len(created['invoices'])} invoices.")
    click.echo(f"WHMCS sandbox on http://{host}:{port}/includes/api.php, identifier {identifier}")
    run_simple(host, port, create_app(state), threaded=True)
