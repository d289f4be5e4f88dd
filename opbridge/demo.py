"""``opbridge demo``: the whole pipeline, on SQLite, against both bundled sandboxes.

Everything runs in this process on loopback ports: the Openprovider and WHMCS sandboxes,
the real listener over HTTP, a real worker and the real pull-sync. The scenario shows
what opbridge is for: a duplicate delivery changes nothing, a renewal happens once, a
refused registration ends as a dead command with Openprovider's reason, and the sync
carries Openprovider's dates back to WHMCS and mails the report.
"""
from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import click
import requests

from listener import create_app as listener_app
from listener.signing import sign
from opbridge.serving import serve_wsgi
from core.settings import load_settings
from core.tables import render
from core.times import utc
from opclient.dates import parse_datetime
from opsandbox import create_app as openprovider_app
from outbox.services import OutboxServices
from outbox.store import Outbox
from outbox.sync import run_sync
from outbox.sync.records import load_changes, load_run
from outbox.sync.report import render_text
from outbox.worker import Worker
from whmcssandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET
from whmcssandbox import create_app as whmcs_app

SECRET = "whsec_" + base64.b64encode(b"opbridge-demo-secret-not-for-use").decode()
CONTACT = {
    "first_name": "Anna", "last_name": "de Vries", "company_name": "De Vries Bakkerij",
    "email": "anna@devries.example", "address1": "Keizersgracht 12", "city": "Amsterdam",
    "postcode": "1015 CJ", "country": "NL", "phone": "+31.201234567",
}


def step(text: str) -> None:
    click.echo("")
    click.secho(f"== {text}", bold=True)


def say(text: str) -> None:
    click.echo(f"   {text}")


