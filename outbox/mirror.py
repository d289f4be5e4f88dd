"""The ``domains`` mirror: what Openprovider and WHMCS last told us about a domain, by name.

The one module that reads and writes the table: handlers remember what Openprovider
answered, the pull-sync imports WHMCS's side and records its visits, and the registrar
API asks whether a row is current enough to answer a WHMCS page without Openprovider.
Other queries may join ``domains`` to read; none writes it but through here.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from collections.abc import Iterable, Sequence

from sqlalchemy import Engine, bindparam, case, exists, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from opclient.types import Domain, DomainOrder
from outbox.models import DONE, PENDING, RUNNING, Command, MirroredDomain
from outbox.values import utcnow

domains = MirroredDomain.__table__
commands = Command.__table__


def _day(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else moment.date()


def order_fields(order: DomainOrder | Domain) -> dict[str, Any]:
    """The id, status and dates a registration answer and a domain read both carry."""
    return {
        "op_domain_id": order.id,
        "op_status": order.status,
        "op_expiration_date": _day(order.expiration_date),
        "op_renewal_date": _day(order.renewal_date),
    }


def domain_fields(domain: Domain) -> dict[str, Any]:
    return {
        **order_fields(domain),
        "op_autorenew": domain.autorenew,
        "op_private_whois": domain.is_private_whois_enabled,
        "op_nameservers": ",".join(server.text for server in domain.name_servers),
        "op_locked": domain.is_locked if domain.is_lockable else None,
    }


def remember(engine: Engine, name: str, payload: dict[str, Any], fields: dict[str, Any]) -> None:
    """Upsert the mirror row of ``name`` with Openprovider's ``fields`` and the WHMCS ids."""
    values = {**fields, "whmcs_domain_id": payload.get("domain_id"), "updated_at": utcnow()}
    if payload.get("client_id"):
        values["whmcs_client_id"] = payload["client_id"]
    if _update(engine, name, values):
        return
    try:
        with engine.begin() as conn:
            conn.execute(insert(domains).values(name=name, **values))
    except IntegrityError:
        # The sync inserted the row between our update and insert.
        _update(engine, name, values)


def _update(engine: Engine, name: str, values: dict[str, Any]) -> bool:
    with engine.begin() as conn:
        return conn.execute(update(domains).where(domains.c.name == name).values(**values)).rowcount == 1


def mirrored(engine: Engine, name: str) -> dict[str, Any] | None:
    """The mirror's row for an A-label name, or None when the domain was never seen."""
    with engine.connect() as conn:
        row = conn.execute(select(domains).where(domains.c.name == name)).first()
    return dict(row._mapping) if row else None


# The WHMCS fields a sync write sets, and the mirror's columns that hold them.
WHMCS_COLUMNS = {"status": "whmcs_status", "expiry_date": "whmcs_expiry_date", "next_due_date": "whmcs_next_due_date"}


def remember_whmcs(engine: Engine, name: str, written: dict[str, Any]) -> None:
    """After a write to WHMCS, the mirror holds what WHMCS holds now, not what the import read before."""
    values = {WHMCS_COLUMNS[field]: value for field, value in written.items() if field in WHMCS_COLUMNS}
    if values:
        _update(engine, name, {**values, "updated_at": utcnow()})


def update_by_name(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Rows of ``{"key": name, column: value, ...}``, all with the same columns, in one statement."""
    if rows:
        columns = {column: bindparam(column) for column in rows[0] if column != "key"}
        conn.execute(update(domains).where(domains.c.name == bindparam("key")).values(columns), rows)


def insert_rows(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(domains), rows)


def columns_by_name(conn: Connection, names: Iterable[str]) -> dict[str, tuple]:
    """Every row's values of the columns ``names``, by domain name."""
    selected = [domains.c[name] for name in names]
    return {name: tuple(values) for name, *values in conn.execute(select(domains.c.name, *selected))}


def count_of_registrar(engine: Engine, registrar: str) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(domains).where(domains.c.whmcs_registrar == registrar))


def due_for_sync(engine: Engine, registrar: str, closed: Iterable[str], cutoff: dt.datetime | None,
                 limit: int) -> list[Row]:
    """The registrar's open domains not visited since ``cutoff`` (None: all), never-visited
    first, then the longest unvisited; ``limit`` 0 means no maximum.

    A domain whose earlier writes are still queued is left for a later run: WHMCS does
    not show those writes yet, so deciding now would only queue the same writes again.
    """
    in_flight = exists().where(commands.c.aggregate_key == domains.c.name, commands.c.status.in_((PENDING, RUNNING)))
    query = select(domains).where(domains.c.whmcs_registrar == registrar, domains.c.whmcs_status.not_in(tuple(closed)),
                                  ~in_flight)
    if cutoff is not None:
        query = query.where(or_(domains.c.last_synced_at.is_(None), domains.c.last_synced_at <= cutoff))
    never_first = case((domains.c.last_synced_at.is_(None), 0), else_=1)
    query = query.order_by(never_first, domains.c.last_synced_at, domains.c.id)
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        return list(conn.execute(query))


def was_active(engine: Engine, name: str) -> bool:
    """Whether the pull-sync last saw the domain active in this account."""
    query = select(domains.c.name).where(domains.c.name == name, domains.c.op_status == "ACT")
    with engine.connect() as conn:
        return conn.execute(query).first() is not None


def settled_row(engine: Engine, name: str, statuses: Iterable[str], since: dt.datetime) -> Row | None:
    """The row when the pull-sync read one of the settled ``statuses`` at or after ``since``
    and no command of the domain has run or waited since: then Openprovider cannot have
    changed through opbridge."""
    newer_work = exists().where(
        commands.c.aggregate_key == name,
        or_(commands.c.status.in_((PENDING, RUNNING)),
            (commands.c.status == DONE) & (commands.c.finished_at >= domains.c.last_synced_at)),
    )
    query = select(domains).where(domains.c.name == name, domains.c.op_status.in_(tuple(statuses)),
                                  domains.c.last_synced_at >= since, ~newer_work)
    with engine.connect() as conn:
        return conn.execute(query).first()
