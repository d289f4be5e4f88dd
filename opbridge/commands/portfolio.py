"""``opbridge portfolio``: drift, transfer-in, status and import."""
from __future__ import annotations

import contextlib
import csv
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import click

from core.settings import require
from opbridge.commands.output import echo_json, echo_records
from opbridge.commands.runtime import Runtime, pass_runtime
from outbox.portfolio import drift_records
from outbox.portfolio.drift import KINDS
from outbox.portfolio.drift_run import DriftBusy, run_drift
from outbox.portfolio.importing import BadMapping, MatchFailed, candidates, match, queue_imports, read_mapping
from outbox.portfolio.sides import read_portfolio
from outbox.portfolio.transfer_batch import CheckFailed, batch_counts, check_rows, item_rows, latest_batch, queue_rows
from outbox.portfolio.transfer_file import BadFile, read_rows
from outbox.portfolio.transfer_progress import refresh as refresh_statuses
from outbox.portfolio.transfer_progress import sent_so_far
from outbox.values import utcnow
from opbridge.commands.sync import PhaseProgress
from outbox.sync.reading import reading_client

READS_BOTH = ("whmcs_url", "whmcs_identifier", "whmcs_secret", "op_url", "op_username", "op_password")
DRIFT_COLUMNS = ("domain", "kind", "whmcs_value", "op_value", "action")
CSV_COLUMNS = (*DRIFT_COLUMNS, "whmcs_domain_id", "client_id")


