"""Benchmark: WHMCS's DNS page through opbridge, against the Openprovider sandbox at 100 ms.

GetDNS: the registrar module's read (``GET /api/v1/registrar/domains/<name>/dns``, what
``opbridge_GetDNS`` asks) of a zone of RECORDS records, one request at a time, timed at
the client over HTTP; the listener and the sandbox are served in this process by
werkzeug's threaded server, on SQLite. With ``--php``, the same read made by php-cli
running the real module (tests/registrar/harness.php), whose time includes starting PHP.

SaveDNS: SAVES saves, each built from a fresh read and changing one record, enqueued as
the listener enqueues a ``domain.dns_changed`` event and run by a worker; the sandbox's
call counters give the Openprovider calls per save (the goal: one read, one write).

Results replace the ``## DNS records`` section of docs/benchmarks.md.

Usage: python bench/dns.py [--reads 50] [--saves 20] [--latency-ms 100] [--php] [--no-write]
"""
from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project, when run as a script

from report import machine, machine_and_command, write_section  # noqa: E402

import outbox.handlers  # noqa: E402,F401 - registers the handlers
from listener import create_app  # noqa: E402
from listener.commands import commands_for  # noqa: E402
from listener.event_schemas import EVENT_DATA  # noqa: E402
from opbridge.serving import serve_wsgi  # noqa: E402
from core.settings import load_settings  # noqa: E402
from opclient import DnsRecord, OpenproviderClient  # noqa: E402
from opsandbox import create_app as sandbox_app  # noqa: E402
from outbox.db import make_engine, upgrade  # noqa: E402
from outbox.services import OutboxServices  # noqa: E402
from outbox.store import Outbox  # noqa: E402
from outbox.worker import Worker  # noqa: E402

DOMAIN = "bench-zone.nl"
RECORDS = 30
TOKEN = "bench-dns-admin-token-0123456789"
SECRET = "whsec_" + base64.b64encode(b"bench-dns-bench-dns-bench-dns-32").decode()


@contextlib.contextmanager
def world(latency_ms: int) -> Iterator[dict[str, Any]]:
    sandbox = sandbox_app()
    sandbox.config["OPSANDBOX_CHECK_RESPONSES"] = False  # as `opbridge sandbox openprovider` serves it
    with tempfile.TemporaryDirectory() as work, serve_wsgi(sandbox) as sandbox_url:
        settings = load_settings(environ={}, database_url=f"sqlite:///{work}/opbridge.db", op_url=sandbox_url,
                                 op_username="sandbox", op_password="sandbox", admin_tokens=TOKEN,
                                 webhook_secrets=SECRET, dns_template="")
        engine = make_engine(settings.database_url)
        upgrade(engine)
        with serve_wsgi(create_app(settings, engine)) as url:
            state = sandbox.extensions["opsandbox"]
            yield {"url": url, "settings": settings, "engine": engine, "sandbox": state, "sandbox_url": sandbox_url,
                   "work": Path(work)}
            state.faults.configure(state.faults.settings)
        engine.dispose()


def seed(sandbox_url: str) -> None:
    requests.post(f"{sandbox_url}/_sandbox/seed", json={"domains": [{"name": DOMAIN}]}, timeout=10).raise_for_status()
    records = [DnsRecord(f"host{n}", "A", f"192.0.2.{n + 1}", ttl=3600) for n in range(RECORDS - 3)]
    records += [DnsRecord("", "MX", "mx.example.net", ttl=3600, prio=10), DnsRecord("", "TXT", "v=spf1 -all", ttl=3600),
                DnsRecord("_sip._tcp", "SRV", "5 5060 sip.example.net", ttl=3600, prio=10)]
    with OpenproviderClient(sandbox_url, "sandbox", "sandbox") as client:
        client.dns.create_zone(DOMAIN, records=records)


def set_latency(sandbox_url: str, latency_ms: int) -> None:
    requests.put(f"{sandbox_url}/_sandbox/faults", json={"latency_ms": latency_ms}, timeout=10).raise_for_status()


def time_reads(url: str, count: int) -> list[float]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    path = f"{url}/api/v1/registrar/domains/{DOMAIN}/dns"
    session.get(path, timeout=10).raise_for_status()  # the login and the first connection
    times = []
    for _ in range(count):
        started = time.perf_counter()
        answer = session.get(path, timeout=10)
        times.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
        assert len(answer.json()["records"]) == RECORDS - 1  # the SRV record is not shown
    return times


