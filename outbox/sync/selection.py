"""Which mirrored domains a run visits, and what the visit leaves in the mirror.

Due domains are those not visited within the update interval, never-visited first, then
the longest unvisited, up to the per-run maximum: so a fixed number of runs covers the
whole portfolio and no domain comes round twice before every other came round once.
"""
from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Engine, bindparam, case, exists, func, or_, select, update

from outbox.models import PENDING, RUNNING, Command, Domain
from outbox.sync.decisions import NO_NOTICES, OpenproviderSide, WhmcsSide
from outbox.sync.importer import CLOSED_STATUSES

domains = Domain.__table__
commands = Command.__table__
VISIT_BATCH = 1000


@dataclasses.dataclass(frozen=True, slots=True)
class DueDomain:
    name: str
    whmcs: WhmcsSide
    reported: frozenset[str]  # the notices of the last visit


@dataclasses.dataclass(frozen=True, slots=True)
class Visit:
    name: str
    op: OpenproviderSide | None  # None: not in the Openprovider account
    notices: frozenset[str]


def count_ours(engine: Engine, registrar: str) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(domains).where(domains.c.whmcs_registrar == registrar))


def select_due(engine: Engine, registrar: str, now: datetime, interval_days: int, limit: int) -> list[DueDomain]:
    """``limit`` 0 means no maximum; ``interval_days`` 0 means every run."""
    # A domain whose earlier writes are still queued is left for a later run: WHMCS does
    # not show those writes yet, so deciding now would only queue the same writes again.
    in_flight = exists().where(commands.c.aggregate_key == domains.c.name,
                               commands.c.status.in_((PENDING, RUNNING)))
    query = select(domains).where(
        domains.c.whmcs_registrar == registrar,
        domains.c.whmcs_status.not_in(CLOSED_STATUSES),
        ~in_flight,
    )
    if interval_days > 0:
        cutoff = now - timedelta(days=interval_days)
        query = query.where(or_(domains.c.last_synced_at.is_(None), domains.c.last_synced_at <= cutoff))
    never_first = case((domains.c.last_synced_at.is_(None), 0), else_=1)
    query = query.order_by(never_first, domains.c.last_synced_at, domains.c.id)
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        return [_due(row) for row in conn.execute(query)]


def _due(row) -> DueDomain:  # noqa: ANN001 - a domains row
    whmcs = WhmcsSide(
        domain_id=row.whmcs_domain_id,
        client_id=row.whmcs_client_id,
        status=row.whmcs_status,
        expiry_date=row.whmcs_expiry_date,
        next_due_date=row.whmcs_next_due_date,
        do_not_renew=bool(row.whmcs_donotrenew),
        id_protection=bool(row.whmcs_idprotection),
    )
    reported = frozenset(filter(None, (row.sync_notices or "").split("\n"))) or NO_NOTICES
    return DueDomain(row.name, whmcs, reported)


def record_visits(engine: Engine, visits: Iterable[Visit], now: datetime) -> None:
    """What Openprovider said and which problems stand, and when: the next selection orders by it.

    Written ``VISIT_BATCH`` rows a statement, so the parameters of a big run are never all built at once."""
    visits = iter(visits)
    with engine.begin() as conn:
        while batch := list(itertools.islice(visits, VISIT_BATCH)):
            rows = [{"key": visit.name, **_op_columns(visit.op), "sync_notices": "\n".join(sorted(visit.notices)) or None,
                     "last_synced_at": now, "updated_at": now} for visit in batch]
            columns = {column: bindparam(column) for column in rows[0] if column != "key"}
            conn.execute(update(domains).where(domains.c.name == bindparam("key")).values(columns), rows)


def _op_columns(op: OpenproviderSide | None) -> dict:
    return {
        "op_domain_id": op.domain_id if op else None,
        "op_status": op.status if op else None,
        "op_expiration_date": op.expiration_date if op else None,
        "op_renewal_date": op.renewal_date if op else None,
        "op_autorenew": op.autorenew if op else None,
        "op_private_whois": op.private_whois if op else None,
        "op_nameservers": op.name_servers if op else None,
        "op_locked": op.locked if op else None,
    }
