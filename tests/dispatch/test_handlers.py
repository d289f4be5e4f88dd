"""Every handler against the sandbox: what it does, and each way it can fail."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from opclient.contacts import Contact, customer_body
from outbox.models import MirroredDomain
from tests.dispatch.harness import CONTACT, SHORT_SCHEDULE, Sandbox, attempts, command, drain, enqueue, item, order, paid_renewal

EXPIRY = "2027-06-01 12:00:00"
AUTH_CODE = "moveme-code-1"


def seed_domain(sandbox: Sandbox, name: str, **fields: Any) -> str:
    handle = sandbox.seed(customers=[customer_body(Contact.from_dict(CONTACT))])["customers"][0]
    sandbox.seed(domains=[{"name": name, "expiration_date": EXPIRY, "owner_handle": handle,
                           "admin_handle": handle, "tech_handle": handle,
                           "name_servers": [{"name": "ns1.old.example", "seq_nr": 1},
                                            {"name": "ns2.old.example", "seq_nr": 2}], **fields}])
    return handle


def seed_elsewhere(sandbox: Sandbox, name: str) -> None:
    sandbox.seed(registry=[{"name": name, "auth_code": AUTH_CODE}])


@dataclasses.dataclass(frozen=True)
class Case:
    event: str
    data: Callable[[str], dict[str, Any]]
    prepare: Callable[[Sandbox, str], Any]
    write: str  # the sandbox operation that carries the change out
    check: Callable[[dict[str, Any]], bool]  # on the sandbox's domain afterwards


CASES = {
    "register_domain": Case("order.accepted", lambda name: order(name), lambda sandbox, name: None,
                            "create_domain", lambda domain: domain["status"] == "ACT" and domain["type"] == "NEW"),
    "transfer_domain": Case("order.accepted", lambda name: order(name, action="transfer", epp_code=AUTH_CODE),
                            seed_elsewhere, "transfer_domain", lambda domain: domain["type"] == "TRANSFER"),
    "renew_domain": Case("invoice.paid", lambda name: paid_renewal(name, None), seed_domain,
                         "renew_domain", lambda domain: domain["expiration_date"].startswith("2028-06-01")),
    "set_autorenew": Case("domain.autorenew_changed", lambda name: {"domain_id": 7, "domain": name, "autorenew": False},
                          seed_domain, "update_domain", lambda domain: domain["autorenew"] == "off"),
    "set_id_protection": Case("domain.id_protection_changed", lambda name: {"domain_id": 7, "domain": name, "enabled": True},
                              seed_domain, "update_domain", lambda domain: domain["is_private_whois_enabled"] is True),
    "set_lock": Case("domain.lock_changed", lambda name: {"domain_id": 7, "domain": name, "locked": True},
                     seed_domain, "update_domain", lambda domain: domain["is_locked"] is True),
    "set_nameservers": Case("domain.nameservers_changed",
                            lambda name: {"domain_id": 7, "domain": name, "nameservers": ["ns1.new.example", "ns2.new.example/192.0.2.7"]},
                            seed_domain, "update_domain",
                            lambda domain: [(ns["name"], ns["ip"]) for ns in domain["name_servers"]]
                            == [("ns1.new.example", ""), ("ns2.new.example", "192.0.2.7")]),
    "update_contacts": Case("domain.contacts_changed",
                            lambda name: {"domain_id": 7, "domain": name, "registrant": {**CONTACT, "last_name": "Jansen"}},
                            seed_domain, "update_domain", lambda domain: domain["owner"]["full_name"] == "Anna Jansen"),
    "delete_domain": Case("domain.delete_requested", lambda name: {"domain_id": 7, "domain": name},
                          seed_domain, "delete_domain", lambda domain: domain["status"] == "DEL"),
}
NEEDS_DOMAIN = [name for name in CASES if name not in ("register_domain", "transfer_domain", "delete_domain")]


def only(worker, case: Case, name: str) -> int:  # noqa: ANN001
    [command_id] = enqueue(worker.outbox, case.event, case.data(name))
    return command_id


@pytest.mark.parametrize("kind", CASES)
def test_success_changes_the_sandbox_once(kind, sandbox, worker, engine) -> None:  # noqa: ANN001
    case, name = CASES[kind], f"{kind.replace('_', '-')}.com"
    case.prepare(sandbox, name)
    command_id = only(worker, case, name)
    assert drain(worker)["done"] == 1
    row = command(engine, command_id)
    assert row.status == "done", row.last_error
    assert case.check(sandbox.domain(name))
    assert sandbox.succeeded(case.write) == 1
    [attempt] = attempts(engine, command_id)
    assert attempt.outcome == "done" and attempt.error  # the note says what was done
    assert any(call["path"].startswith("/v1beta/domains") for call in attempt.calls)


@pytest.mark.parametrize("kind", CASES)
def test_transient_failure_is_retried_and_then_succeeds(kind, sandbox, worker, engine) -> None:  # noqa: ANN001
    case, name = CASES[kind], f"{kind.replace('_', '-')}.com"
    case.prepare(sandbox, name)
    sandbox.set_faults(script=[{"fault": "error", "operation": case.write, "times": 1}])
    command_id = only(worker, case, name)
    drain(worker)
    assert command(engine, command_id).status == "done"
    failed, succeeded = attempts(engine, command_id)
    assert (failed.outcome, failed.error_code, succeeded.outcome) == ("retry", "transient", "done")
    assert "HTTP 500" in failed.error
    retried_after = succeeded.started_at - (failed.started_at + timedelta(milliseconds=failed.duration_ms))
    assert retried_after >= timedelta(seconds=0.8 * SHORT_SCHEDULE[0])  # on the retry schedule, not at once
    assert case.check(sandbox.domain(name))
    assert sandbox.succeeded(case.write) == 1


@pytest.mark.parametrize("kind", CASES)
def test_refused_login_pauses_the_command_without_spending_an_attempt(kind, sandbox, worker, engine) -> None:  # noqa: ANN001
    case, name = CASES[kind], f"{kind.replace('_', '-')}.com"
    case.prepare(sandbox, name)
    command_id = only(worker, case, name)
    with sandbox.state.lock:
        sandbox.state.credentials = ("sandbox", "changed-password")
    try:
        worker.run_until_idle()
    finally:
        with sandbox.state.lock:
            sandbox.state.credentials = ("sandbox", "sandbox")
    row = command(engine, command_id)
    assert (row.status, row.attempts, row.last_error_code) == ("pending", 0, "196")
    assert sandbox.succeeded(case.write) == 0


@pytest.mark.parametrize("kind", NEEDS_DOMAIN)
def test_a_domain_not_in_the_account_is_dead_at_once(kind, sandbox, worker, engine) -> None:  # noqa: ANN001
    case, name = CASES[kind], f"{kind.replace('_', '-')}.com"
    command_id = only(worker, case, name)
    drain(worker)
    row = command(engine, command_id)
    assert (row.status, row.attempts, row.last_error_code) == ("dead", 1, "domain_not_found")
    assert f"{name} is not in the Openprovider account" in row.last_error
    assert sandbox.counters()["calls"].get(case.write, 0) == 0


def test_an_openprovider_refusal_is_dead_with_its_code_and_description(sandbox, worker, engine) -> None:  # noqa: ANN001
    seed_elsewhere(sandbox, "taken.com")
    [command_id] = enqueue(worker.outbox, "order.accepted", order("taken.com", action="transfer", epp_code="wrong-code"))
    drain(worker)
    row = command(engine, command_id)
    assert (row.status, row.attempts, row.last_error_code) == ("dead", 1, "318")
    assert row.last_error == "Openprovider error 318: Authorization code is incorrect"
    assert sandbox.counters()["succeeded"].get("transfer_domain", 0) == 0


def test_an_unknown_extension_is_dead_with_code_307(sandbox, worker, engine) -> None:  # noqa: ANN001
    [command_id] = enqueue(worker.outbox, "order.accepted", order("shop.zzz"))
    drain(worker)
    row = command(engine, command_id)
    assert (row.status, row.last_error_code) == ("dead", "307")
    assert "invalid extension" in row.last_error


def test_registration_sends_the_order_details_and_records_the_mirror(sandbox, worker, engine) -> None:  # noqa: ANN001
    data = order("bücher.com", nameservers=[], id_protection=True, autorenew=False, idn_language="GER",
                 additional_fields={"Intended Use": "shop", "Travel Acceptance": "on"})
    [command_id] = enqueue(worker.outbox, "order.accepted", data)
    drain(worker)
    domain = sandbox.domain("xn--bcher-kva.com")
    assert [ns["name"] for ns in domain["name_servers"]] == ["ns1.openprovider.nl", "ns2.openprovider.be", "ns3.openprovider.eu"]
    assert domain["ns_template_name"] == "default"  # the template only behind Openprovider's nameservers
    assert (domain["autorenew"], domain["is_private_whois_enabled"]) == ("off", True)
    [create] = [call for attempt in attempts(engine, command_id) for call in attempt.calls
                if call["method"] == "POST" and call["path"] == "/v1beta/domains"]
    assert create["request"]["additional_data"] == {"intended_use": "shop", "travel_acceptance": "1", "idn_script": "GER"}
    assert create["request"]["domain"] == {"name": "xn--bcher-kva", "extension": "com"}
    with engine.connect() as conn:
        mirrored = conn.execute(select(MirroredDomain.__table__).where(MirroredDomain.name == "xn--bcher-kva.com")).one()
    assert mirrored.op_domain_id == domain["id"] and mirrored.whmcs_domain_id == 7 and mirrored.whmcs_client_id == 4
    assert str(mirrored.op_expiration_date) == domain["expiration_date"][:10]
    assert (mirrored.op_status, mirrored.op_autorenew, mirrored.op_private_whois) == ("ACT", "off", True)


def test_a_domain_already_in_the_account_is_adopted_not_ordered(sandbox, worker, engine) -> None:  # noqa: ANN001
    seed_domain(sandbox, "mine.com")
    [command_id] = enqueue(worker.outbox, "order.accepted", order("mine.com"))
    drain(worker)
    row = command(engine, command_id)
    assert row.status == "done"
    assert "adopted" in attempts(engine, command_id)[-1].error
    assert sandbox.calls("create_domain") == 0
    with engine.connect() as conn:
        assert conn.scalar(select(MirroredDomain.op_domain_id).where(MirroredDomain.name == "mine.com")) == sandbox.domain("mine.com")["id"]


def test_a_transfer_whose_answer_was_lost_is_adopted_on_the_retry(sandbox, worker, engine) -> None:  # noqa: ANN001
    seed_elsewhere(sandbox, "moving.com")
    sandbox.set_faults(timeout_seconds=2.5, script=[{"fault": "timeout", "operation": "transfer_domain"}])
    [command_id] = enqueue(worker.outbox, "order.accepted", order("moving.com", action="transfer", epp_code=AUTH_CODE))
    drain(worker)
    assert [a.outcome for a in attempts(engine, command_id)] == ["retry", "done"]
    assert sandbox.succeeded("transfer_domain") == 1 and sandbox.calls("transfer_domain") == 1
    assert sandbox.domain("moving.com")["type"] == "TRANSFER"


def test_toggles_write_nothing_when_openprovider_already_agrees(sandbox, worker, engine) -> None:  # noqa: ANN001
    seed_domain(sandbox, "calm.com", is_locked=True)
    outbox = worker.outbox
    enqueue(outbox, "domain.edited", {"domain_id": 7, "domain": "calm.com", "autorenew": True, "id_protection": False})
    enqueue(outbox, "domain.lock_changed", {"domain_id": 7, "domain": "calm.com", "locked": True})
    enqueue(outbox, "domain.nameservers_changed",
            {"domain_id": 7, "domain": "calm.com", "nameservers": ["NS1.old.example", "ns2.old.example"]})
    assert drain(worker) == {"pending": 0, "running": 0, "done": 4, "dead": 0, "discarded": 0}
    assert sandbox.calls("update_domain") == 0


@pytest.mark.parametrize(("event", "field", "tld"), [
    ("domain.lock_changed", "locked", "de"),
    ("domain.id_protection_changed", "enabled", "com"),
])
def test_a_toggle_the_tld_cannot_take_is_dead_with_a_reason(event, field, tld, sandbox, worker, engine) -> None:  # noqa: ANN001
    if field == "enabled":
        sandbox.seed(tlds={"com": {"is_private_whois_allowed": False}})
    seed_domain(sandbox, f"plain.{tld}")
    [command_id] = enqueue(worker.outbox, event, {"domain_id": 7, "domain": f"plain.{tld}", field: True})
    drain(worker)
    row = command(engine, command_id)
    assert (row.status, row.last_error_code) == ("dead", "not_supported")
    assert f"plain.{tld}" in row.last_error
    assert sandbox.calls("update_domain") == 0


def test_a_toggle_on_a_domain_the_registry_has_not_activated_yet_waits(sandbox, worker, engine) -> None:  # noqa: ANN001
    seed_domain(sandbox, "slow.com", status="REQ")
    [command_id] = enqueue(worker.outbox, "domain.lock_changed", {"domain_id": 7, "domain": "slow.com", "locked": True})
    worker.run_until_idle()
    row = command(engine, command_id)
    assert (row.status, row.last_error_code) == ("pending", "domain_settling")
    assert sandbox.calls("update_domain") == 0


def test_deleting_a_deleted_domain_changes_nothing(sandbox, worker, engine) -> None:  # noqa: ANN001
    seed_domain(sandbox, "gone.com", status="DEL")
    [command_id] = enqueue(worker.outbox, "domain.delete_requested", {"domain_id": 7, "domain": "gone.com"})
    drain(worker)
    assert command(engine, command_id).status == "done"
    assert "already deleted" in attempts(engine, command_id)[-1].error
    assert sandbox.calls("delete_domain") == 0


def test_a_paid_id_protection_item_turns_it_on(sandbox, worker, engine) -> None:  # noqa: ANN001
    seed_domain(sandbox, "private.com")
    data = {"invoice_id": 9, "client_id": 4, "registrant": CONTACT,
            "items": [item("private.com", kind="id_protection", item_id=3)]}
    enqueue(worker.outbox, "invoice.paid", data)
    drain(worker)
    assert sandbox.domain("private.com")["is_private_whois_enabled"] is True
