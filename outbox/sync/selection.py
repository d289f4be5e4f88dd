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

from sqlalchemy import Engine

from outbox import mirror
from outbox.sync.decisions import NO_NOTICES, OpenproviderSide, WhmcsSide
from outbox.sync.importer import CLOSED_STATUSES

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
    return mirror.count_of_registrar(engine, registrar)


def select_due(engine: Engine, registrar: str, now: datetime, interval_days: int, limit: int) -> list[DueDomain]:
    """``limit`` 0 means no maximum; ``interval_days`` 0 means every run."""
    cutoff = now - timedelta(days=interval_days) if interval_days > 0 else None
    return [_due(row) for row in mirror.due_for_sync(engine, registrar, CLOSED_STATUSES, cutoff, limit)]


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
            mirror.update_by_name(conn, rows)


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