def time_php_reads(url: str, work: Path, count: int) -> list[float]:
    php = shutil.which("php")
    if php is None:
        return []
    params = {"ListenerURL": f"{url}/hooks/whmcs", "WebhookSecret": SECRET, "AdminURL": url, "AdminToken": TOKEN,
              "Timeout": "5", "domainid": 1, "domainname": DOMAIN, "sld": DOMAIN.split(".")[0], "tld": "nl"}
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("OPBRIDGE_")},
           "OPBRIDGE_HARNESS_DB": str(work / "whmcs.db"), "OPBRIDGE_HARNESS_ROOT": str(work),
           "OPBRIDGE_HOOK_URL": f"{url}/hooks/whmcs", "OPBRIDGE_HOOK_SECRET": SECRET,
           "OPBRIDGE_HARNESS_PATCH": json.dumps({"domains": {}})}
    command = [php, str(ROOT / "tests" / "registrar" / "harness.php"), "GetDNS", json.dumps(params)]
    times = []
    for _ in range(count):
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30, check=True)
        times.append((time.perf_counter() - started) * 1000)
        assert len(json.loads(done.stdout)["result"]) == RECORDS - 1, done.stdout
    return times


def calls_per_save(world_: dict[str, Any], saves: int) -> dict[str, float]:
    url, state = world_["url"], world_["sandbox"]
    queue = Outbox(world_["engine"], (0.05,) * 5)
    worker = Worker(queue, threads=2, poll_seconds=0.02, services=OutboxServices(world_["settings"], world_["engine"]))
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    worker.run_until_settled(30)
    with state.lock:
        state.counters.reset()
    for number in range(saves):
        rows = session.get(f"{url}/api/v1/registrar/domains/{DOMAIN}/dns", timeout=10).json()["records"]
        rows[number % len(rows)]["address"] = changed_address(rows[number % len(rows)])
        data = EVENT_DATA["domain.dns_changed"].load({"domain_id": 1, "domain": DOMAIN, "records": rows})
        with state.lock:
            before = dict(state.counters.calls)
        queue.enqueue(None, commands_for("domain.dns_changed", data))
        counts = worker.run_until_settled(30)
        assert counts["dead"] == 0, counts
        with state.lock:
            after = dict(state.counters.calls)
        assert after.get("update_zone", 0) == before.get("update_zone", 0) + 1
    with state.lock:
        calls = dict(state.counters.calls)
    reads = calls.get("get_zone", 0) - saves  # the page's own reads went to get_zone too
    return {"reads": reads / saves, "writes": calls.get("update_zone", 0) / saves, "logins": calls.get("login", 0)}


def changed_address(row: dict[str, str]) -> str:
    if row["type"] == "A":
        return "198.51.100." + str(int(row["address"].rsplit(".", 1)[1]) % 250 + 1)
    return row["address"] + ("x" if row["type"] == "TXT" else "")


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    return f"p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms ({len(ordered)} reads)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=50)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--php", action="store_true", help="also time GetDNS made by php-cli running the module")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    options = parser.parse_args()
    with world(options.latency_ms) as world_:
        seed(world_["sandbox_url"])
        set_latency(world_["sandbox_url"], options.latency_ms)
        reads = time_reads(world_["url"], options.reads)
        php = time_php_reads(world_["url"], world_["work"], max(1, options.reads // 5)) if options.php else []
        set_latency(world_["sandbox_url"], 0)
        per_save = calls_per_save(world_, options.saves)
    lines = [
        f"`GetDNS` through opbridge with the Openprovider sandbox answering after {options.latency_ms} ms, a zone of "
        f"{RECORDS} records (one of a type WHMCS does not show); the listener and the sandbox served in one process "
        "by werkzeug's threaded server, SQLite, one request at a time:",
        "",
        f"- opbridge's read endpoint (what the module asks): {summary(reads)}; one Openprovider call per read, so "
        f"opbridge adds the difference to {options.latency_ms} ms.",
    ]
    if php:
        lines.append(f"- the module's `opbridge_GetDNS` run by php-cli (starting PHP included): {summary(php)}.")
    lines += [
        "",
        f"`SaveDNS`: {options.saves} saves, each from a fresh read and changing one record, run by a worker: "
        f"{per_save['reads']:.2f} zone read(s) and {per_save['writes']:.2f} write(s) at Openprovider per save "
        f"(goal: one read, one write), {per_save['logins']} login(s) in all.",
        "",
        *machine_and_command([f"- {machine()}"]),
    ]
    section = "\n".join(lines)
    print(section)
    if not options.no_write:
        write_section("DNS records", section)


if __name__ == "__main__":
    main()
