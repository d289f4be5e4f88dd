"""``opbridge move-registrar``: hand WHMCS's domains from one registrar module to another
(whmcsapi.registrar_move says how)."""
from __future__ import annotations

import click

from core.settings import ConfigError, load_settings, require
from opbridge.commands.output import echo_records
from whmcsapi.client import WhmcsClient
from whmcsapi.errors import WhmcsError
from whmcsapi.registrar_move import COLUMNS, move_domains


@click.command("move-registrar")
@click.option("--from", "source", default="openprovider", show_default=True, help="The registrar module the domains leave.")
@click.option("--to", "target", default="opbridge", show_default=True, help="The registrar module WHMCS calls from now on.")
@click.option("--tld", "tlds", multiple=True, help="Only domains of this TLD (nl, co.uk); repeat for several.")
@click.option("--dry-run", is_flag=True, help="List what would move and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def move_registrar(source: str, target: str, tlds: tuple[str, ...], dry_run: bool, as_json: bool) -> None:
    """Move WHMCS's domains from one registrar module to another through the WHMCS API."""
    if source.strip().lower() == target.strip().lower():
        raise click.UsageError("--from and --to name the same registrar module.")
    wanted = frozenset(tld.lower().lstrip(".") for tld in tlds)
    try:
        settings = load_settings()
        require(settings, "whmcs_url", "whmcs_identifier", "whmcs_secret")
        with WhmcsClient.from_settings(settings) as client:
            moves = move_domains(client, source, target, tlds=wanted, dry_run=dry_run)
    except (ConfigError, WhmcsError) as error:
        raise click.ClickException(str(error)) from None
    echo_records([move.record() for move in moves], COLUMNS, as_json)
    if not as_json:
        verb = "would move" if dry_run else "moved"
        done = sum(move.outcome in ("moved", "would move") for move in moves)
        click.echo(f"{done} domain(s) {verb} from {source} to {target}.")
    if any(move.outcome.startswith("failed") for move in moves):
        raise click.ClickException("Some domains were not moved; see the table. Run the command again to retry them.")
