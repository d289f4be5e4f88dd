"""A bulk transfer in: every row checked against both sides, then queued once per domain.

The checks read and never write: the account (is the domain there already?), the
registry through Openprovider's check (registered elsewhere, and with which
nameservers), WHMCS's clients and the handles named. Queueing is one event a domain,
``transfer-in:<domain>:<n>``, whose id is unique: however often the file is given again,
or the process is killed half-way, a domain is queued once; ``n`` counts its earlier
transfers that failed, which ``--retry-failed`` tries again.
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from opclient import DomainNotFound, OpenproviderError
from opclient.domains import MAX_CHECK_BATCH
from outbox.mirror import domains as mirror
from outbox.models import DEAD, DONE, PENDING, RUNNING, Command, TransferBatch, TransferItem
from outbox.portfolio.pacing import pace
from outbox.portfolio.sides import MODULE_REGISTRAR
from outbox.portfolio.transfer_file import Row
from outbox.portfolio.transfer_handler import KEEP, PACE, TRANSFER_IN
from outbox.portfolio.whmcs_rows import ADD_TO_WHMCS
from outbox.store import Outbox
from outbox.values import NewCommand, NewEvent, utcnow
from outbox.sync.reading import list_account, openprovider_side

EVENT_TYPE = "portfolio.transfer_in"
QUEUE_BATCH = 200
FAILED_AT_OPENPROVIDER = "FAI"
Progress = Callable[[int, int], None]

items = TransferItem.__table__
batches = TransferBatch.__table__
commands = Command.__table__


@dataclasses.dataclass(frozen=True)
class Earlier:
    batch_id: int
    state: str


# -- checking ------------------------------------------------------------------------

def check_rows(rows: Sequence[Row], services: Any, engine: Engine, *, retry_failed: bool,
               progress: Progress | None = None) -> None:
    """Add each row's problems, or a note of what will happen; sends nothing."""
    _check_earlier(rows, engine, retry_failed)
    wanted = [row for row in rows if row.ok and not row.note]
    if not wanted:
        return
    client = services.openprovider
    try:
        held, _ = list_account(client, lambda domain: openprovider_side(domain, "expiration_date"),
                               {row.domain for row in wanted}.__contains__)
        for row in wanted:
            status = held[row.domain].status if row.domain in held else FAILED_AT_OPENPROVIDER
            if status != FAILED_AT_OPENPROVIDER:
                row.problems.append(f"the domain is in the Openprovider account already ({status})")
        _check_registry([row for row in wanted if row.ok], services, engine, progress)
        _check_handles([row for row in wanted if row.ok and row.handle], client)
    except OpenproviderError as error:
        raise CheckFailed(f"Openprovider could not be read: {error}") from None
    _check_clients([row for row in wanted if row.ok and row.client_id], services)


class CheckFailed(Exception):
    """A side could not be read, so the file could not be checked."""


def _check_earlier(rows: Sequence[Row], engine: Engine, retry_failed: bool) -> None:
    earlier = earlier_transfers(engine, [row.domain for row in rows if row.ok])
    for row in rows:
        found = earlier.get(row.domain)
        if not row.ok or found is None:
            continue
        if found.state in ("refused", "failed"):
            if not retry_failed:
                row.note = f"skipped: its transfer {found.state} in batch {found.batch_id} (--retry-failed tries again)"
        else:
            row.note = f"skipped: in batch {found.batch_id} already ({found.state})"


