"""``opbridge circuit show | close``: calls to a service paused after it refused opbridge's credentials."""
from __future__ import annotations

import os

import click

from opbridge.commands.output import echo_records
from opbridge.commands.runtime import Failure, Group, Runtime, pass_runtime


@click.group(cls=Group)
def circuit() -> None:
    """Circuits: calls to a service paused after it refused opbridge's credentials."""


@circuit.command("show")
@pass_runtime
def circuit_show(runtime: Runtime) -> None:
    """The circuits open now, with until when and why."""
    from outbox.circuits import open_circuits

    rows = open_circuits(runtime.outbox.engine, runtime.outbox.clock())
    echo_records(rows, ("service", "open_until", "code", "reason"), False, empty="Every circuit is closed: calls flow.")


@circuit.command("close")
@click.argument("service", type=click.Choice(("openprovider", "whmcs", "configuration")), default="openprovider")
@pass_runtime
def circuit_close(runtime: Runtime, service: str) -> None:
    """Resume calls to SERVICE now: after fixing what it refused (an IP whitelist, a password)."""
    import outbox.handlers  # noqa: F401 - registers every handler
    from outbox import circuits
    from outbox.registry import registry

    outbox = runtime.outbox
    who = f"opbridge circuit close, by {os.environ.get('USER') or 'an operator'}"
    due = circuits.close(outbox.engine, service, registry.types_of(service), outbox.clock(), who)
    if due is None:
        raise Failure(f"The {service} circuit is not open.")
    click.echo(f"Closed the {service} circuit: {due} command(s) due now; running workers resume within a heartbeat "
               f"({max(1, runtime.settings.lease_seconds // 3)} s).")
