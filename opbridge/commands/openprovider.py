"""The synchronous Openprovider verbs of the ``opbridge`` CLI: ``check``, ``authcode`` and ``dns-templates``.

Each builds its client from the settings and turns any failure into exit status 1 with
one sentence on stderr.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import click

from core.settings import ConfigError, load_settings, require
from opbridge.commands.output import echo_records
from opclient.client import OpenproviderClient
from opclient.errors import OpenproviderError
from opclient.names import InvalidDomainName

CHECK_COLUMNS = ("domain", "status", "price", "currency", "reason")
TEMPLATE_COLUMNS = ("id", "name", "records")


@contextlib.contextmanager
def _client() -> Iterator[OpenproviderClient]:
    try:
        settings = load_settings()
        require(settings, "op_url", "op_username", "op_password")
        with OpenproviderClient.from_settings(settings) as client:
            yield client
    except (ConfigError, OpenproviderError, InvalidDomainName) as error:
        raise click.ClickException(str(error)) from None


@click.command("check")
@click.argument("domains", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def check(domains: tuple[str, ...], as_json: bool) -> None:
    """Ask Openprovider whether DOMAINS are free to register."""
    with _client() as client:
        results = client.domains.check(domains, with_price=True)
    rows: list[dict[str, Any]] = [
        {
            "domain": result.domain,
            "status": result.status,
            "price": str(result.price.amount) if result.price else None,
            "currency": result.price.currency if result.price else None,
            "reason": result.reason,
        }
        for result in results
    ]
    echo_records(rows, CHECK_COLUMNS, as_json)


@click.command("authcode")
@click.argument("domain")
def authcode(domain: str) -> None:
    """Print DOMAIN's auth code from Openprovider: the one verb that shows a code."""
    with _client() as client:
        found = client.domains.find(domain)
        click.echo(client.domains.auth_code(found.id).code)


@click.command("dns-templates")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def dns_templates(as_json: bool) -> None:
    """List the DNS templates of the Openprovider account."""
    with _client() as client:
        templates = client.dns.templates(with_records=True)
    rows = [
        {"id": template.id, "name": template.name, "records": len(template.records)} for template in templates
    ]
    echo_records(rows, TEMPLATE_COLUMNS, as_json)