def _check_registry(rows: Sequence[Row], services: Any, engine: Engine, progress: Progress | None) -> None:
    for start in range(0, len(rows), MAX_CHECK_BATCH):
        batch = rows[start:start + MAX_CHECK_BATCH]
        pace(engine, PACE, 1, services.settings.transfer_calls_per_second)
        results = {result.domain.lower(): result for result in services.openprovider.domains.check(
            [row.domain for row in batch])}
        for row in batch:
            result = results.get(row.domain)
            if result is None or result.is_available:
                row.problems.append("the domain is not registered anywhere: register it instead")
            elif row.policy == KEEP and len(result.whois_name_servers) < 2:
                row.problems.append("its nameservers at the current registrar cannot be read: "
                                    "give them in the nameservers column, or default")
            elif row.policy == KEEP:
                row.note = "keeps " + " ".join(result.whois_name_servers)
        if progress:
            progress(start + len(batch), len(rows))


def _check_handles(rows: Sequence[Row], client: Any) -> None:
    known: dict[str, bool] = {}
    for row in rows:
        if row.handle not in known:
            try:
                client.customers.get(row.handle)
                known[row.handle] = True
            except (DomainNotFound, OpenproviderError):
                known[row.handle] = False
        if not known[row.handle]:
            row.problems.append(f"the handle {row.handle} is not in the Openprovider account")


def _check_clients(rows: Sequence[Row], services: Any) -> None:
    clients = {client.id for client in services.whmcs.iter_clients()}
    for row in rows:
        if row.client_id not in clients:
            row.problems.append(f"WHMCS has no client {row.client_id}")


# -- queueing ------------------------------------------------------------------------

def queue_rows(rows: Sequence[Row], source: str, services: Any, outbox: Outbox) -> int:
    """Queue every checked row (skipped ones aside) under a new batch; returns its id."""
    chosen = [row for row in rows if row.ok and not row.note.startswith("skipped")]
    engine = outbox.engine
    with engine.begin() as conn:
        batch_id = conn.execute(insert(batches).values(source=source[:255], created_at=utcnow(),
                                                       domains=len(chosen))).inserted_primary_key[0]
    generations = transfer_counts(engine, [row.domain for row in chosen])
    for start in range(0, len(chosen), QUEUE_BATCH):
        part = chosen[start:start + QUEUE_BATCH]
        work = [_work(row, batch_id, generations.get(row.domain, 0), services.sealer) for row in part]
        _record(engine, batch_id, part, _enqueue(outbox, work))
    return batch_id


def _work(row: Row, batch_id: int, generation: int, sealer: Any) -> tuple[NewEvent, list[NewCommand]]:
    body = json.dumps({"domain": row.domain, "batch_id": batch_id, "line": row.line, "client_id": row.client_id})
    event = NewEvent(f"transfer-in:{row.domain}:{generation}", EVENT_TYPE, body)
    payload = {"domain": row.domain, "batch_id": batch_id, "client_id": row.client_id, "handle": row.handle,
               "registrant": row.registrant, "nameserver_policy": row.policy, "nameservers": row.nameservers,
               "autorenew": True, **sealer.seal({"epp_code": row.auth_code})}
    work = [NewCommand(TRANSFER_IN, row.domain, payload)]
    if row.client_id:
        # Queued behind the transfer: WHMCS gets the domain once Openprovider took the order.
        work.append(NewCommand(ADD_TO_WHMCS, row.domain, {
            "domain": row.domain, "client_id": row.client_id, "kind": "transfer", "status": "Pending Transfer",
            "registrar": MODULE_REGISTRAR, "after_transfer": True}))
    return event, work


def _enqueue(outbox: Outbox, work: list[tuple[NewEvent, list[NewCommand]]]) -> list[list[int]]:
    """The command ids of each domain's work; a domain queued before (a run killed half-way)
    keeps the commands it has."""
    try:
        return [stored.command_ids for stored in outbox.enqueue_many(work)]
    except IntegrityError:  # an id seen before refuses the whole batch: one at a time then
        ids = []
        for event, new in work:
            stored = outbox.enqueue(event, new)
            ids.append(_commands_of(outbox.engine, stored.event_id) if stored.duplicate else stored.command_ids)
        return ids


