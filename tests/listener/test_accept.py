"""Valid events: stored once, with the commands their type asks for."""
from __future__ import annotations

import json
import threading

import pytest

from listener.commands import COMMANDS_FOR
from listener.event_schemas import EVENT_DATA
from listener.signing import key_id, decode_secret
from outbox.sealing import Sealer
from tests.listener.conftest import AT_REST_KEY, NEW_SECRET, OLD_SECRET, signed_headers
from tests.listener.events import EXPECTED_COMMANDS, SAMPLES, sample


def test_every_event_type_has_a_schema_and_commands():
    assert set(EVENT_DATA) == set(COMMANDS_FOR) == set(SAMPLES)


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_each_event_type_enqueues_its_commands(client, event_type):
    response = client.post_event(sample(event_type))

    assert response.status_code == 202, response.text
    answer = response.json()
    assert answer["status"] == "accepted"
    commands = client.commands(answer["commands"])
    assert [(c.type, c.aggregate_key) for c in commands] == EXPECTED_COMMANDS[event_type]
    assert all(c.status == "pending" and c.payload["domain"] == c.aggregate_key for c in commands)
    [event] = client.events()
    assert event.webhook_id == answer["id"] and event.type == event_type
    assert all(c.event_id == event.id for c in commands)


def test_register_payload_carries_item_contacts_and_order(client):
    answer = client.post_event(sample("order.accepted")).json()
    register, transfer = (c.payload for c in client.commands(answer["commands"]))

    assert register["domain"] == "xn--bcher-kva.example"
    assert register["order_id"] == 31 and register["client_id"] == 4 and register["domain_id"] == 7
    assert register["nameservers"] == [{"name": "ns1.example.net", "ip": None},
                                       {"name": "ns2.example.net", "ip": "192.0.2.53"}]
    assert register["registrant"]["email"] == "anna@example.nl" and register["admin"] is None
    assert register["period_years"] == 1 and register["autorenew"] is True
    assert "action" not in register
    assert Sealer([AT_REST_KEY]).open(transfer["epp_code"]) == "s3cr3t-code" and transfer["nameservers"] == []
    [event] = client.events()
    assert "s3cr3t-code" not in event.body and "s3cr3t-code" not in json.dumps(transfer)


def test_invoice_payloads_carry_invoice_item_and_expiry(client):
    answer = client.post_event(sample("invoice.paid")).json()
    register, transfer, renew, protect = (c.payload for c in client.commands(answer["commands"]))

    assert renew["invoice_id"] == 55 and renew["item_id"] == 102
    assert renew["expiry_date"] == "2027-03-01" and renew["period_years"] == 1
    assert protect == {"domain": "renew.example", "domain_id": 9, "enabled": True, "invoice_id": 55, "item_id": 103}
    assert "kind" not in register and register["admin"]["last_name"] == "de Vries"


@pytest.mark.parametrize(("event_type", "expected"), [
    ("domain.autorenew_changed", [{"domain": "a.example", "domain_id": 7, "autorenew": False}]),
    ("domain.id_protection_changed", [{"domain": "a.example", "domain_id": 7, "enabled": True}]),
    ("domain.nameservers_changed", [{"domain": "a.example", "domain_id": 7, "nameservers": [
        {"name": "ns1.example.net", "ip": None}, {"name": "ns2.example.net", "ip": None}]}]),
    ("domain.lock_changed", [{"domain": "a.example", "domain_id": 7, "locked": True}]),
    ("domain.delete_requested", [{"domain": "a.example", "domain_id": 7}]),
    ("domain.edited", [{"domain": "a.example", "domain_id": 7, "autorenew": True},
                       {"domain": "a.example", "domain_id": 7, "enabled": False}]),
])
def test_toggle_payloads(client, event_type, expected):
    answer = client.post_event(sample(event_type)).json()
    assert [c.payload for c in client.commands(answer["commands"])] == expected


def test_contacts_payload_names_every_role(client):
    answer = client.post_event(sample("domain.contacts_changed")).json()
    [command] = client.commands(answer["commands"])
    assert command.payload["registrant"]["country"] == "NL"
    assert command.payload["tech"]["phone"] == "+31.201234567"
    assert command.payload["admin"] is None and command.payload["billing"] is None


def test_unknown_fields_are_dropped_from_payloads_but_kept_in_the_raw_body(client):
    event = sample("domain.lock_changed")
    event["data"]["registrar_note"] = "kept"
    event["whmcs_extra"] = {"x": 1}
    answer = client.post_event(event).json()

    [command] = client.commands(answer["commands"])
    assert "registrar_note" not in command.payload
    [stored] = client.events()
    assert json.loads(stored.body) == event


def test_event_records_which_secret_signed_it(client):
    client.post_event(sample("domain.lock_changed"), secret=OLD_SECRET)
    client.post_event(sample("domain.lock_changed"), secret=NEW_SECRET)

    old, new = client.events()
    assert old.key_id == key_id(decode_secret(OLD_SECRET))
    assert new.key_id == key_id(decode_secret(NEW_SECRET))
    assert OLD_SECRET.removeprefix("whsec_") not in old.key_id


def test_redelivery_is_a_duplicate_even_with_another_body(client):
    body = json.dumps(sample("domain.lock_changed")).encode()
    headers = signed_headers(body)
    first = client.post(body, headers)
    second = client.post(body, headers)
    other = json.dumps(sample("domain.delete_requested")).encode()
    third = client.post(other, signed_headers(other, webhook_id=headers["webhook-id"]))

    assert first.status_code == 202
    for response in (second, third):
        assert response.status_code == 200
        assert response.json() == {"id": headers["webhook-id"], "status": "duplicate"}
    assert client.counts() == (1, 1)


def test_concurrent_deliveries_of_one_id_store_one_event(client):
    body = json.dumps(sample("invoice.paid")).encode()
    headers = signed_headers(body)
    start = threading.Barrier(20)
    statuses = []

    def deliver() -> None:
        session = type(client.http)()
        start.wait()
        statuses.append(session.post(f"{client.base_url}/hooks/whmcs", data=body, headers=headers, timeout=60).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] * 19 + [202]
    assert client.counts() == (1, 4)
