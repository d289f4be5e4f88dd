"""What disagrees between WHMCS and the Openprovider account, and what would mend each.

A pure comparison of the two sides read whole. Where both hold a domain of our registrar,
the pull-sync's own decisions say what differs, so the drift report shows exactly what a
sync would change. The kinds:

- ``missing_in_whmcs``: the account holds it and WHMCS bills nobody for it → ``import``;
- ``other_registrar``: WHMCS bills it under another registrar module → ``move-registrar``;
- ``missing_in_account``: WHMCS bills it as ours and the account does not hold it
  → ``transfer-in`` (or a look, when it was deleted or moved away on purpose);
- ``expiry_date``, ``status``, ``autorenew``, ``id_protection``: both hold it and disagree
  → ``sync``; what needs a person (a failed request, a deleted domain) → ``review``.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime

from outbox.portfolio.sides import Portfolio, WhmcsDomain
from outbox.sync.decisions import (
    AUTORENEW,
    ERROR,
    EXPIRY,
    ID_PROTECTION,
    STATUS,
    Change,
    OpenproviderSide,
    Rules,
    decide,
)
from outbox.sync.importer import CLOSED_STATUSES

MISSING_IN_WHMCS, OTHER_REGISTRAR, MISSING_IN_ACCOUNT, PROBLEM = (
    "missing_in_whmcs", "other_registrar", "missing_in_account", "problem")
KINDS = (MISSING_IN_WHMCS, OTHER_REGISTRAR, MISSING_IN_ACCOUNT, EXPIRY, STATUS, AUTORENEW, ID_PROTECTION, PROBLEM)
IMPORT, MOVE_REGISTRAR, TRANSFER_IN, SYNC, REVIEW = "import", "move-registrar", "transfer-in", "sync", "review"
# WHMCS statuses of domains it bills as live: one missing from the account is billed for nothing.
BILLED_STATUSES = frozenset({"Active", "Grace", "Redemption"})
# Account statuses of domains held or on their way in; FAI and deleted ones are nobody's to bill.
HELD_STATUSES = frozenset({"ACT", "REQ", "SCH", "PEN", "RRQ"})
# The sync rules' kinds the drift shows; the due date follows the expiry and is the sync's business.
SYNCED_KINDS = frozenset({EXPIRY, STATUS, AUTORENEW, ID_PROTECTION})


@dataclasses.dataclass(frozen=True, slots=True)
class Finding:
    domain: str
    kind: str
    whmcs_value: str | None
    op_value: str | None
    action: str
    whmcs_domain_id: int | None = None
    client_id: int | None = None
    comment: str = ""

    def record(self) -> dict:
        return dataclasses.asdict(self)


def find_drift(portfolio: Portfolio, ours: frozenset[str], rules: Rules, now: datetime) -> Iterator[Finding]:
    """Every finding, by domain name."""
    for name in sorted(portfolio.whmcs.keys() | portfolio.account.keys()):
        yield from domain_drift(name, portfolio.whmcs.get(name), portfolio.account.get(name), ours, rules, now)


def domain_drift(name: str, whmcs: WhmcsDomain | None, op: OpenproviderSide | None, ours: frozenset[str],
                 rules: Rules, now: datetime) -> list[Finding]:
    billed = whmcs is not None and whmcs.side.status not in CLOSED_STATUSES
    held = op is not None and op.status in HELD_STATUSES and not op.is_deleted
    if not billed:
        return [Finding(name, MISSING_IN_WHMCS, whmcs and whmcs.side.status, op.status, IMPORT)] if held else []
    ids = {"whmcs_domain_id": whmcs.side.domain_id, "client_id": whmcs.side.client_id}
    if whmcs.registrar.strip().lower() not in ours:
        return [Finding(name, OTHER_REGISTRAR, whmcs.registrar, op.status, MOVE_REGISTRAR, **ids)] if held else []
    if op is None:
        if whmcs.side.status not in BILLED_STATUSES:
            return []
        comment = "Billed in WHMCS, not in the account: transfer it in, or cancel it in WHMCS if it left on purpose."
        return [Finding(name, MISSING_IN_ACCOUNT, whmcs.side.status, None, TRANSFER_IN, **ids, comment=comment)]
    decision = decide(name, whmcs.side, op, rules, now)
    return [_finding(name, change, whmcs, op, ids) for change in decision.changes
            if change.kind in SYNCED_KINDS or change.kind == ERROR]


def _finding(name: str, change: Change, whmcs: WhmcsDomain, op: OpenproviderSide, ids: dict) -> Finding:
    if change.kind == ERROR:
        return Finding(name, PROBLEM, whmcs.side.status, op.status, REVIEW, **ids, comment=change.comment)
    if change.kind == STATUS:
        return Finding(name, STATUS, change.old, op.status, SYNC, **ids, comment=f"a sync sets {change.new}")
    if change.kind == EXPIRY:
        return Finding(name, EXPIRY, change.old, change.new, SYNC, **ids)
    # WHMCS leads the toggles: the change's new value is what WHMCS asks for.
    whmcs_value = ("off" if whmcs.side.do_not_renew else "on") if change.kind == AUTORENEW else change.new
    return Finding(name, change.kind, whmcs_value, change.old, SYNC, **ids)
