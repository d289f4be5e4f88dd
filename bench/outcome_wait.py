"""Benchmark: what the registrar module's wait for the real outcome costs, and what it buys.

Three figures, each on SQLite (the endpoint re-reads every quarter second) and PostgreSQL
(it sleeps on NOTIFY), with the listener under gunicorn, a worker in this process and the
Openprovider and WHMCS sandboxes served from threads of this process (answering at once):

1. Added latency of the wait when Openprovider answers at once: COUNT registrations, each
   posted signed to the listener and then awaited as the module awaits it
   (``GET /api/v1/events/<id>/outcome?wait=8``); the time from the 202 to the "done"
   answer, p50 and p99. This is what WHMCS's request spends beyond the write itself.
2. How long WHMCS shows a wrong state after a late failure: FAILURES renewals of domains
   the account does not hold are posted while Openprovider is in maintenance (answered
   "pending" at once, so WHMCS keeps the old expiry and holds the confirmation); then
   Openprovider comes back and refuses them. From each command's death (Openprovider's
   refusal recorded) to the write-back's end (the old expiry, the admin mail and the
   activity line in WHMCS): p50 and max.
3. Openprovider calls per domain page: the reads the domain pages make through opbridge
   (GetDomainInformation and WHMCS's Sync), counted at the Openprovider sandbox, with the
   mirror current and without.

Results replace the ``## Registrar module: the wait for the outcome`` section of
docs/benchmarks.md.

Usage: python bench/outcome_wait.py [--count 200] [--failures 20] [--backends sqlite,postgresql]
"""
from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project, when run as a script

from dispatch_noop import DEFAULT_POSTGRES_URL, fresh_database, postgres_version, upgrade_schema  # noqa: E402
from report import machine, machine_and_command, write_section  # noqa: E402

from listener.signing import sign  # noqa: E402
from outbox.db import make_engine  # noqa: E402
from outbox.models import Command  # noqa: E402
from outbox.models import MirroredDomain  # noqa: E402
from outbox.outcomes import LATE_OUTCOME  # noqa: E402
from outbox.values import utcnow  # noqa: E402
from tests.dispatch.harness import AT_REST_KEY, make_worker, test_settings  # noqa: E402
from tests.listener.events import CONTACT  # noqa: E402
from tests.listener.processes import gunicorn  # noqa: E402
from tests.opsandbox.harness import SandboxAdmin  # noqa: E402
from tests.support import serve_wsgi  # noqa: E402
from whmcssandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET, SandboxState, create_app, seed  # noqa: E402

HEADING = "## Registrar module: the wait for the outcome"
SECRET = "whsec_" + base64.b64encode(b"outcome-wait-benchmark-key-32byt").decode()
TOKEN = "outcome-wait-benchmark-token"
commands = Command.__table__


