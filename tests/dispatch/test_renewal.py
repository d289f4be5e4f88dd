"""Renewals of deleted domains, and Openprovider's autorenew racing WHMCS."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.dispatch.harness import attempts, command, drain, enqueue, paid_renewal
from tests.dispatch.test_handlers import seed_domain

PAID_OPERATIONS = ("renew_domain", "restore_domain")


def days_from_now(days: int) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S")


def test_a_renewal_in_soft_quarantine_restores_the_domain(sandbox, engine, worker) -> None:  # noqa: ANN001
    seed_domain(sandbox, "lapsed.com", status="DEL", expiration_date=days_from_now(-5),
                soft_quarantine_expiry_date=days_from_now(25), hard_quarantine_expiry_date=days_from_now(55))
    [command_id] = enqueue(worker.outbox, "invoice.paid", paid_renewal("lapsed.com", None))
    drain(worker)
    assert command(engine, command_id).status == "done"
    assert "restored" in attempts(engine, command_id)[-1].error
    domain = sandbox.domain("lapsed.com")
    assert domain["status"] == "RRQ" and domain["expiration_date"][:10] == days_from_now(360)[:10]
    assert (sandbox.succeeded("restore_domain"), sandbox.calls("renew_domain")) == (1, 0)


def test_a_renewal_in_hard_quarantine_is_dead_without_a_paid_call(sandbox, engine, worker) -> None:  # noqa: ANN001
    seed_domain(sandbox, "redeem.com", status="DEL", expiration_date=days_from_now(-40),
                soft_quarantine_expiry_date=days_from_now(-10), hard_quarantine_expiry_date=days_from_now(20))
    [command_id] = enqueue(worker.outbox, "invoice.paid", paid_renewal("redeem.com", None))
    drain(worker)
    row = command(engine, command_id)
    assert (row.status, row.attempts, row.last_error_code) == ("dead", 1, "hard_quarantine")
    assert f"redeem.com is in hard quarantine at Openprovider until {days_from_now(20)[:10]}" in row.last_error
    assert "replay this command" in row.last_error
    assert not any(sandbox.counters()["calls"].get(operation) for operation in PAID_OPERATIONS)
    assert sandbox.domain("redeem.com")["status"] == "DEL"


def test_openprovider_autorenew_before_payment_is_not_doubled(sandbox, engine, worker) -> None:  # noqa: ANN001
    seed_domain(sandbox, "race.com", expiration_date="2026-12-20 12:00:00")
    renewed = sandbox.autorenew_now("race.com")
    assert renewed["expiration_date"].startswith("2027-12-20")
    [command_id] = enqueue(worker.outbox, "invoice.paid", paid_renewal("race.com", "2026-12-20"))
    drain(worker)
    assert command(engine, command_id).status == "done"
    note = attempts(engine, command_id)[-1].error
    assert note.startswith("Openprovider already renewed race.com (its own autorenew)")
    assert sandbox.calls("renew_domain") == 0
    assert sandbox.domain("race.com")["expiration_date"].startswith("2027-12-20")


def test_only_the_years_openprovider_has_not_renewed_are_renewed(sandbox, engine, worker) -> None:  # noqa: ANN001
    seed_domain(sandbox, "partly.com", expiration_date="2026-12-20 12:00:00")
    sandbox.autorenew_now("partly.com")
    [command_id] = enqueue(worker.outbox, "invoice.paid", paid_renewal("partly.com", "2026-12-20", period_years=3))
    drain(worker)
    assert sandbox.domain("partly.com")["expiration_date"].startswith("2029-12-20")
    assert "already renewed 1 of the 3" in attempts(engine, command_id)[-1].error