def _commands_of(engine: Engine, event_id: int) -> list[int]:
    with engine.connect() as conn:
        return list(conn.scalars(select(commands.c.id).where(commands.c.event_id == event_id).order_by(commands.c.id)))


def _record(engine: Engine, batch_id: int, rows: Sequence[Row], ids: Sequence[list[int]]) -> None:
    now = utcnow()
    known = set(earlier_command_ids(engine, [command[0] for command in ids if command]))
    values = [{"batch_id": batch_id, "domain": row.domain, "client_id": row.client_id, "nameservers": row.policy,
               "command_id": command[0], "whmcs_command_id": command[1] if len(command) > 1 else None,
               "created_at": now} for row, command in zip(rows, ids) if command and command[0] not in known]
    if values:
        with engine.begin() as conn:
            conn.execute(insert(items), values)


def earlier_command_ids(engine: Engine, command_ids: Sequence[int]) -> list[int]:
    with engine.connect() as conn:
        return list(conn.scalars(select(items.c.command_id).where(items.c.command_id.in_(command_ids))))


# -- reading back --------------------------------------------------------------------

def _state(command_status: str, attempts: int, op_status: str | None) -> str:
    """One word for where a domain's transfer stands."""
    if command_status == DEAD:
        return "refused"
    if command_status == RUNNING:
        return "sending"
    if command_status == PENDING:
        return "retrying" if attempts else "queued"
    return {"ACT": "completed", FAILED_AT_OPENPROVIDER: "failed"}.get(op_status or "", "requested")


def item_rows(engine: Engine, *, batch_id: int | None = None, domains: Sequence[str] | None = None,
              limit: int | None = None) -> list[dict[str, Any]]:
    whmcs = commands.alias("whmcs")
    query = (select(items.c.batch_id, items.c.domain, items.c.client_id, items.c.nameservers, items.c.command_id,
                    commands.c.status, commands.c.attempts, commands.c.last_error, mirror.c.op_status,
                    whmcs.c.status.label("whmcs_status"))
             .join(commands, commands.c.id == items.c.command_id)
             .outerjoin(mirror, mirror.c.name == items.c.domain)
             .outerjoin(whmcs, whmcs.c.id == items.c.whmcs_command_id)
             .order_by(items.c.id).limit(limit))
    if batch_id is not None:
        query = query.where(items.c.batch_id == batch_id)
    if domains is not None:
        query = query.where(items.c.domain.in_(domains))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [{"batch": row.batch_id, "domain": row.domain, "client_id": row.client_id, "nameservers": row.nameservers,
             "state": _state(row.status, row.attempts, row.op_status), "command_id": row.command_id,
             "whmcs": row.whmcs_status or "", "detail": (row.last_error or "") if row.status != DONE else ""}
            for row in rows]


def earlier_transfers(engine: Engine, domains: Sequence[str]) -> dict[str, Earlier]:
    """Each domain's latest transfer in any batch, and where it stands."""
    found: dict[str, Earlier] = {}
    for start in range(0, len(domains), QUEUE_BATCH):
        for row in item_rows(engine, domains=domains[start:start + QUEUE_BATCH]):
            found[row["domain"]] = Earlier(row["batch"], row["state"])
    return found


def transfer_counts(engine: Engine, domains: Sequence[str]) -> dict[str, int]:
    """How many transfers of each domain were queued before: the next one's generation."""
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for start in range(0, len(domains), QUEUE_BATCH):
            query = (select(items.c.domain, func.count()).where(items.c.domain.in_(domains[start:start + QUEUE_BATCH]))
                     .group_by(items.c.domain))
            counts.update(dict(conn.execute(query).all()))
    return counts


def batch_counts(engine: Engine, batch_id: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in item_rows(engine, batch_id=batch_id):
        counts[row["state"]] = counts.get(row["state"], 0) + 1
    return counts


def latest_batch(engine: Engine) -> int | None:
    with engine.connect() as conn:
        return conn.scalar(select(func.max(batches.c.id)))
