"""Registrant e-mail verifications still open, as each pull-sync run finds them.

ICANN has a gTLD suspended when its registrant does not confirm their e-mail address in
time (15 days). A run reads Openprovider's list of the account's verifications once (it
never starts one) and records each unconfirmed one with its changes, as a
``verification`` row: the address, and the date the domain is (or was) suspended. The
run's report lists them; the dashboard, ``/metrics`` and the registrar module's domain
page (while the domain's mirror is current) read them from the latest run.
"""
from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select

from opclient import EmailVerification, OpenproviderError
from outbox.models import SyncChange, SyncRun
from outbox.sync.records import FINISHED, ChangeRow

VERIFICATION = "verification"
# How a run's message says the list was not read: its rows then say nothing of any domain.
UNREAD = "The registrant e-mail verifications could not be read from Openprovider"


@dataclasses.dataclass(frozen=True)
class Reading:
    """One domain's verification as the latest finished run read it."""

    read_at: datetime  # the run's start
    email: str | None  # the unconfirmed verification's address; None: the run found none open
    suspension_date: date | None


def verification_rows(client: Any) -> tuple[list[ChangeRow], str | None]:
    """One row per unconfirmed verification, soonest suspension first; or no rows and why
    the list could not be read."""
    try:
        found = client.customers.email_verifications()
    except OpenproviderError as error:
        return [], f"{UNREAD}: {error}"
    pending = sorted((v for v in found if not v.is_verified), key=lambda v: (_deadline(v), v.domain))
    return [_row(verification) for verification in pending], None


def _row(verification: EmailVerification) -> ChangeRow:
    day = verification.expiration_date.date().isoformat() if verification.expiration_date else None
    if verification.is_suspended:
        comment = f"Suspended since {day}: the registrant has not confirmed {verification.email}."
    else:
        comment = (f"Suspended on {day or 'an unknown date'} unless the registrant confirms {verification.email} "
                   f"(verification {verification.status or 'pending'}).")
    return ChangeRow(domain=verification.domain, whmcs_domain_id=None, kind=VERIFICATION,
                     old_value=verification.email[:255], new_value=day, applied=False, comment=comment)


def _deadline(verification: EmailVerification) -> datetime:
    return verification.expiration_date or datetime.max.replace(tzinfo=UTC)


def pending_verifications(engine: Engine) -> list[dict[str, Any]]:
    """The unconfirmed verifications the latest finished run found (domain, email as
    ``old_value``, suspension date as ``new_value``, comment), soonest first."""
    runs, changes = SyncRun.__table__, SyncChange.__table__
    latest = select(runs.c.id).where(runs.c.status == FINISHED).order_by(runs.c.id.desc()).limit(1).scalar_subquery()
    query = select(changes).where(changes.c.run_id == latest, changes.c.kind == VERIFICATION).order_by(changes.c.id)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def latest_reading(engine: Engine, domain: str) -> Reading | None:
    """``domain``'s verification as the latest finished run read it; None when no run has
    finished, or the latest could not read the list (an older run's reading is not current)."""
    runs, changes = SyncRun.__table__, SyncChange.__table__
    latest = select(runs.c.id, runs.c.started_at, runs.c.message).where(runs.c.status == FINISHED)
    with engine.connect() as conn:
        run = conn.execute(latest.order_by(runs.c.id.desc()).limit(1)).first()
        if run is None or UNREAD in (run.message or ""):
            return None
        row = conn.execute(select(changes.c.old_value, changes.c.new_value).where(
            changes.c.run_id == run.id, changes.c.kind == VERIFICATION, changes.c.domain == domain,
        ).order_by(changes.c.id).limit(1)).first()
    if row is None:
        return Reading(run.started_at, None, None)
    return Reading(run.started_at, row.old_value, date.fromisoformat(row.new_value) if row.new_value else None)
