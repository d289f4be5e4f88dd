"""What one domain's sync visit decides, as pure functions of both sides' state.

Openprovider leads the expiry date and the status, WHMCS leads auto-renew and ID
protection. A problem that needs a person (a failed request, a domain missing at
Openprovider, a due date too far off to move) is reported once, when it first shows:
its key is remembered in the mirror and the same problem is not mailed every run.
"""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import Any

# The manual's map. FAI is absent on purpose: a failed request changes nothing in WHMCS.
STATUS_MAP = {"ACT": "Active", "DEL": "Expired", "PEN": "Pending", "REQ": "Pending", "RRQ": "Pending", "SCH": "Pending"}
# WHMCS statuses that already say what a mapped status says, more precisely.
AGREEING_STATUSES = {
    "Pending": frozenset({"Pending", "Pending Registration", "Pending Transfer"}),
    "Expired": frozenset({"Expired", "Grace", "Redemption"}),
    "Active": frozenset({"Active"}),
}
# Until the registry has finished, Openprovider's dates for the domain are provisional.
PROVISIONAL_STATUSES = frozenset({"PEN", "REQ", "SCH", "FAI"})
# Expected to be absent at Openprovider: ordered, not yet registered or transferred.
NOT_YET_REGISTERED = AGREEING_STATUSES["Pending"]
FAILED_REQUEST = "The domain name request has failed"
FAILED_REQUEST_NOTICE = "failed_request"

# Shared by every domain without a standing problem: each empty frozenset() is an object of its own,
# 200 bytes a domain in a big run.
NO_NOTICES: frozenset[str] = frozenset()

EXPIRY, DUE_DATE, STATUS, AUTORENEW, ID_PROTECTION, ERROR = (
    "expiry_date", "due_date", "status", "autorenew", "id_protection", "error",
)


@dataclasses.dataclass(frozen=True, slots=True)
class WhmcsSide:
    domain_id: int
    client_id: int | None
    status: str
    expiry_date: date | None
    next_due_date: date | None
    do_not_renew: bool
    id_protection: bool


@dataclasses.dataclass(frozen=True, slots=True)
class OpenproviderSide:
    domain_id: int
    status: str
    expiry_date: date | None  # the configured source: expiration or renewal date
    expiration_date: date | None
    renewal_date: date | None
    autorenew: str  # on, off or default
    private_whois: bool
    private_whois_allowed: bool
    soft_quarantine_until: datetime | None
    hard_quarantine_until: datetime | None
    is_deleted: bool
    # What the domain pages show, kept in the mirror so they need not ask Openprovider:
    # nameservers as "host,host/ip", and the lock (None where the TLD has none).
    name_servers: str | None = None
    locked: bool | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Rules:
    due_date_offset_days: int
    due_date_max_difference_days: int


@dataclasses.dataclass(frozen=True, slots=True)
class Change:
    kind: str
    old: str | None = None
    new: str | None = None
    applied: bool = False  # a write is wanted; False for what is only reported
    comment: str = ""
    notice: str | None = None  # the key of a standing problem, reported once


Part = tuple[list["Change"], dict[str, Any]]  # a rule's changes and the Decision fields it sets


@dataclasses.dataclass(frozen=True, slots=True)
class Decision:
    domain: str
    whmcs: WhmcsSide
    changes: tuple[Change, ...] = ()
    whmcs_update: dict[str, Any] = dataclasses.field(default_factory=dict)
    push_autorenew: bool | None = None
    push_id_protection: bool | None = None
    activity_log: str | None = None
    due_date_move: tuple[date, date] | None = None  # (old, new): unpaid renewal invoices follow
    notices: frozenset[str] = frozenset()  # every standing problem now, reported or not


def decide(
    domain: str,
    whmcs: WhmcsSide,
    op: OpenproviderSide | None,
    rules: Rules,
    now: datetime,
    reported: frozenset[str] = frozenset(),
) -> Decision:
    """Everything to write and report for one domain; ``reported`` are last visit's notices."""
    if op is None:
        changes = missing_at_openprovider(whmcs)
        return _finish(Decision(domain, whmcs), changes, reported)
    decision = Decision(domain, whmcs)
    parts = [status_decision(whmcs, op, now)]
    if op.status not in PROVISIONAL_STATUSES:
        parts.append(expiry_decision(whmcs, op, rules))
    if op.status == "ACT":
        parts.append(toggle_decision(whmcs, op))
    if op.status == "FAI":
        parts.append(failed_request_decision(domain))
    changes: list[Change] = []
    for part_changes, fields in parts:
        changes += part_changes
        update = fields.pop("whmcs_update", {})
        decision = dataclasses.replace(decision, whmcs_update=decision.whmcs_update | update, **fields)
    return _finish(decision, changes, reported)


def _finish(decision: Decision, changes: list[Change], reported: frozenset[str]) -> Decision:
    notices = frozenset(change.notice for change in changes if change.notice) or NO_NOTICES
    fresh = tuple(change for change in changes if change.notice not in reported)
    activity = decision.activity_log if FAILED_REQUEST_NOTICE not in reported else None
    return dataclasses.replace(decision, changes=fresh, notices=notices, activity_log=activity)


