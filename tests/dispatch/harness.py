"""What the dispatch tests share: the sandbox's admin API, event payloads, and draining.

Command payloads are made the way the listener makes them (its schemas load and dump
the event data, then ``listener.commands`` splits it), so handlers see real payloads.
"""
from __future__ import annotations

import base64
import copy
import itertools
import json
import time
from typing import Any

import requests
from sqlalchemy import select

from listener.commands import commands_for
from listener.event_schemas import EVENT_DATA
from listener.signing import sign
from core.settings import load_settings
from outbox.models import Attempt, Command
from outbox.services import OutboxServices
from outbox.store import Outbox
from outbox.values import NewCommand
from outbox.worker import Worker
from tests.listener.events import CONTACT
from tests.opsandbox.harness import SandboxAdmin

SECRET = "whsec_" + base64.b64encode(b"dispatch-tests-dispatch-tests-32").decode()
AT_REST_KEY = base64.urlsafe_b64encode(b"dispatch-tests-at-rest-key-32byt").decode()  # seals auth codes
NAMESERVERS = ["ns1.example.net", "ns2.example.net/192.0.2.53"]
SHORT_SCHEDULE = (0.05,) * 40

_webhook_ids = itertools.count()


class Sandbox(SandboxAdmin):
    """The sandbox's admin API, with what the dispatch tests read besides counters."""

    def __init__(self, url: str, state: Any) -> None:
        super().__init__(url)
        self.state = state  # the in-process sandbox state, for knobs the admin API lacks

    def domain(self, name: str) -> dict[str, Any]:
        return self._call("GET", f"/domains/{name}")["domain"]

    def autorenew_now(self, name: str) -> dict[str, Any]:
        return self._call("POST", f"/domains/{name}/autorenew")["domain"]

    def reset_counters(self) -> None:
        self._call("DELETE", "/counters")

    def succeeded(self, operation: str) -> int:
        return self.counters()["succeeded"].get(operation, 0)

    def customers(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [dict(customer.details, handle=customer.handle) for customer in self.state.customers.values()
                    if not customer.is_deleted]


def test_settings(database_url: str, sandbox_url: str, **overrides: Any) -> Any:
    values = dict(
        database_url=database_url, op_url=sandbox_url, op_username="sandbox", op_password="sandbox",
        op_timeout_seconds=2, webhook_secrets=SECRET, circuit_pause_seconds=300, dns_template="default",
        at_rest_keys=AT_REST_KEY,
    )
    return load_settings(environ={}, **{**values, **overrides})


test_settings.__test__ = False  # a factory, not a test


def make_worker(engine: Any, settings: Any, threads: int = 8, schedule: tuple[float, ...] = SHORT_SCHEDULE) -> Worker:
    import outbox.handlers  # noqa: F401 - registers the handlers

    outbox = Outbox(engine, schedule, lease_seconds=settings.lease_seconds)
    return Worker(outbox, threads=threads, poll_seconds=0.02, services=OutboxServices(settings, engine),
                  circuit_pause_seconds=settings.circuit_pause_seconds)


def drain(worker: Worker, timeout: float = 60.0) -> dict[str, int]:
    """Run until no command is pending or running; the status counts at the end."""
    return worker.run_until_settled(timeout, pause=0.02)


def event_commands(event_type: str, data: dict[str, Any]) -> list[NewCommand]:
    schema = EVENT_DATA[event_type]
    return commands_for(event_type, schema.dump(schema.load(copy.deepcopy(data))))


def enqueue(outbox: Outbox, event_type: str, data: dict[str, Any]) -> list[int]:
    return outbox.enqueue(None, event_commands(event_type, data)).command_ids


def item(domain: str, **changes: Any) -> dict[str, Any]:
    return {"domain_id": 7, "domain": domain, "period_years": 1, "nameservers": list(NAMESERVERS),
            "id_protection": False, "dns_management": False, "autorenew": True, **changes}


def order(domain: str, client_id: int = 4, registrant: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    return {"order_id": 31, "client_id": client_id, "registrant": registrant or CONTACT,
            "domains": [item(domain, action=changes.pop("action", "register"), **changes)]}


def paid_renewal(domain: str, expiry_date: str | None, invoice_id: int = 55, item_id: int = 102,
                 **changes: Any) -> dict[str, Any]:
    renewal = item(domain, kind="renew", item_id=item_id, **changes)
    if expiry_date:
        renewal["expiry_date"] = expiry_date
    return {"invoice_id": invoice_id, "client_id": 4, "registrant": CONTACT, "items": [renewal]}


def command(engine: Any, command_id: int) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(Command.__table__).where(Command.id == command_id)).one()


def attempts(engine: Any, command_id: int) -> list[Any]:
    with engine.connect() as conn:
        table = Attempt.__table__
        return conn.execute(select(table).where(table.c.command_id == command_id).order_by(table.c.id)).all()


def signed_post(http: requests.Session, listener_url: str, event_type: str, data: dict[str, Any]) -> requests.Response:
    body = json.dumps({"type": event_type, "occurred_at": "2026-11-28T12:00:00+00:00", "data": data}).encode()
    webhook_id = f"evt_{time.time_ns()}_{next(_webhook_ids)}"
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json", "webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
               "webhook-signature": sign(SECRET, webhook_id, timestamp, body)}
    return http.post(f"{listener_url}/hooks/whmcs", data=body, headers=headers, timeout=30)
