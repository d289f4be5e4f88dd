"""Benchmark: the real handlers against the Openprovider sandbox over HTTP, 100 ms per call.

Throughput: COMMANDS commands over DOMAINS domains (per domain, in order: autorenew off,
lock on, ID protection on, autorenew on, a paid renewal), drained on PostgreSQL by 1 and
4 worker processes with 8, 32 and 64 threads each. Every command is one read and one
write at the sandbox (each toggle really changes something), so a command holds its
thread for at least two latencies; the concurrency bound is
``threads x processes / (calls per command x latency)`` commands/s, and the result is
reported as a fraction of it. The clock runs from releasing the workers (started and
connected beforehand) to the last command done; the sandbox's final state is checked
(every domain renewed once, the toggles set) and nothing may be dead.

Wake-up: one idle worker (8 threads, 1 s poll as the fallback) on PostgreSQL with
LISTEN/NOTIFY, and, for contrast, on SQLite (polling only). Events are posted one at a
time through the real listener; the latency runs from the event's acceptance
(``events.received_at``) to the start of its handler, whose first statement is the
Openprovider call.

The sandbox runs in its own process, served as `opbridge sandbox openprovider` serves it
(gunicorn's threaded worker, connections kept alive), with response self-checks off.
Results replace the ``## Dispatch (HTTP)`` section of docs/benchmarks.md.

Usage: python bench/dispatch_http.py [--quick] [--processes 1,4] [--threads 8,32,64] ...
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import timezone
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select
from werkzeug.serving import WSGIRequestHandler, make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project, when run as a script

from dispatch_noop import (  # noqa: E402 - the no-op benchmark's process and report helpers
    DEFAULT_POSTGRES_URL,
    code_version,
    WorkerProcesses,
    die_with_parent,
    fresh_database,
    machine_description,
    postgres_version,
    reader,
    upgrade_schema,
    vacuum_analyze,
)

from report import machine_and_command, write_section  # noqa: E402
from listener.commands import commands_for  # noqa: E402
from listener.event_schemas import EVENT_DATA  # noqa: E402
from outbox.db import make_engine  # noqa: E402
from outbox.models import DEAD, DONE, PENDING, RUNNING, Attempt, Command, Event  # noqa: E402
from outbox.store import Outbox  # noqa: E402
from outbox.values import NewCommand  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SECTION = "## Dispatch (HTTP)"
# Of this run alone, so other benchmarks, and other runs of this one, may share the server.
DATABASE_NAME = f"opbridge_bench_http_{os.getpid()}"
SECRET = "whsec_" + "YmVuY2htYXJrLWJlbmNobWFyay1iZW5jaG1hcmstMzI="
CALLS_PER_COMMAND = 2
DRAIN_TIMEOUT_SECONDS = 900
ENQUEUE_BATCH = 500


# -- databases ---------------------------------------------------------------


# -- the sandbox -------------------------------------------------------------


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any) -> None:
        pass  # a log line per call would cost a single-process server more than the call


def serve_sandbox(port: int, latency_ms: int, threads: int) -> None:
    """Child process: the sandbox on 127.0.0.1:port until SIGTERM, as `opbridge sandbox openprovider` serves it."""
    from opsandbox import create_app
    from opsandbox.api import STATE_KEY
    from opsandbox.faults import FaultSettings
    from opsandbox.server import serve

    app = create_app()
    app.config["OPSANDBOX_CHECK_RESPONSES"] = False  # a test-time self-check, not API behaviour
    app.extensions[STATE_KEY].faults.configure(FaultSettings(latency_ms=latency_ms))
    serve(app, "127.0.0.1", port, threads, on_ready=lambda: print("ready", flush=True))


@contextlib.contextmanager
def sandbox_process(latency_ms: int, threads: int) -> Iterator[str]:
    """``threads``: calls the sandbox serves at once, each holding its thread for the latency."""
    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--serve-sandbox", str(port), str(latency_ms), str(threads)],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent)
    try:
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError("the sandbox did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SandboxAdmin:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, f"{self.url}/_sandbox{path}", json=payload, timeout=120)
        response.raise_for_status()
        return response.json()

    def fresh_account(self, domains: int) -> None:
        self.call("POST", "/reset")
        self.call("POST", "/seed", {"generate": {"count": domains, "name": "bench{n}.com",
                                                 "expiration_date": "2027-06-01 12:00:00"}})

    def domain(self, number: int) -> dict[str, Any]:
        return self.call("GET", f"/domains/bench{number}.com")["domain"]


def sandbox_pids(url: str) -> list[int]:
    """The process listening on the sandbox's port, and its server's worker process."""
    port = str(int(url.rsplit(":", 1)[1])).encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if b"--serve-sandbox" in cmdline and port in cmdline:
                return [int(pid), *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    raise LookupError(f"no sandbox process serves {url}")


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (utime + stime) the processes have used so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


# -- worker processes --------------------------------------------------------


def run_worker(database_url: str, sandbox_url: str, threads: int, pool: int, starts_path: str | None) -> None:
    """Child process: an opbridge worker with the real handlers, started on a line from stdin."""
    import outbox.handlers  # noqa: F401 - registers the handlers, as `opbridge worker` does
    from core.settings import load_settings
    from outbox.registry import registry
    from outbox.services import OutboxServices
    from outbox.worker import Worker

    settings = load_settings(environ={}, database_url=database_url, op_url=sandbox_url, op_username="sandbox",
                             op_password="sandbox", worker_threads=threads)
    # A handler holds a database connection only for a statement or two, so threads
    # share a pool sized to the server's connection budget, not one connection each.
    engine = make_engine(database_url, pool_size=pool)
    chosen = timed_registry(registry, starts_path) if starts_path else registry
    services = OutboxServices(settings, engine)
    services.openprovider.tlds.get("com")  # log in before the clock starts
    worker = Worker(Outbox.from_settings(engine, settings), threads, settings.poll_seconds, registry=chosen,
                    services=services)
    worker.install_signal_handlers()
    print("ready", flush=True)
    sys.stdin.readline()
    worker.run()


def worker_command(database_url: str, sandbox_url: str, threads: int, pool: int) -> list[str]:
    return [__file__, "--worker", database_url, sandbox_url, str(threads), str(pool)]


def timed_registry(registry: Any, path: str) -> Any:
    """The same handlers, each noting when it started (its first Openprovider call)."""
    from outbox.registry import Registry

    log = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - open for the process's life
    timed = Registry()
    for name in registry.names():
        entry = registry.get(name)

        def handler(context: Any, run: Any = entry.handler) -> Any:
            log.write(f"{context.command.id} {time.time()}\n")
            return run(context)

        timed.register(name, entry.service)(handler)
    return timed


# -- throughput --------------------------------------------------------------


def loaded(event_type: str, data: dict[str, Any]) -> list[NewCommand]:
    schema = EVENT_DATA[event_type]
    return commands_for(event_type, schema.dump(schema.load(data)))


def domain_commands(number: int) -> list[NewCommand]:
    target = {"domain_id": number, "domain": f"bench{number}.com"}
    renewal = {**target, "period_years": 1, "nameservers": [], "id_protection": False, "dns_management": False,
               "autorenew": True, "kind": "renew", "item_id": number}
    contact = {"first_name": "Bench", "last_name": "Mark", "email": "bench@example.nl", "address1": "Dam 1",
               "city": "Amsterdam", "postcode": "1012 JS", "country": "NL", "phone": "+31.201234567"}
    return [
        *loaded("domain.autorenew_changed", {**target, "autorenew": False}),
        *loaded("domain.lock_changed", {**target, "locked": True}),
        *loaded("domain.id_protection_changed", {**target, "enabled": True}),
        *loaded("domain.autorenew_changed", {**target, "autorenew": True}),
        *loaded("invoice.paid", {"invoice_id": number, "client_id": 1, "registrant": contact, "items": [renewal]}),
    ]


INTERLEAVED, BY_DOMAIN = "interleaved", "by domain"


def queue_in_order(chains: list[list[NewCommand]], order: str) -> list[NewCommand]:
    """Every domain's first command, then every second, ... or each domain's five at once.

    Interleaved is how a live queue looks: events of many domains arrive between two of
    one domain. By domain puts each domain's five back to back, so the drain ends in the
    five-step chains of its last domains, which per-domain order runs one after another.
    """
    if order == BY_DOMAIN:
        return [command for chain in chains for command in chain]
    return [chain[step] for step in range(max(map(len, chains))) for chain in chains if step < len(chain)]


@dataclasses.dataclass(frozen=True)
class Drain:
    order: str
    processes: int
    threads: int
    commands: int
    seconds: float
    calls: int
    worker_cpu: float  # seconds, all worker processes together
    sandbox_cpu: float  # seconds

    @property
    def rate(self) -> float:
        return self.commands / self.seconds

    @property
    def calls_per_command(self) -> float:
        return self.calls / self.commands

    @property
    def sandbox_share(self) -> float:
        """The share of one core the sandbox used."""
        return self.sandbox_cpu / self.seconds

    def cpu_ms_per_command(self, seconds: float) -> float:
        return seconds * 1000 / self.commands

    def bound(self, latency: float) -> float:
        return self.threads * self.processes / (self.calls_per_command * latency)


def drain(args: argparse.Namespace, sandbox_url: str, processes: int, threads: int, order: str) -> Drain:
    admin = SandboxAdmin(sandbox_url)
    admin.fresh_account(args.domains)
    per_domain = args.commands // args.domains
    with fresh_database("postgresql", args.postgres_url, DATABASE_NAME) as url:
        upgrade_schema(url)
        engine = make_engine(url)
        new = queue_in_order([domain_commands(number)[:per_domain] for number in range(1, args.domains + 1)], order)
        outbox = Outbox(engine)
        for start in range(0, len(new), ENQUEUE_BATCH):
            outbox.enqueue(None, new[start:start + ENQUEUE_BATCH])
        engine.dispose()
        # Without statistics the planner takes the freshly loaded queue for empty and
        # a claim runs for seconds; autovacuum would get there at some random moment.
        vacuum_analyze(url)
        watcher = reader(url)
        try:
            command = worker_command(url, sandbox_url, threads, pool_size(args, processes))
            with WorkerProcesses(command, processes) as workers:
                admin.call("DELETE", "/counters")
                worker_pids, sandbox = [process.pid for process in workers.processes], sandbox_pids(sandbox_url)
                before = cpu_seconds(worker_pids), cpu_seconds(sandbox)
                started = workers.release()
                wait_until_drained(watcher)
                worker_cpu = cpu_seconds(worker_pids) - before[0]
                sandbox_cpu = cpu_seconds(sandbox) - before[1]
            finished = last_finished_at(watcher)
            verify(watcher, admin, len(new), args.domains, per_domain)
        finally:
            watcher.dispose()
    calls = sum(count for operation, count in admin.call("GET", "/counters")["calls"].items() if operation != "login")
    seconds = finished - started
    return Drain(order, processes, threads, len(new), seconds, calls, worker_cpu, sandbox_cpu)


def pool_size(args: argparse.Namespace, processes: int) -> int:
    """Connections per worker process (the pool may double it in overflow), within the budget."""
    return max(2, args.connections // (2 * processes))


def wait_until_drained(engine: Any) -> None:
    deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
    while True:
        with engine.connect() as conn:
            left = conn.scalar(select(Command.id).where(Command.status.in_((PENDING, RUNNING))).limit(1))
        if left is None:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"not drained within {DRAIN_TIMEOUT_SECONDS} s")
        time.sleep(0.1)


def last_finished_at(engine: Any) -> float:
    with engine.connect() as conn:
        return conn.scalar(select(func.max(Command.finished_at))).replace(tzinfo=timezone.utc).timestamp()


def verify(engine: Any, admin: SandboxAdmin, expected: int, domains: int, per_domain: int) -> None:
    with engine.connect() as conn:
        statuses = dict(conn.execute(select(Command.status, func.count()).group_by(Command.status)).all())
    if statuses != {DONE: expected}:
        raise RuntimeError(f"expected {expected} commands done, got {statuses} (dead: {statuses.get(DEAD, 0)})")
    succeeded = admin.call("GET", "/counters")["succeeded"]
    renewals = domains if per_domain >= 5 else 0
    if succeeded.get("renew_domain", 0) != renewals:
        raise RuntimeError(f"expected {renewals} renewals, the sandbox made {succeeded.get('renew_domain', 0)}")
    sample = admin.domain(random.randint(1, domains))
    expected_state = ("default" if per_domain >= 4 else "off", per_domain >= 2, per_domain >= 3)
    if (sample["autorenew"], sample["is_locked"], sample["is_private_whois_enabled"]) != expected_state:
        raise RuntimeError(f"the sandbox's {sample['domain']} does not show the commands' effects")


# -- wake-up latency ---------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class WakeUp:
    backend: str
    events: int
    p50_ms: float
    p99_ms: float
    max_ms: float


def wake_up(args: argparse.Namespace, sandbox_url: str, backend: str) -> WakeUp:
    from listener import create_app
    from core.settings import load_settings

    SandboxAdmin(sandbox_url).fresh_account(args.domains)
    with fresh_database(backend, args.postgres_url, DATABASE_NAME) as url, tempfile.TemporaryDirectory() as directory:
        upgrade_schema(url)
        settings = load_settings(environ={}, database_url=url, webhook_secrets=SECRET)
        server = make_server("127.0.0.1", 0, create_app(settings), threaded=True, request_handler=QuietHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        starts = Path(directory) / "starts.txt"
        try:
            command = [*worker_command(url, sandbox_url, 8, pool_size(args, 1)), "--starts", str(starts)]
            with WorkerProcesses(command, 1) as workers, requests.Session() as http:
                workers.release()
                time.sleep(2)  # idle: the worker has polled and is waiting for a wake-up
                for number in range(1, args.events + 1):
                    post_event(http, server.server_port, number)
                    time.sleep(random.uniform(0.03, 0.08))
                wait_until_drained(reader(url))
        finally:
            server.shutdown()
        delays = latencies(url, starts)
    percentiles = statistics.quantiles(delays, n=100, method="inclusive")
    return WakeUp(backend, len(delays), percentiles[49] * 1000, percentiles[98] * 1000, max(delays) * 1000)


def post_event(http: requests.Session, port: int, number: int) -> None:
    from listener.signing import sign

    body = json.dumps({"type": "domain.autorenew_changed", "occurred_at": "2026-11-28T12:00:00+00:00",
                       "data": {"domain_id": number, "domain": f"bench{number}.com", "autorenew": False}}).encode()
    webhook_id, timestamp = f"bench-{time.time_ns()}", int(time.time())
    headers = {"Content-Type": "application/json", "webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
               "webhook-signature": sign(SECRET, webhook_id, timestamp, body)}
    response = http.post(f"http://127.0.0.1:{port}/hooks/whmcs", data=body, headers=headers, timeout=30)
    response.raise_for_status()


def latencies(url: str, starts: Path) -> list[float]:
    started = {}
    for line in starts.read_text().splitlines():
        command_id, moment = line.split()
        started.setdefault(int(command_id), float(moment))
    engine = reader(url)
    with engine.connect() as conn:
        accepted = conn.execute(select(Command.id, Event.received_at).join(Event, Event.id == Command.event_id)).all()
        statuses = set(conn.scalars(select(Command.status).distinct()))
        tries = conn.scalar(select(func.count()).select_from(Attempt))
    engine.dispose()
    if statuses != {DONE} or tries != len(accepted):
        raise RuntimeError(f"wake-up run: statuses {statuses}, {tries} tries for {len(accepted)} commands")
    return [started[command_id] - received.replace(tzinfo=timezone.utc).timestamp()
            for command_id, received in accepted]


# -- report ------------------------------------------------------------------


def section(drains: list[Drain], wake_ups: list[WakeUp], args: argparse.Namespace) -> str:
    latency = args.latency_ms / 1000
    lines = [
        SECTION,
        "",
        f"The real handlers against the Openprovider sandbox over HTTP with {args.latency_ms} ms added to every "
        f"call. {args.commands:,} commands over {args.domains:,} domains (per domain, in order: autorenew off, "
        "lock on, ID protection on, autorenew on, a paid renewal; each a read and a write at the sandbox), queued "
        "interleaved (every domain's first command, then every domain's second, ..., as events of many domains "
        "arrive between two of one domain) and, for the thread counts in the rows marked so, by domain (each "
        "domain's five back to back: the drain then ends in the five-step chains of its last domains, which "
        "per-domain order runs one after another), drained "
        "on PostgreSQL by worker processes started and connected beforehand; the clock runs from their release to "
        "the last command done. Every drain is checked: all commands done, none dead, one renewal per domain at the "
        "sandbox, a sampled domain showing every toggle. The bound is threads x processes / (calls per command x "
        "latency): what the threads could do if nothing but Openprovider's latency took time. Sandbox CPU is the "
        "share of one core its single serving process used during the drain; CPU per command is the processor time the "
        "worker processes together, and the sandbox, spent during the drain, divided by the commands. The workers "
        f"of a drain share a budget of {args.connections} database connections (PostgreSQL's default limit is 100, "
        "and the server is shared).",
        "",
        "| queued | processes | threads | commands/s | API calls per command | bound (commands/s) | fraction of bound "
        "| drain (s) | sandbox CPU | CPU per command, workers (ms) | CPU per command, sandbox (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for drain in drains:
        bound = drain.bound(latency)
        lines.append(f"| {drain.order} | {drain.processes} | {drain.threads} | {drain.rate:,.1f} "
                     f"| {drain.calls_per_command:.2f} "
                     f"| {bound:,.0f} | **{drain.rate / bound:.0%}** | {drain.seconds:.1f} | {drain.sandbox_share:.0%} "
                     f"| {drain.cpu_ms_per_command(drain.worker_cpu):.1f} "
                     f"| {drain.cpu_ms_per_command(drain.sandbox_cpu):.1f} |")
    lines += [
        "",
        f"Wake-up latency: one idle worker (8 threads, poll every 1 s as the fallback); {args.events} "
        "`domain.autorenew_changed` events posted one at a time (30-80 ms apart) through the real listener; "
        "from the event's acceptance (`events.received_at`) to the start of its handler, whose first statement is "
        "the Openprovider call. PostgreSQL wakes the worker by LISTEN/NOTIFY; SQLite has only the poll.",
        "",
        "| backend | events | p50 (ms) | p99 (ms) | max (ms) |",
        "|---|---:|---:|---:|---:|",
        *(f"| {w.backend} | {w.events} | **{w.p50_ms:.1f}** | {w.p99_ms:.1f} | {w.max_ms:.1f} |" for w in wake_ups),
        "",
        *machine_and_command(machine_description(postgres_version(args.postgres_url), code_version())),
    ]
    return "\n".join(lines)


# -- main --------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    def numbers(value: str) -> list[int]:
        return [int(part) for part in value.split(",")]

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=5_000)
    parser.add_argument("--domains", type=int, default=1_000)
    parser.add_argument("--processes", type=numbers, default=[1, 4])
    parser.add_argument("--threads", type=numbers, default=[8, 32, 64])
    parser.add_argument("--by-domain-threads", type=numbers, default=[64],
                        help="thread counts drained a second time with the commands queued by domain")
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--events", type=int, default=200, help="events of the wake-up measurement")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--connections", type=int, default=40,
                        help="database connections all workers together may open (PostgreSQL allows 100 by default)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 500 commands, 1 process, 8 and 64 threads")
    parser.add_argument("--output", type=Path, help="markdown file whose Dispatch (HTTP) section is replaced")
    args = parser.parse_args()
    if args.quick:
        args.commands, args.domains, args.processes, args.threads, args.events = 500, 100, [1], [8, 64], 40
        args.by_domain_threads = [64]
    return args


def main() -> None:
    if sys.argv[1:2] == ["--serve-sandbox"]:
        serve_sandbox(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        return
    if sys.argv[1:2] == ["--worker"]:
        starts = sys.argv[sys.argv.index("--starts") + 1] if "--starts" in sys.argv else None
        run_worker(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), starts)
        return
    args = parse_args()
    drains, wake_ups = [], []
    with sandbox_process(args.latency_ms, max(args.processes) * max(args.threads)) as sandbox_url:
        plan = [(processes, threads, order) for processes in args.processes for threads in args.threads
                for order in (INTERLEAVED, BY_DOMAIN) if order == INTERLEAVED or threads in args.by_domain_threads]
        for processes, threads, order in plan:
            result = drain(args, sandbox_url, processes, threads, order)
            print(f"{order:11} {processes} proc x {threads:2} threads: {result.rate:7.1f} commands/s, "
                  f"{result.rate / result.bound(args.latency_ms / 1000):.0%} of bound, "
                  f"sandbox CPU {result.sandbox_share:.0%}; CPU per command: workers "
                  f"{result.cpu_ms_per_command(result.worker_cpu):.1f} ms, sandbox "
                  f"{result.cpu_ms_per_command(result.sandbox_cpu):.1f} ms", flush=True)
            drains.append(result)
        for backend in ("postgresql", "sqlite"):
            result = wake_up(args, sandbox_url, backend)
            print(f"wake-up {backend}: p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms", flush=True)
            wake_ups.append(result)
    if args.output:
        write_section(SECTION, section(drains, wake_ups, args), args.output)


if __name__ == "__main__":
    main()
