"""``opbridge doctor``, ``opbridge demo`` and ``opbridge secrets new``: an operator's first hour."""
from __future__ import annotations

import base64
import dataclasses
import logging
import secrets
import sys

import click
from cryptography.fernet import Fernet

from listener.signing import SECRET_PREFIX
from core import logs
from opbridge.commands.output import echo_records
from opbridge.commands.runtime import Runtime, pass_runtime


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_runtime
def doctor(runtime: Runtime, as_json: bool) -> None:
    """Check the configuration, database, Openprovider login, WHMCS API and DNS template."""
    from opbridge.doctor import FAIL, diagnose

    findings = diagnose(runtime.settings, runtime.services)
    echo_records([dataclasses.asdict(finding) for finding in findings], ("check", "status", "detail"), as_json)
    if any(finding.status == FAIL for finding in findings):
        sys.exit(1)


@click.command()
@click.option("--serve", is_flag=True, help="Then keep it all up, with the dashboard, until Ctrl-C.")
def demo(serve: bool) -> None:
    """Run the whole pipeline on SQLite against both sandboxes, printing what happens."""
    import outbox.handlers  # noqa: F401 - registers every handler
    from opbridge import demo as scenario

    logs.configure("WARNING", "text")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the sandboxes' access logs
    scenario.run(serve=serve)


SECRET_KINDS = {
    # Standard Webhooks' form: whsec_ and 32 random bytes in base64 (OPBRIDGE_WEBHOOK_SECRETS).
    "webhook": lambda: SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode(),
    "admin-token": lambda: secrets.token_urlsafe(32),  # OPBRIDGE_ADMIN_TOKENS
    "at-rest-key": lambda: Fernet.generate_key().decode(),  # OPBRIDGE_AT_REST_KEYS
}


@click.group("secrets")
def secrets_group() -> None:
    """Make the secrets opbridge's settings take."""


@secrets_group.command("new")
@click.argument("kind", type=click.Choice(tuple(SECRET_KINDS)), default="webhook")
def secrets_new(kind: str) -> None:
    """Print a new webhook secret, admin token or at-rest key, from the system's random source."""
    click.echo(SECRET_KINDS[kind]())