class Demo:
    def __init__(self, workdir: str, op_url: str, whmcs_url: str) -> None:
        self.today = date.today()
        self.admin_token = secrets.token_urlsafe(24)  # fresh each run: the dashboard is on loopback only
        self.op_url, self.whmcs_url = op_url, whmcs_url
        self.settings = load_settings(
            environ={},
            database_url=f"sqlite:///{os.path.join(workdir, 'opbridge.db')}",
            webhook_secrets=SECRET, op_url=op_url, op_username="sandbox", op_password="sandbox",
            whmcs_url=whmcs_url, whmcs_identifier=DEFAULT_IDENTIFIER, whmcs_secret=DEFAULT_SECRET,
            retry_schedule="1 1 2", update_interval_days=0, send_empty_reports=True,
            admin_tokens=self.admin_token,
        )
        self.app = listener_app(self.settings)
        self.outbox: Outbox = self.app.extensions["opbridge"].outbox
        self.services = OutboxServices(self.settings, self.outbox.engine)
        self.http = requests.Session()

    # -- the sandboxes' side doors -----------------------------------------------------

    def seed(self) -> None:
        expiry = self.today + timedelta(days=40)
        self._admin(self.op_url, "/seed", {
            "registry": [{"name": "taken-demo.nl"}],
            "domains": [
                {"name": "renew-demo.com", "status": "ACT", "expiration_date": f"{expiry} 00:00:00", "autorenew": "off"},
                {"name": "drift-demo.com", "status": "ACT",
                 "expiration_date": f"{self.today + timedelta(days=80)} 00:00:00"},
            ],
        })
        self._admin(self.whmcs_url, "/seed", {
            "clients": [{"firstname": "Anna", "lastname": "de Vries", "email": CONTACT["email"]}],
            "domains": [
                {"domain": "shop-demo.com", "userid": 1, "registrar": "openprovider", "status": "Pending"},
                # Paid and switched off by the client: WHMCS moved the due date a year on already.
                {"domain": "renew-demo.com", "userid": 1, "registrar": "openprovider", "status": "Active",
                 "expirydate": str(expiry), "nextduedate": str(expiry + timedelta(days=365 - 10)), "donotrenew": 1},
                {"domain": "drift-demo.com", "userid": 1, "registrar": "openprovider", "status": "Active",
                 "expirydate": str(self.today + timedelta(days=20)), "nextduedate": str(self.today + timedelta(days=10))},
            ],
            "invoices": [{"userid": 1, "status": "Unpaid", "duedate": str(self.today + timedelta(days=10)),
                          "items": [{"type": "Domain", "domain": "drift-demo.com", "description": "Renewal"}]}],
        })
        say("Openprovider sandbox: renew-demo.com and drift-demo.com in the account; taken-demo.nl belongs to someone else")
        say("WHMCS sandbox: one client, three domains; drift-demo.com's expiry date is 60 days off, its renewal invoice unpaid")

    def _admin(self, base: str, path: str, payload: dict[str, Any]) -> Any:
        answer = self.http.post(f"{base}/_sandbox{path}", json=payload, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def op_domain(self, name: str) -> dict[str, Any]:
        return self.http.get(f"{self.op_url}/_sandbox/domains/{name}", timeout=30).json()["domain"]

    # -- WHMCS posting events ------------------------------------------------------------

    def post(self, listener: str, webhook_id: str, event_type: str, data: dict[str, Any]) -> None:
        body = json.dumps({"type": event_type, "occurred_at": "2026-11-28T12:00:00Z", "data": data}).encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json", "webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(SECRET, webhook_id, timestamp, body),
        }
        answer = self.http.post(f"{listener}/hooks/whmcs", data=body, headers=headers, timeout=30)
        outcome = answer.json()
        commands = f", commands {outcome['commands']}" if "commands" in outcome else ""
        say(f"{event_type} ({webhook_id}) -> HTTP {answer.status_code} {outcome.get('status', outcome.get('error'))}{commands}")

    def item(self, domain: str, domain_id: int, **extra: Any) -> dict[str, Any]:
        return {"domain": domain, "domain_id": domain_id, "period_years": 1, "nameservers": [],
                "id_protection": False, "dns_management": False, "autorenew": True, **extra}

    # -- the worker ------------------------------------------------------------------------

    def drain(self, deadline_seconds: float = 30) -> None:
        worker = Worker(self.outbox, threads=4, poll_seconds=0.05, services=self.services)
        try:
            worker.run_until_settled(deadline_seconds, pause=0.2)
        except TimeoutError as error:
            click.echo(f"  {error}; the table below shows where they stand")

    def show_commands(self, after_id: int = 0) -> int:
        """Print the commands newer than ``after_id``; returns the newest id shown."""
        rows = sorted((row for row in self.outbox.list_commands(limit=100) if row["id"] > after_id),
                      key=lambda row: row["id"])
        columns = ("id", "type", "aggregate_key", "status", "attempts", "last_error")
        for line in render(rows, columns).splitlines():
            say(line[:150])
        return rows[-1]["id"] if rows else after_id

    def serve(self, listener: str) -> None:
        """Keep everything up with a worker running, until SIGTERM or SIGINT."""
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        worker = Worker(self.outbox, threads=4, poll_seconds=0.2, services=self.services)
        thread = threading.Thread(target=worker.run, name="demo-worker")
        thread.start()
        step("Serving until Ctrl-C (or SIGTERM); a worker carries out what arrives")
        say(f"dashboard    {listener}/admin/")
        say(f"admin token  {self.admin_token}")
        say(f"admin API    curl -H 'Authorization: Bearer {self.admin_token}' {listener}/api/v1/commands")
        say(f"sandboxes    Openprovider {self.op_url}/_sandbox/counters  WHMCS {self.whmcs_url}/_sandbox/emails")
        # The demo's database is in a temporary folder: the command line finds it only when told.
        say(f"command line OPBRIDGE_DATABASE_URL={self.settings.database_url} opbridge commands list")
        stop.wait()
        worker.stop()
        thread.join()
        say("Stopped: the worker, the listener and both sandboxes are down; the demo database is deleted.")