class Rig:
    """The listener, a running worker and both sandboxes, for one backend."""

    def __init__(self, database_url: str, op_url: str, whmcs_url: str, whmcs: SandboxState, listener_url: str) -> None:
        self.engine = make_engine(database_url)
        self.whmcs, self.listener_url = whmcs, listener_url
        self.op = SandboxAdmin(op_url)
        settings = test_settings(database_url, op_url, whmcs_url=whmcs_url, whmcs_identifier=DEFAULT_IDENTIFIER,
                                 whmcs_secret=DEFAULT_SECRET, public_url="https://opbridge.example.net")
        self.worker = make_worker(self.engine, settings, threads=8, schedule=(0.5,) * 60)
        self.http = requests.Session()
        self.headers = {"Authorization": f"Bearer {TOKEN}"}
        self._ids = iter(range(1, 10**9))

    def post(self, event_type: str, data: dict[str, Any]) -> str:
        webhook_id = f"bench-{time.time_ns()}-{next(self._ids)}"
        body = json.dumps({"type": event_type, "occurred_at": "2026-12-07T12:00:00+00:00", "data": data}).encode()
        stamp = int(time.time())
        answer = self.http.post(f"{self.listener_url}/hooks/whmcs", data=body, timeout=30, headers={
            "Content-Type": "application/json", "webhook-id": webhook_id, "webhook-timestamp": str(stamp),
            "webhook-signature": sign(SECRET, webhook_id, stamp, body)})
        assert answer.status_code == 202, answer.text
        return webhook_id

    def outcome(self, webhook_id: str, wait: float) -> dict[str, Any]:
        answer = self.http.get(f"{self.listener_url}/api/v1/events/{webhook_id}/outcome", params={"wait": wait},
                               headers=self.headers, timeout=60)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def whmcs_domain(self, name: str) -> int:
        with self.whmcs.lock:
            [domain_id] = seed(self.whmcs, {"domains": [{"domain": name, "userid": 1, "registrar": "opbridge",
                                                          "status": "Active", "expirydate": "2027-06-01"}]})["domains"]
        return domain_id


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def added_latency(rig: Rig, count: int) -> dict[str, float]:
    waits = []
    for n in range(count):
        webhook_id = rig.post("domain.registration_requested", {
            "domain_id": 10_000 + n, "domain": f"instant{n}.com", "period_years": 1, "nameservers": [],
            "registrant": CONTACT, "additional_fields": {}, "autorenew": True, "id_protection": False,
            "dns_management": False})
        started = time.perf_counter()
        answer = rig.outcome(webhook_id, 8)
        waits.append((time.perf_counter() - started) * 1000)
        assert answer["state"] == "done", answer
    return {"p50": percentile(waits, 0.5), "p99": percentile(waits, 0.99), "n": count}


def late_failure(rig: Rig, failures: int) -> dict[str, float]:
    rig.op.set_faults(maintenance=True)
    webhook_ids = []
    for n in range(failures):
        name = f"elsewhere{n}.com"
        webhook_ids.append(rig.post("domain.renewal_requested", {
            "domain_id": rig.whmcs_domain(name), "domain": name, "period_years": 1, "expiry_date": "2027-06-01"}))
    assert all(rig.outcome(webhook_id, 0.5)["state"] == "pending" for webhook_id in webhook_ids)
    time.sleep(2.5)  # WHMCS's request has long ended when Openprovider comes back
    rig.op.set_faults(maintenance=False)
    deadline = time.monotonic() + 120
    while True:
        with rig.engine.connect() as conn:
            rows = conn.execute(select(commands.c.type, commands.c.status, commands.c.finished_at, commands.c.aggregate_key)
                                .where(commands.c.type.in_(("renew_domain", LATE_OUTCOME)))).all()
        dead = {row.aggregate_key: row.finished_at for row in rows if row.type == "renew_domain" and row.status == "dead"}
        written = {row.aggregate_key: row.finished_at for row in rows if row.type == LATE_OUTCOME and row.status == "done"}
        if len(written) == failures:
            break
        assert time.monotonic() < deadline, f"write-backs done: {len(written)} of {failures}"
        time.sleep(0.1)
    with rig.whmcs.lock:
        mails = sum("failed at Openprovider" in mail["subject"] for mail in rig.whmcs.emails)
    assert mails == failures, mails
    wrong = [(written[key] - dead[key]).total_seconds() for key in written]
    return {"p50": statistics.median(wrong), "max": max(wrong), "n": failures}


def page_calls(rig: Rig) -> dict[str, int]:
    rig.op.seed(domains=[{"name": "page.com", "expiration_date": "2027-09-09"}])
    counted = {}
    for label, path in (("GetDomainInformation", "registrar/domains/page.com"),
                        ("Sync, mirror not current", "registrar/domains/page.com/sync")):
        counted[label] = _op_calls(rig, path)
    with rig.engine.begin() as conn:
        conn.execute(insert(MirroredDomain).values(
            name="page.com", op_status="ACT", op_expiration_date=dt.date(2027, 9, 9), op_nameservers="ns1.example.net,"
            "ns2.example.net", op_locked=False, op_private_whois=False, last_synced_at=utcnow(), updated_at=utcnow()))
    counted["Sync, mirror current"] = _op_calls(rig, "registrar/domains/page.com/sync")
    counted["GetDomainInformation, mirror current"] = _op_calls(rig, "registrar/domains/page.com")
    return counted


