"""``opbridge tlds refresh | list | show``: the TLD catalogue from the command line."""
from __future__ import annotations


import click

from core.settings import require
from opbridge.commands.output import echo_json, echo_records
from opbridge.commands.runtime import Runtime, pass_runtime
from outbox.catalogue.audit import NoExchangeRate, run_audit
from outbox.catalogue.entries import all_entries, entry_for
from outbox.catalogue.premium_watch import check_premium_renewals
from outbox.catalogue.refresh import refresh_catalogue

REFRESH_NEEDS = ("op_url", "op_username", "op_password")
AUDIT_NEEDS = ("whmcs_url", "whmcs_identifier", "whmcs_secret")
AUDIT_COLUMNS = ("kind", "subject", "operation", "sell_price", "cost_price", "currency", "note")
LIST_COLUMNS = ("name", "currency", "create", "renew", "transfer", "years", "epp", "grace_days",
                "quarantine_days", "registry_fields", "refreshed_at")


def _ready(runtime: Runtime, *, creates_database: bool = False) -> Runtime:
    """The runtime with its schema current; only a verb that writes the catalogue may create
    an embedded database, as ``sync run`` does."""
    runtime.creates_database = creates_database
    runtime.outbox  # noqa: B018 - brings an embedded database's schema up to date first
    return runtime


@click.group()
def tlds() -> None:
    """The TLDs Openprovider sells: prices, periods and the registry data each needs."""


@tlds.command("refresh")
@pass_runtime
def tlds_refresh(runtime: Runtime) -> None:
    """Read every TLD from Openprovider now (the worker does it daily)."""
    _ready(runtime, creates_database=True)
    require(runtime.settings, *REFRESH_NEEDS)
    summary = refresh_catalogue(runtime.services.openprovider, runtime.engine)
    premium_changes = check_premium_renewals(runtime.services.openprovider, runtime.engine)
    click.echo(f"{summary.total} TLDs: {summary.added} added, {summary.changed} changed, "
               f"{summary.unchanged} unchanged, {summary.removed} removed; "
               f"{premium_changes} premium renewal price(s) changed.")


@tlds.command("list")
@click.option("--search", help="Only TLDs whose name contains this text.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_runtime
def tlds_list(runtime: Runtime, search: str | None, as_json: bool) -> None:
    """The catalogue, one TLD a line, with its reseller prices for one year."""
    entries = all_entries(_ready(runtime).engine, search=search)
    if as_json:
        echo_json([entry.as_dict() for entry in entries])
        return
    rows = [{**{operation: price for operation, price in entry.as_dict()["prices"].items()},
             "name": entry.name, "currency": entry.currency, "years": f"{entry.min_period}-{entry.max_period}",
             "epp": "yes" if entry.epp_required else "no", "grace_days": entry.grace_days,
             "quarantine_days": entry.quarantine_days,
             "registry_fields": ", ".join(field.name for field in entry.fields), "refreshed_at": entry.refreshed_at}
            for entry in entries]
    if not rows:
        click.echo("The catalogue is empty: run `opbridge tlds refresh`.")
        return
    echo_records(rows, LIST_COLUMNS, False)


@tlds.command("show")
@click.argument("extension")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_runtime
def tlds_show(runtime: Runtime, extension: str, as_json: bool) -> None:
    """Everything the catalogue holds about one TLD."""
    entry = entry_for(_ready(runtime).engine, extension)
    if entry is None:
        raise click.ClickException(f"The catalogue has no TLD {extension!r}: check the name, or run "
                                   "`opbridge tlds refresh`.")
    shown = entry.as_dict()
    if as_json:
        echo_json(shown)
        return
    for key, value in shown.items():
        if key == "registry_fields":
            continue
        click.echo(f"{key}: {value}")
    click.echo("registry data:" if entry.fields else "registry data: none")
    for field in entry.fields:
        where = field.target or "cannot be sent (refused)"
        options = f" [{', '.join(value for value, _ in field.options)}]" if field.options else ""
        click.echo(f"  {field.name} ({field.type}{', required' if field.required else ''}) -> {where}: "
                   f"{field.description}{options}")


@tlds.command("audit")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_runtime
def tlds_audit(runtime: Runtime, as_json: bool) -> None:
    """TLDs WHMCS sells below Openprovider's cost, and premium renewals whose cost changed."""
    _ready(runtime)
    require(runtime.settings, *AUDIT_NEEDS)
    try:
        findings = run_audit(runtime.engine, runtime.services.whmcs)
    except NoExchangeRate as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        echo_json([finding.as_dict() for finding in findings])
    elif findings:
        echo_records([finding.as_dict() for finding in findings], AUDIT_COLUMNS, False)
    else:
        click.echo("Every TLD WHMCS sells is priced at or above Openprovider's cost; no premium renewal changed.")
