"""The tables. Alembic migrations are written from these; nothing calls create_all()."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# MySQL's TEXT stops at 64 KiB; an event body may be 256 KiB.
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
# BIGINT ids on servers; SQLite only auto-increments INTEGER PRIMARY KEY.
Id = BigInteger().with_variant(Integer(), "sqlite")
# Microsecond timestamps on MySQL, where DATETIME defaults to whole seconds.
Timestamp = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

PENDING, RUNNING, DONE, DEAD = "pending", "running", "done", "dead"
# A dead command an operator set aside, with a reason in its history: kept, never run,
# purged after the retention like a done one.
DISCARDED = "discarded"
STATUSES = (PENDING, RUNNING, DONE, DEAD, DISCARDED)
# What a command type looks like (renew_domain): lower case, and short enough for its column.
COMMAND_TYPE_PATTERN = r"[a-z][a-z0-9_]{0,63}"


class Base(DeclarativeBase):
    type_annotation_map = {datetime: Timestamp, dict[str, Any]: JSON}


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(String(128), unique=True)
    type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(index=True)
    body: Mapped[str] = mapped_column(LongText)
    key_id: Mapped[str | None] = mapped_column(String(64))


class Command(Base):
    __tablename__ = "commands"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    event_id: Mapped[int | None] = mapped_column(Id, ForeignKey("events.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    aggregate_key: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int]
    next_attempt_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    last_error_code: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    # A handler's durable notes between tries (e.g. the expiry date seen before a renewal).
    state: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]

    __table_args__ = (
        # The claim walks pending work in id order, and looks up each domain's older work.
        Index("ix_commands_status_id", "status", "id"),
        Index("ix_commands_aggregate", "aggregate_key", "status", "id"),
        Index("ix_commands_event", "event_id"),
        Index("ix_commands_finished", "status", "finished_at"),
    )


class AggregateLock(Base):
    """One row per aggregate key: a domain's queue as the claim sees it.

    Enqueue locks it so ids follow commit order per domain. ``ready_at`` says from when
    the domain's oldest pending command may run (NULL while one of its commands runs or
    none is open), so a claim reads the due queues from one index, however many commands
    wait behind a running one or back off. It may be early, never late: the claim checks
    the commands and moves it on. Every change of a command's status bumps ``version``,
    which tells a claim whether what it read of the domain's commands is still true.
    """

    __tablename__ = "aggregate_locks"

    aggregate_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    enqueued: Mapped[int] = mapped_column(BigInteger, default=0)
    # Pending and running commands of the domain: enqueue can tell an empty queue by it.
    unfinished: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Its running commands (0 or 1): the claim reads it here rather than ask the commands,
    # where a planner with old statistics would walk every running command of every domain.
    running: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    ready_at: Mapped[datetime | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))


class CommandTally(Base):
    """How many commands have each status and type, kept up by every change of status.

    Counting a big table reads every row; these are a few rows whatever it holds. Each
    transaction adds to one of TALLY_SLOTS rows per (status, type), picked at random,
    so workers recording their rounds at once seldom wait for each other's row.
    """

    __tablename__ = "command_tallies"

    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    type: Mapped[str] = mapped_column(String(64), primary_key=True)
    slot: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


TALLY_SLOTS = 8


class Attempt(Base):
    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    command_id: Mapped[int] = mapped_column(Id, ForeignKey("commands.id", ondelete="CASCADE"))
    number: Mapped[int]
    worker: Mapped[str | None] = mapped_column(String(128))
    started_at: Mapped[datetime]
    duration_ms: Mapped[int]
    outcome: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    calls: Mapped[list[Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_attempts_command", "command_id", "number"),)


class MirroredDomain(Base):
    __tablename__ = "domains"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    whmcs_domain_id: Mapped[int | None] = mapped_column(index=True)
    whmcs_client_id: Mapped[int | None]
    whmcs_registrar: Mapped[str | None] = mapped_column(String(64))
    whmcs_status: Mapped[str | None] = mapped_column(String(32))
    whmcs_expiry_date: Mapped[date | None] = mapped_column(Date)
    whmcs_next_due_date: Mapped[date | None] = mapped_column(Date)
    whmcs_donotrenew: Mapped[bool | None] = mapped_column(Boolean)
    whmcs_idprotection: Mapped[bool | None] = mapped_column(Boolean)
    op_domain_id: Mapped[int | None] = mapped_column(BigInteger)
    op_status: Mapped[str | None] = mapped_column(String(8))
    op_expiration_date: Mapped[date | None] = mapped_column(Date)
    op_renewal_date: Mapped[date | None] = mapped_column(Date)
    op_autorenew: Mapped[str | None] = mapped_column(String(16))
    op_private_whois: Mapped[bool | None] = mapped_column(Boolean)
    # "host,host/ip"; the lock, NULL where the TLD has none (the domain pages read both).
    op_nameservers: Mapped[str | None] = mapped_column(Text)
    op_locked: Mapped[bool | None] = mapped_column(Boolean)
    # The problems the last sync visit reported (one key a line), so each is mailed once.
    sync_notices: Mapped[str | None] = mapped_column(Text)
    last_synced_at: Mapped[datetime | None] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class Handle(Base):
    __tablename__ = "handles"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    contact_hash: Mapped[str] = mapped_column(String(64), unique=True)
    handle: Mapped[str] = mapped_column(String(64), index=True)
    # Name and company cannot change on an Openprovider handle; remembered to decide reuse.
    identity_hash: Mapped[str] = mapped_column(String(64), index=True)
    whmcs_client_id: Mapped[int | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SyncRun(Base):
    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    trigger: Mapped[str] = mapped_column(String(32))
    # Set by scheduled runs only: unique, so two schedulers cannot both run one period.
    period_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    domains_checked: Mapped[int] = mapped_column(default=0)
    changes: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    api_calls: Mapped[int] = mapped_column(default=0)
    commands_enqueued: Mapped[int] = mapped_column(default=0)
    report_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    message: Mapped[str | None] = mapped_column(Text)


class SyncChange(Base):
    __tablename__ = "sync_changes"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(Id, ForeignKey("sync_runs.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(255))
    whmcs_domain_id: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(String(255))
    new_value: Mapped[str | None] = mapped_column(String(255))
    applied: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    # Renewal invoices whose due date moves with the domain's, e.g. "12, 15".
    invoices: Mapped[str | None] = mapped_column(String(255))
    command_id: Mapped[int | None] = mapped_column(Id)

    __table_args__ = (Index("ix_sync_changes_run", "run_id", "kind"),)


class WorkerRecord(Base):
    """A running worker process, as its heartbeat last told: the dashboard's workers page.

    A row whose heartbeat is older than the lease belongs to a worker that died; the next
    heartbeat of any worker removes it, as it puts the dead worker's commands back.
    """

    __tablename__ = "workers"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    threads: Mapped[int]
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime] = mapped_column(index=True)


class CircuitRecord(Base):
    """An open circuit as the fleet sees it: until when calls to a service wait, and why.

    ``credentials`` is a one-way digest of the settings the service was refused with: a
    worker that starts with other ones closes the circuit and tries at once.
    """

    __tablename__ = "circuits"

    service: Mapped[str] = mapped_column(String(32), primary_key=True)
    open_until: Mapped[datetime | None]
    opened_at: Mapped[datetime]
    code: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    credentials: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(255))


class RefusedEvent(Base):
    """A request to the hook endpoint the listener refused, and why (the events page).

    What could be read of it only: never its body, which may be anyone's. The listener
    records a few a second at most, so a flood of bad requests cannot flood the table.
    """

    __tablename__ = "refused_events"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    webhook_id: Mapped[str | None] = mapped_column(String(128))
    type: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[int]
    error: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
class DriftReport(Base):
    """One comparison of WHMCS with the Openprovider account (``opbridge portfolio drift``)."""

    __tablename__ = "drift_reports"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    trigger: Mapped[str] = mapped_column(String(32))
    whmcs_domains: Mapped[int] = mapped_column(default=0)
    account_domains: Mapped[int] = mapped_column(default=0)
    findings: Mapped[int] = mapped_column(default=0)
    # A digest of the findings: a report whose digest differs from the one before it changed.
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    changed: Mapped[bool] = mapped_column(Boolean, default=False)
    mailed: Mapped[bool] = mapped_column(Boolean, default=False)


class DriftFinding(Base):
    __tablename__ = "drift_findings"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(Id, ForeignKey("drift_reports.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    whmcs_value: Mapped[str | None] = mapped_column(String(255))
    op_value: Mapped[str | None] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(32))
    whmcs_domain_id: Mapped[int | None]
    client_id: Mapped[int | None]

    __table_args__ = (Index("ix_drift_findings_report", "report_id", "kind"),)


class TransferBatch(Base):
    """One file given to ``opbridge portfolio transfer-in``."""

    __tablename__ = "transfer_batches"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    domains: Mapped[int] = mapped_column(default=0)


class TransferItem(Base):
    """A domain of a batch and the commands that move it; its auth code lives sealed in the command only."""

    __tablename__ = "transfer_items"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(Id, ForeignKey("transfer_batches.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(255), index=True)
    client_id: Mapped[int | None]
    nameservers: Mapped[str] = mapped_column(String(16))  # keep, default or given
    command_id: Mapped[int] = mapped_column(Id)
    whmcs_command_id: Mapped[int | None] = mapped_column(Id)
    created_at: Mapped[datetime]


class RateSlot(Base):
    """When the next call of a paced kind may start, shared by every worker process."""

    __tablename__ = "rate_slots"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_at: Mapped[datetime]


# Reseller prices: Openprovider quotes cents; a few registries charge thousands.
Price = Numeric(12, 2)


class CatalogueTld(Base):
    """One extension Openprovider sells, as the last catalogue refresh read it.

    Prices are the reseller's, in ``currency``; an operation Openprovider does not offer
    (a TLD that cannot be transferred in) has no price. ``registry_fields`` is the
    additional data the extension needs, each field with where it goes (outbox.catalogue).
    """

    __tablename__ = "tlds"

    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    create_price: Mapped[Decimal | None] = mapped_column(Price)
    renew_price: Mapped[Decimal | None] = mapped_column(Price)
    transfer_price: Mapped[Decimal | None] = mapped_column(Price)
    restore_price: Mapped[Decimal | None] = mapped_column(Price)
    soft_restore_price: Mapped[Decimal | None] = mapped_column(Price)
    trade_price: Mapped[Decimal | None] = mapped_column(Price)
    min_period: Mapped[int]
    max_period: Mapped[int]
    epp_required: Mapped[bool] = mapped_column(Boolean)
    grace_days: Mapped[int]
    quarantine_days: Mapped[int]
    dnssec: Mapped[dict[str, Any]]
    handles: Mapped[dict[str, Any]]
    registry_fields: Mapped[dict[str, Any]]
    # Changes only when something above changed: the audit and the report read it.
    changed_at: Mapped[datetime]
    refreshed_at: Mapped[datetime] = mapped_column(index=True)


class PremiumRenewal(Base):
    """The renewal price of a premium domain the account holds, as last asked, and the one before."""

    __tablename__ = "premium_renewals"

    domain: Mapped[str] = mapped_column(String(255), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    renew_price: Mapped[Decimal] = mapped_column(Price)
    previous_price: Mapped[Decimal | None] = mapped_column(Price)
    checked_at: Mapped[datetime]
    changed_at: Mapped[datetime | None] = mapped_column(index=True)


class MarginFinding(Base):
    """What the last margin audit found: a TLD WHMCS sells below Openprovider's cost for
    one operation (``below_cost``), or a premium domain whose renewal cost changed
    (``premium_renewal``). ``first_seen_at`` stays while the finding does, so the sync
    report tells each one once."""

    __tablename__ = "margin_findings"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(255))
    operation: Mapped[str] = mapped_column(String(16))
    sell_price: Mapped[Decimal | None] = mapped_column(Price)
    cost_price: Mapped[Decimal | None] = mapped_column(Price)
    currency: Mapped[str] = mapped_column(String(3))
    note: Mapped[str | None] = mapped_column(String(255))
    first_seen_at: Mapped[datetime] = mapped_column(index=True)
    checked_at: Mapped[datetime]

    __table_args__ = (Index("ux_margin_findings_subject", "kind", "subject", "operation", unique=True),)