def _op_calls(rig: Rig, path: str) -> int:
    before = sum(rig.op.counters()["calls"].values())
    answer = rig.http.get(f"{rig.listener_url}/api/v1/{path}", headers=rig.headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return sum(rig.op.counters()["calls"].values()) - before


@contextlib.contextmanager
def rig_for(backend: str, server_url: str) -> Iterator[Rig]:
    from opsandbox import create_app as openprovider_app

    whmcs = SandboxState()
    seed(whmcs, {"clients": [{"firstname": "Bench", "lastname": "Client", "email": "bench@example.com"}]})
    with (fresh_database(backend, server_url, f"opbridge_bench_outcome_{os.getpid()}") as database_url,
          serve_wsgi(openprovider_app()) as op_url, serve_wsgi(create_app(whmcs)) as whmcs_url,
          tempfile.TemporaryDirectory() as logs):
        upgrade_schema(database_url)
        env = {"OPBRIDGE_DATABASE_URL": database_url, "OPBRIDGE_WEBHOOK_SECRETS": SECRET, "OPBRIDGE_ADMIN_TOKENS": TOKEN,
               "OPBRIDGE_AT_REST_KEYS": AT_REST_KEY, "OPBRIDGE_OP_URL": op_url, "OPBRIDGE_OP_USERNAME": "sandbox",
               "OPBRIDGE_OP_PASSWORD": "sandbox", "OPBRIDGE_WHMCS_URL": whmcs_url, "OPBRIDGE_LOG_LEVEL": "WARNING",
               "OPBRIDGE_WHMCS_IDENTIFIER": DEFAULT_IDENTIFIER, "OPBRIDGE_WHMCS_SECRET": DEFAULT_SECRET}
        args = ["-m", "gunicorn", "wsgi:app", "--bind", "127.0.0.1:{port}", "--workers", "1", "--threads", "8"]
        with gunicorn(args, env, Path(logs) / "gunicorn.log") as listener_url:
            rig = Rig(database_url, op_url, whmcs_url, whmcs, listener_url)
            thread = threading.Thread(target=rig.worker.run, daemon=True)
            thread.start()
            try:
                yield rig
            finally:
                rig.worker.stop()
                thread.join(30)
                rig.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--failures", type=int, default=20)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES_URL)
    options = parser.parse_args()
    rows, calls = [], {}
    for backend in options.backends.split(","):
        with rig_for(backend, options.postgres) as rig:
            latency = added_latency(rig, options.count)
            wrong = late_failure(rig, options.failures)
            calls = page_calls(rig)
        rows.append(f"| {backend} | {latency['p50']:.0f} ms | {latency['p99']:.0f} ms | {wrong['p50']:.2f} s "
                    f"| {wrong['max']:.2f} s |")
        print(rows[-1], flush=True)
    server = postgres_version(options.postgres) if "postgresql" in options.backends else None
    section = "\n".join([
        HEADING, "",
        f"The wait the registrar module adds after a write is acknowledged, when Openprovider answers at "
        f"once ({options.count} registrations, one at a time), and how long WHMCS shows a wrong state after "
        f"a late failure ({options.failures} renewals refused by Openprovider after WHMCS was told they were "
        "pending: from the command's death to the end of its write-back into WHMCS). See the script's "
        "docstring for what is timed.", "",
        "| backend | added latency p50 | p99 | wrong state after a late failure, p50 | max |",
        "|---|---|---|---|---|", *rows, "",
        "Openprovider calls per domain page (counted at the sandbox; a page asks GetDomainInformation once, "
        "WHMCS's cron asks Sync):", "",
        "| read | Openprovider calls |", "|---|---|",
        *[f"| {label} | {count} |" for label, count in calls.items()], "",
        *machine_and_command([f"- {machine()}", f"- PostgreSQL {server}" if server else "- (no PostgreSQL)"]),
    ])
    write_section(HEADING, section)


if __name__ == "__main__":
    main()
