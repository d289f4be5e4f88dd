"""The decision rules as pure functions, including the cases the sandboxes cannot stage."""
from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from outbox.sync.decisions import (
    ERROR,
    STATUS,
    OpenproviderSide,
    Rules,
    WhmcsSide,
    decide,
    due_date_decision,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
EXPIRY = date(2026, 9, 1)
RULES = Rules(due_date_offset_days=10, due_date_max_difference_days=100)
WHMCS = WhmcsSide(domain_id=7, client_id=3, status="Active", expiry_date=EXPIRY,
                  next_due_date=EXPIRY - timedelta(days=10), do_not_renew=False, id_protection=False)
OP = OpenproviderSide(domain_id=100, status="ACT", expiry_date=EXPIRY, expiration_date=EXPIRY, renewal_date=EXPIRY,
                      autorenew="default", private_whois=False, private_whois_allowed=True,
                      soft_quarantine_until=None, hard_quarantine_until=None, is_deleted=False)


def whmcs(**changes: object) -> WhmcsSide:
    return dataclasses.replace(WHMCS, **changes)


def op(**changes: object) -> OpenproviderSide:
    return dataclasses.replace(OP, **changes)


def kinds(decision) -> list[str]:  # noqa: ANN001
    return [change.kind for change in decision.changes]


def test_agreeing_sides_decide_nothing() -> None:
    decision = decide("calm.com", WHMCS, OP, RULES, NOW)
    assert (decision.changes, decision.whmcs_update, decision.notices) == ((), {}, frozenset())


@pytest.mark.parametrize("op_status", ["PEN", "REQ", "SCH", "RRQ"])
def test_pending_statuses_map_to_pending_and_agree_with_the_precise_whmcs_ones(op_status: str) -> None:
    assert decide("p.com", WHMCS, op(status=op_status), RULES, NOW).whmcs_update.get("status") == "Pending"
    for precise in ("Pending", "Pending Registration", "Pending Transfer"):
        assert "status" not in decide("p.com", whmcs(status=precise), op(status=op_status), RULES, NOW).whmcs_update


@pytest.mark.parametrize("op_status", ["PEN", "REQ", "SCH", "FAI"])
def test_dates_of_an_unfinished_request_are_provisional_and_not_copied(op_status: str) -> None:
    decision = decide("p.com", WHMCS, op(status=op_status, expiry_date=EXPIRY + timedelta(days=365)), RULES, NOW)
    assert "expiry_date" not in decision.whmcs_update and "next_due_date" not in decision.whmcs_update


def test_a_failed_request_is_logged_and_reported_once() -> None:
    first = decide("f.nl", WHMCS, op(status="FAI"), RULES, NOW)
    assert first.whmcs_update == {}
    assert first.activity_log == "The domain name request has failed: f.nl (Openprovider status FAI)"
    assert kinds(first) == [ERROR]
    again = decide("f.nl", WHMCS, op(status="FAI"), RULES, NOW, reported=first.notices)
    assert (again.changes, again.activity_log, again.notices) == ((), None, first.notices)


def test_deleted_in_soft_quarantine_is_expired_and_grace_is_accepted() -> None:
    soft = op(status="DEL", soft_quarantine_until=NOW + timedelta(days=5), hard_quarantine_until=NOW + timedelta(days=35))
    decision = decide("d.com", WHMCS, soft, RULES, NOW)
    assert decision.whmcs_update["status"] == "Expired"
    assert kinds(decision) == [STATUS]
    assert "restorable at the renewal price until 2026-03-07" in decision.changes[0].comment
    assert decide("d.com", whmcs(status="Grace"), soft, RULES, NOW).whmcs_update == {}


def test_deleted_in_hard_quarantine_is_reported_as_needing_a_paid_restore() -> None:
    hard = op(status="DEL", soft_quarantine_until=NOW - timedelta(days=1), hard_quarantine_until=NOW + timedelta(days=20))
    decision = decide("d.com", WHMCS, hard, RULES, NOW)
    assert decision.whmcs_update["status"] == "Expired"
    assert kinds(decision) == [STATUS, ERROR]
    assert "paid restore until 2026-03-22" in decision.changes[1].comment


def test_deleted_past_its_quarantine_is_expired_even_from_grace_and_reported() -> None:
    purged = op(status="DEL", soft_quarantine_until=NOW - timedelta(days=40), hard_quarantine_until=NOW - timedelta(days=10))
    decision = decide("d.com", whmcs(status="Grace"), purged, RULES, NOW)
    assert decision.whmcs_update["status"] == "Expired"  # no grace left to sell
    assert "cannot be restored" in decision.changes[1].comment
    assert decide("d.com", whmcs(status="Redemption"), op(status="DEL", is_deleted=True), RULES, NOW) \
        .whmcs_update["status"] == "Expired"


def test_an_unknown_status_changes_nothing_and_is_reported() -> None:
    decision = decide("u.com", WHMCS, op(status="XYZ"), RULES, NOW)
    assert "status" not in decision.whmcs_update
    assert decision.notices == frozenset({"unknown_status:XYZ"})


def test_missing_at_openprovider_is_reported_unless_not_yet_registered() -> None:
    assert decide("m.com", WHMCS, None, RULES, NOW).notices == frozenset({"missing"})
    assert decide("m.com", WHMCS, None, RULES, NOW).whmcs_update == {}
    assert decide("m.com", whmcs(status="Pending Registration"), None, RULES, NOW).changes == ()


def test_no_expiry_at_openprovider_writes_no_date() -> None:
    decision = decide("n.com", whmcs(expiry_date=None, next_due_date=None), op(expiry_date=None), RULES, NOW)
    assert decision.whmcs_update == {}
    assert decision.notices == frozenset({"no_expiry"})


@pytest.mark.parametrize(("current", "moved"), [
    (date(2026, 5, 14), True),   # exactly 100 days: moved
    (date(2026, 5, 13), False),  # 101 days: reported only
    (date(2026, 11, 30), True),
    (date(2026, 12, 1), False),
])
def test_the_due_date_guard_is_inclusive_at_the_limit(current: date, moved: bool) -> None:
    changes, update, move = due_date_decision(current, EXPIRY, RULES)
    assert bool(update) is moved and bool(move) is moved
    assert changes[0].applied is moved


def test_an_empty_due_date_is_filled_without_moving_invoices() -> None:
    changes, update, move = due_date_decision(None, EXPIRY, RULES)
    assert update == {"next_due_date": date(2026, 8, 22)} and move is None


def test_a_far_due_date_is_reported_once_per_target() -> None:
    far = whmcs(next_due_date=EXPIRY - timedelta(days=400))
    first = decide("far.com", far, OP, RULES, NOW)
    assert first.changes[0].applied is False
    assert decide("far.com", far, OP, RULES, NOW, reported=first.notices).changes == ()
    renewed = op(expiry_date=EXPIRY + timedelta(days=365))
    assert decide("far.com", far, renewed, RULES, NOW, reported=first.notices).changes != ()


@pytest.mark.parametrize(("do_not_renew", "op_autorenew", "pushed"), [
    (True, "default", False), (True, "on", False), (True, "off", None),
    (False, "off", True), (False, "default", None), (False, "on", None),
])
def test_autorenew_follows_whmcs(do_not_renew: bool, op_autorenew: str, pushed: bool | None) -> None:
    decision = decide("a.com", whmcs(do_not_renew=do_not_renew), op(autorenew=op_autorenew), RULES, NOW)
    assert decision.push_autorenew is pushed


def test_id_protection_follows_whmcs_where_openprovider_offers_it() -> None:
    assert decide("i.com", whmcs(id_protection=True), OP, RULES, NOW).push_id_protection is True
    assert decide("i.com", WHMCS, op(private_whois=True), RULES, NOW).push_id_protection is False
    unavailable = decide("i.com", whmcs(id_protection=True), op(private_whois_allowed=False), RULES, NOW)
    assert unavailable.push_id_protection is None
    assert unavailable.notices == frozenset({"whois_privacy_unavailable"})


def test_toggles_are_pushed_to_active_domains_only() -> None:
    decision = decide("t.com", whmcs(do_not_renew=True, id_protection=True), op(status="REQ"), RULES, NOW)
    assert (decision.push_autorenew, decision.push_id_protection) == (None, None)