def missing_at_openprovider(whmcs: WhmcsSide) -> list[Change]:
    """Reported, never cancelled: deleted, purged and transferred away look the same here."""
    if whmcs.status in NOT_YET_REGISTERED:
        return []
    message = (f"Not found in the Openprovider account, while WHMCS says {whmcs.status}. "
               "It may have been deleted, purged or transferred away; WHMCS was left as is.")
    return [Change(ERROR, comment=message, notice="missing")]


def status_decision(whmcs: WhmcsSide, op: OpenproviderSide, now: datetime) -> Part:
    if op.status == "FAI":
        return [], {}
    target = STATUS_MAP.get(op.status)
    if target is None:
        message = f"Openprovider reports the unknown status {op.status!r}; the WHMCS status was left as is."
        return [Change(ERROR, comment=message, notice=f"unknown_status:{op.status}")], {}
    problems, comment, agreeing = [], "", AGREEING_STATUSES[target]
    if op.status == "DEL":
        stage, explanation = quarantine_stage(op, now)
        if stage == "soft":
            comment = explanation
        else:
            problems.append(Change(ERROR, comment=explanation, notice=f"quarantine:{stage}"))
        if stage == "purged":
            agreeing = frozenset({"Expired"})  # no grace or redemption left to sell
    if whmcs.status in agreeing:
        return problems, {}
    change = Change(STATUS, whmcs.status, target, applied=True, comment=comment)
    return [change, *problems], {"whmcs_update": {"status": target}}


def quarantine_stage(op: OpenproviderSide, now: datetime) -> tuple[str, str]:
    """``soft`` (restorable at the renewal price), ``hard`` (restore costs a fee) or ``purged``."""
    soft, hard = op.soft_quarantine_until, op.hard_quarantine_until
    if soft is not None and now < soft:
        return "soft", f"Deleted at Openprovider; restorable at the renewal price until {soft.date()}."
    if hard is not None and now < hard and not op.is_deleted:
        return "hard", (f"Deleted at Openprovider and past its soft quarantine: a renewal cannot restore it, "
                        f"only a paid restore until {hard.date()}.")
    ended = f" (quarantine ended {hard.date()})" if hard is not None else ""
    return "purged", (f"Deleted at Openprovider and past its quarantine{ended}: it cannot be restored. "
                      "Cancel it in WHMCS if it is gone for good.")


def expiry_decision(whmcs: WhmcsSide, op: OpenproviderSide, rules: Rules) -> Part:
    expiry = op.expiry_date
    if expiry is None:
        message = "Openprovider has no expiry date for it; the WHMCS dates were left as is."
        return [Change(ERROR, comment=message, notice="no_expiry")], {}
    changes, update = [], {}
    if whmcs.expiry_date != expiry:
        changes.append(Change(EXPIRY, _iso(whmcs.expiry_date), _iso(expiry), applied=True))
        update["expiry_date"] = expiry
    due_changes, due_update, move = due_date_decision(whmcs.next_due_date, expiry, rules)
    fields: dict[str, Any] = {"whmcs_update": update | due_update}
    if move:
        fields["due_date_move"] = move
    return changes + due_changes, fields


def due_date_decision(
    current: date | None, expiry: date, rules: Rules
) -> tuple[list[Change], dict[str, date], tuple[date, date] | None]:
    """Due date := expiry - offset; an empty one is filled, a far one only reported."""
    target = expiry - timedelta(days=rules.due_date_offset_days)
    if current == target:
        return [], {}, None
    if current is None:
        return [Change(DUE_DATE, None, _iso(target), applied=True, comment="Was empty.")], {"next_due_date": target}, None
    shift = (target - current).days
    if abs(shift) > rules.due_date_max_difference_days:
        direction = "later" if shift > 0 else "earlier"
        comment = (f"Not moved: it would move {abs(shift)} days {direction}, more than the "
                   f"{rules.due_date_max_difference_days}-day limit. Check the domain's renewal.")
        return [Change(DUE_DATE, _iso(current), _iso(target), comment=comment, notice=f"due_date_far:{target}")], {}, None
    return [Change(DUE_DATE, _iso(current), _iso(target), applied=True)], {"next_due_date": target}, (current, target)


def toggle_decision(whmcs: WhmcsSide, op: OpenproviderSide) -> Part:
    changes: list[Change] = []
    fields: dict[str, Any] = {}
    wants_autorenew = not whmcs.do_not_renew
    if wants_autorenew != (op.autorenew in ("on", "default")):
        changes.append(Change(AUTORENEW, op.autorenew, "default" if wants_autorenew else "off", applied=True))
        fields["push_autorenew"] = wants_autorenew
    if whmcs.id_protection != op.private_whois:
        if whmcs.id_protection and not op.private_whois_allowed:
            message = "ID protection is on in WHMCS, but Openprovider offers no whois privacy for this extension."
            changes.append(Change(ERROR, comment=message, notice="whois_privacy_unavailable"))
        else:
            changes.append(Change(ID_PROTECTION, _on_off(op.private_whois), _on_off(whmcs.id_protection), applied=True))
            fields["push_id_protection"] = whmcs.id_protection
    return changes, fields


def failed_request_decision(domain: str) -> Part:
    message = f"{FAILED_REQUEST} (Openprovider status FAI); WHMCS was left as is."
    change = Change(ERROR, comment=message, notice=FAILED_REQUEST_NOTICE)
    return [change], {"activity_log": f"{FAILED_REQUEST}: {domain} (Openprovider status FAI)"}


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _on_off(value: bool) -> str:
    return "on" if value else "off"
