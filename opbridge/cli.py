"""The ``opbridge`` command line. Exit codes: 0 success, 1 failure, 2 usage."""
from __future__ import annotations

import os

import click

from opbridge.commands.runtime import Group, Runtime


@click.group(cls=Group)
@click.version_option(package_name="opbridge", prog_name="opbridge")
@click.option("--config", "config_path", type=click.Path(), help="TOML settings file (or OPBRIDGE_CONFIG).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """opbridge: WHMCS to Openprovider, out of the request path."""
    if config_path:
        # Verbs that load settings themselves, and the processes they start, read it here.
        os.environ["OPBRIDGE_CONFIG"] = config_path
    ctx.obj = Runtime(config_path)


@cli.group(cls=Group)
def sandbox() -> None:
    """Serve a simulator of Openprovider or WHMCS, for tests and demos."""


def _register_parts() -> None:
    # Each part's verbs live in opbridge.commands; the root group only gathers them.
    from opbridge.commands.circuit import circuit
    from opbridge.commands.database import db, purge
    from opbridge.commands.events import events
    from opbridge.commands.first_steps import demo, doctor, secrets_group
    from opbridge.commands.openprovider import authcode, check, dns_templates
    from opbridge.commands.portfolio import portfolio
    from opbridge.commands.processes import run, worker
    from opbridge.commands.queue import commands
    from opbridge.commands.registrar_move import move_registrar
    from opbridge.commands.sandbox_openprovider import sandbox_openprovider
    from opbridge.commands.sandbox_whmcs import sandbox_whmcs
    from opbridge.commands.serve import serve
    from opbridge.commands.sync import sync
    from opbridge.commands.tlds import tlds

    for command in (db, purge, worker, run, commands, circuit, doctor, demo, secrets_group, serve, events, check, authcode,
                    dns_templates, sync, tlds, portfolio, move_registrar):
        cli.add_command(command)
    sandbox.add_command(sandbox_openprovider)
    sandbox.add_command(sandbox_whmcs)


_register_parts()


def main() -> None:
    cli(prog_name="opbridge")
