"""Contact handles: one per contact, updated in place for new details, new for a new name."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from opclient.contacts import Contact
from outbox.models import Handle
from outbox.values import utcnow
from tests.dispatch.harness import CONTACT, command, drain, enqueue, make_worker, order, test_settings

NEW_EMAIL = {**CONTACT, "email": "anna@vries.example"}
NEW_NAME = {**CONTACT, "last_name": "Bakker"}


def handle_rows(engine) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Handle.__table__))


def contacts_changed(domain: str, contact: dict) -> dict:
    return {"domain_id": 7, "domain": domain, "registrant": contact, "admin": contact, "tech": contact, "billing": contact}


def test_fifty_registrations_for_one_client_create_one_handle(sandbox, engine, worker) -> None:  # noqa: ANN001
    for number in range(50):
        enqueue(worker.outbox, "order.accepted", order(f"shop{number}.com"))
    assert drain(worker)["done"] == 50
    [customer] = sandbox.customers()
    for number in range(50):
        domain = sandbox.domain(f"shop{number}.com")
        assert {domain[f"{role}_handle"] for role in ("owner", "admin", "tech", "billing")} == {customer["handle"]}
    assert sandbox.succeeded("create_customer") == 1
    assert handle_rows(engine) == 1


def test_a_changed_email_updates_the_handle_in_place(sandbox, engine, worker) -> None:  # noqa: ANN001
    enqueue(worker.outbox, "order.accepted", order("first.com"))
    drain(worker)
    [before] = sandbox.customers()
    enqueue(worker.outbox, "order.accepted", order("second.com", registrant=NEW_EMAIL))  # the same client, new email
    drain(worker)
    enqueue(worker.outbox, "domain.contacts_changed", contacts_changed("first.com", {**NEW_EMAIL, "city": "Utrecht"}))
    assert drain(worker)["done"] == 3
    [after] = sandbox.customers()
    assert after["handle"] == before["handle"]
    assert (after["email"], after["address"]["city"]) == ("anna@vries.example", "Utrecht")
    assert sandbox.domain("second.com")["owner_handle"] == before["handle"]
    assert sandbox.calls("update_domain") == 0  # the domain keeps its handle; only the handle changed
    assert handle_rows(engine) == 1


def test_a_changed_name_gets_a_new_handle(sandbox, engine, worker) -> None:  # noqa: ANN001
    enqueue(worker.outbox, "order.accepted", order("named.com"))
    drain(worker)
    [old] = sandbox.customers()
    [command_id] = enqueue(worker.outbox, "domain.contacts_changed", contacts_changed("named.com", NEW_NAME))
    enqueue(worker.outbox, "domain.contacts_changed", contacts_changed("named.com", NEW_NAME))  # delivered again
    drain(worker)
    assert command(engine, command_id).status == "done"
    new = next(customer for customer in sandbox.customers() if customer["handle"] != old["handle"])
    assert new["name"]["last_name"] == "Bakker" and len(sandbox.customers()) == 2
    domain = sandbox.domain("named.com")
    assert {domain[f"{role}_handle"] for role in ("owner", "admin", "tech", "billing")} == {new["handle"]}
    assert sandbox.succeeded("create_customer") == 2 and sandbox.succeeded("update_domain") == 1


def test_a_recorded_handle_openprovider_no_longer_has_is_replaced(sandbox, engine, worker) -> None:  # noqa: ANN001
    contact = Contact.from_dict(CONTACT)
    now = datetime(2026, 1, 1)
    with engine.begin() as conn:
        conn.execute(insert(Handle.__table__).values(
            contact_hash=contact.contact_hash, identity_hash=contact.identity_hash, handle="GONE00001-NL",
            whmcs_client_id=4, created_at=now, updated_at=now))
    enqueue(worker.outbox, "order.accepted", order("fresh.com"))
    drain(worker)
    [customer] = sandbox.customers()
    assert sandbox.domain("fresh.com")["owner_handle"] == customer["handle"] != "GONE00001-NL"
    with engine.connect() as conn:
        assert conn.scalars(select(Handle.handle)).all() == [customer["handle"]]


def test_without_reuse_each_order_gets_its_own_handle_once(database_url, sandbox, engine) -> None:  # noqa: ANN001
    worker = make_worker(engine, test_settings(database_url, sandbox.url, reuse_handles=False))
    sandbox.set_faults(script=[{"fault": "error", "operation": "create_domain", "times": 1}])
    for name in ("one.com", "two.com"):
        enqueue(worker.outbox, "order.accepted", order(name))
    drain(worker)
    owners = {sandbox.domain(name)["owner_handle"] for name in ("one.com", "two.com")}
    assert len(owners) == 2 and len(sandbox.customers()) == 2  # the retried order reused its handle
    assert handle_rows(engine) == 0


def _claimed_by_another(engine, age: timedelta) -> None:  # noqa: ANN001
    """The row a worker inserts before it creates the contact's handle, ``age`` ago."""
    contact, then = Contact.from_dict(CONTACT), utcnow() - age
    with engine.begin() as conn:
        conn.execute(insert(Handle.__table__).values(
            contact_hash=contact.contact_hash, identity_hash=contact.identity_hash, handle="",
            whmcs_client_id=4, created_at=then, updated_at=then))


def test_a_claim_younger_than_a_lease_makes_the_order_wait(database_url, sandbox, engine) -> None:  # noqa: ANN001
    worker = make_worker(engine, test_settings(database_url, sandbox.url, lease_seconds=10))
    _claimed_by_another(engine, timedelta(seconds=5))
    [command_id] = enqueue(worker.outbox, "order.accepted", order("waits.com"))
    worker.run_until_idle()
    assert command(engine, command_id).last_error_code == "handle_busy"
    assert sandbox.customers() == []


def test_a_claim_older_than_a_lease_is_taken_over(database_url, sandbox, engine) -> None:  # noqa: ANN001
    # Its worker died while creating (killed between the claim and the handle): the lease
    # outlasts the one call, so nobody is creating it any more; before, others waited 5 minutes.
    worker = make_worker(engine, test_settings(database_url, sandbox.url, lease_seconds=10))
    _claimed_by_another(engine, timedelta(seconds=11))
    [command_id] = enqueue(worker.outbox, "order.accepted", order("taken.com"))
    assert drain(worker)["done"] == 1
    [customer] = sandbox.customers()
    assert command(engine, command_id).attempts == 1
    with engine.connect() as conn:
        assert conn.scalars(select(Handle.handle)).all() == [customer["handle"]]