@contextlib.contextmanager
def terminal_progress(phase: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when it is a terminal; None (no progress shown) otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    bar = PhaseProgress()
    try:
        yield lambda done, total: bar(phase, done, total)
    finally:
        bar.close()


POLL_SECONDS = 1.0


def follow(engine: Any, batch_id: int, total: int) -> dict[str, int]:
    """Show the batch's progress on stderr until no transfer is waiting to be sent."""
    with click.progressbar(length=total, label=f"Batch {batch_id}", file=sys.stderr) as bar:
        shown = 0
        while True:
            sent, counts = sent_so_far(engine, batch_id, total)
            bar.update(sent - shown)
            shown = sent
            if sent >= total:
                return counts
            time.sleep(POLL_SECONDS)


@click.group()
def portfolio() -> None:
    """Whole-portfolio work: drift between WHMCS and the account, bulk transfers in, import."""


@portfolio.command("drift")
@click.option("--report", "report_id", type=int, help="Show a stored report instead of making a new one.")
@click.option("--kind", type=click.Choice(KINDS), help="Only findings of this kind.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--csv", "csv_file", type=click.File("w"), help="Also write the findings as CSV to this file (- for stdout).")
@pass_runtime
def drift(run: Runtime, report_id: int | None, kind: str | None, as_json: bool, csv_file: Any) -> None:
    """Compare WHMCS with the Openprovider account and list every disagreement with its action."""
    engine = run.engine
    run.outbox  # noqa: B018 - brings an embedded database's schema up to date first
    if report_id is None:
        require(run.settings, *READS_BOTH)
        try:
            with terminal_progress("read") as progress:
                report_id = run_drift(run.services, run.outbox, trigger="cli", progress=progress)
        except DriftBusy as busy:
            raise click.ClickException(str(busy)) from None
    report = drift_records.load_report(engine, report_id)
    if report is None:
        raise click.ClickException(f"There is no drift report {report_id}.")
    rows = drift_records.load_findings(engine, report_id, kind=kind)
    if csv_file is not None:
        writer = csv.DictWriter(csv_file, CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        if csv_file is sys.stdout or getattr(csv_file, "name", "") == "<stdout>":
            return
    if as_json:
        echo_json(report | {"findings_by_kind": drift_records.count_by_kind(engine, report_id), "rows": rows})
        return
    click.echo(f"Drift report #{report['id']}: {report['findings']} finding(s) over {report['whmcs_domains']} "
               f"WHMCS domain(s) and {report['account_domains']} in the account"
               f"{', changed since the last report' if report['changed'] else ''}.")
    echo_records(rows, DRIFT_COLUMNS, False)


TRANSFER_COLUMNS = ("line", "domain", "client_id", "owner", "nameservers", "outcome")
STATUS_COLUMNS = ("domain", "client_id", "nameservers", "state", "whmcs", "detail")


@portfolio.command("transfer-in")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--apply", is_flag=True, help="Queue the transfers; without it the file is checked and nothing is sent.")
@click.option("--retry-failed", is_flag=True, help="Queue again the domains whose earlier transfer failed or was refused.")
@click.option("--wait", is_flag=True, help="Stay, with a progress bar, until every transfer was sent or refused.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_runtime
def transfer_in(run: Runtime, file: Any, apply: bool, retry_failed: bool, wait: bool, as_json: bool) -> None:
    """Transfer the domains of a CSV file in (columns: domain, auth_code, client_id, handle or contact, nameservers).

    Every row is checked first and the whole file reported; with --apply each domain
    becomes one paced transfer command, keeping the nameservers it has unless the file
    says otherwise. Giving the file again resumes: queued domains are not queued twice.
    """
    require(run.settings, *READS_BOTH)
    try:
        rows = read_rows(file.read())
    except BadFile as error:
        raise click.ClickException(str(error)) from None
    except UnicodeDecodeError:
        raise click.ClickException("The file is not UTF-8 text.") from None
    try:
        with terminal_progress("check") as progress:
            check_rows(rows, run.services, run.outbox.engine, retry_failed=retry_failed, progress=progress)
    except CheckFailed as error:
        raise click.ClickException(str(error)) from None
    echo_records([row.record() for row in rows], TRANSFER_COLUMNS, as_json)
    bad = sum(not row.ok for row in rows)
    if bad:
        raise click.ClickException(f"{bad} of {len(rows)} row(s) have problems (see the table); nothing was queued.")
    wanted = sum(not row.note.startswith("skipped") for row in rows)
    if not apply:
        if not as_json:
            click.echo(f"Dry run: {wanted} domain(s) would be transferred; nothing was sent. --apply queues them.")
        return
    if not wanted:
        click.echo("Nothing to queue: every domain of the file is queued or done already.")
        return
    batch_id = queue_rows(rows, getattr(file, "name", "-"), run.services, run.outbox)
    if not as_json:
        click.echo(f"Batch {batch_id}: {wanted} transfer(s) queued. `opbridge portfolio status {batch_id}` follows them.")
    if wait:
        follow(run.engine, batch_id, wanted)


@portfolio.command("status")
@click.argument("batch_id", required=False, type=int)
@click.option("--refresh", is_flag=True, help="Read the account for transfers awaiting the registry first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_runtime
def status(run: Runtime, batch_id: int | None, refresh: bool, as_json: bool) -> None:
    """Each domain of a bulk transfer (the latest when BATCH is left out) and where it stands."""
    run.outbox  # noqa: B018 - brings an embedded database's schema up to date first
    batch_id = batch_id or latest_batch(run.engine)
    if batch_id is None:
        raise click.ClickException("No bulk transfer was queued yet.")
    if refresh:
        require(run.settings, "op_url", "op_username", "op_password")
        refresh_statuses(run.engine, run.services.openprovider, batch_id)
    rows = item_rows(run.engine, batch_id=batch_id)
    if not rows:
        raise click.ClickException(f"There is no bulk transfer {batch_id}.")
    echo_records(rows, STATUS_COLUMNS, as_json)
    if not as_json:
        counts = batch_counts(run.engine, batch_id)
        click.echo(f"Batch {batch_id}: " + ", ".join(f"{count} {state}" for state, count in sorted(counts.items())))


IMPORT_COLUMNS = ("domain", "owner", "client_id", "status", "expiry_date", "next_due_date", "recurring_amount", "outcome")


@portfolio.command("import")
@click.option("--mapping", type=click.File("r", encoding="utf-8"),
              help="CSV of client_id with a domain, handle or email column: who gets which domain.")
@click.option("--apply", is_flag=True, help="Add the matched domains to WHMCS; without it nothing is written.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_runtime
def import_account(run: Runtime, mapping: Any, apply: bool, as_json: bool) -> None:
    """List the account's domains WHMCS does not bill, matched to WHMCS clients; --apply adds them."""
    require(run.settings, *READS_BOTH)
    try:
        chosen = read_mapping(mapping.read()) if mapping else {}
    except BadMapping as error:
        raise click.ClickException(str(error)) from None
    run.outbox  # noqa: B018 - brings an embedded database's schema up to date first
    with reading_client(run.settings, 1) as client:
        found = candidates(read_portfolio(run.services.whmcs, client, run.settings.expiry_source),
                           run.settings, utcnow())
    try:
        match(found, run.services, chosen)
    except MatchFailed as error:
        raise click.ClickException(str(error)) from None
    offset = run.settings.next_due_date_offset
    echo_records([candidate.record(offset) for candidate in found], IMPORT_COLUMNS, as_json)
    unmatched = sum(bool(candidate.problem) for candidate in found)
    if not apply:
        if not as_json:
            click.echo(f"Dry run: {len(found) - unmatched} of {len(found)} domain(s) would be added to WHMCS; "
                       "nothing was written. --apply adds them.")
        return
    queued = queue_imports(found, run.outbox, offset)
    if not as_json:
        click.echo(f"{queued} domain(s) queued to be added to WHMCS; the workers add them.")
    if unmatched:
        raise click.ClickException(f"{unmatched} domain(s) were not matched (see the table) and were left out.")