def run(echo_report: bool = True, serve: bool = False) -> None:
    step("Starting the Openprovider sandbox, the WHMCS sandbox and the listener (SQLite, in a temporary folder)")
    with _environment() as demo, serve_wsgi(demo.app) as listener:
        say(f"listener {listener}/hooks/whmcs  Openprovider {demo.op_url}  WHMCS {demo.whmcs_url}")
        demo.seed()

        step("WHMCS accepts an order: register shop-demo.com and taken-demo.nl")
        demo.post(listener, "order-1001-accepted", "order.accepted", {
            "order_id": 1001, "client_id": 1, "registrant": CONTACT,
            "domains": [demo.item("shop-demo.com", 1, action="register"),
                        demo.item("taken-demo.nl", 4, action="register")],
        })

        step("WHMCS marks the renewal invoice of renew-demo.com paid; the hook delivers it twice")
        expiry = str(demo.today + timedelta(days=40))
        invoice = {"invoice_id": 501, "client_id": 1, "registrant": CONTACT,
                   "items": [demo.item("renew-demo.com", 2, kind="renew", expiry_date=expiry, item_id=9001)]}
        demo.post(listener, "invoice-501-paid", "invoice.paid", invoice)
        demo.post(listener, "invoice-501-paid", "invoice.paid", invoice)

        step("The client turns auto-renew off, on and off again in quick succession")
        for n, flag in enumerate((False, True, False)):
            demo.post(listener, f"autorenew-2-{n}", "domain.autorenew_changed",
                      {"domain_id": 2, "domain": "renew-demo.com", "autorenew": flag})

        step("A worker drains the outbox against Openprovider (per domain, in order)")
        demo.drain()
        shown = demo.show_commands()

        step("What Openprovider holds now")
        renewed = demo.op_domain("renew-demo.com")
        shop = demo.op_domain("shop-demo.com")
        say(f"shop-demo.com: {shop['status']}, expires {_op_time(shop['expiration_date'])}")
        say(f"renew-demo.com: renewed once to {_op_time(renewed['expiration_date'])}, autorenew {renewed['autorenew']}")
        say("taken-demo.nl: refused by Openprovider; the dead command keeps the reason and can be replayed")

        step("The pull-sync reconciles WHMCS with Openprovider and mails the report")
        run_id = run_sync(demo.services, demo.outbox, trigger="demo")
        demo.drain()
        say("The sync's writes, carried out by the worker like any other command:")
        demo.show_commands(after_id=shown)
        if echo_report:
            for line in render_text(load_run(demo.outbox.engine, run_id), load_changes(demo.outbox.engine, run_id)).splitlines():
                say(line)

        emails = demo.http.get(f"{demo.whmcs_url}/_sandbox/emails", timeout=30).json()
        say(f"WHMCS sent {len(emails)} admin email(s): {', '.join(repr(e['subject']) for e in emails)}")

        step("Done")
        counts = demo.outbox.counts()
        say(f"commands: {counts['done']} done, {counts['dead']} dead, {counts['pending']} pending")
        if serve:
            demo.serve(listener)
        else:
            say("Try next: `opbridge demo --serve` to look around in the dashboard, then `opbridge serve` "
                "and `opbridge worker` (see the README)")


def _op_time(value: str) -> str:
    """An Openprovider time with its zone (Europe/Amsterdam), and in UTC."""
    moment = parse_datetime(value)
    return f"{moment:%Y-%m-%d %H:%M:%S %Z} ({utc(moment)})" if moment else "never"


@contextlib.contextmanager
def _environment() -> Iterator[Demo]:
    with tempfile.TemporaryDirectory(prefix="opbridge-demo-") as workdir, \
            serve_wsgi(openprovider_app()) as op_url, serve_wsgi(whmcs_app()) as whmcs_url:
        demo = Demo(workdir, op_url, whmcs_url)
        try:
            yield demo
        finally:
            demo.outbox.engine.dispose()
