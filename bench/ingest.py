"""Ingest benchmark: signed events posted to gunicorn by concurrent clients.

For each backend it measures, in one run and on one machine:
  * accepted events/s and latency of ``POST /hooks/whmcs`` (each event a paid
    renewal of its own domain, so one command per event);
  * the HTTP ceiling: the same gunicorn answering ``GET /healthz``;
  * the database ceiling: single-row INSERT + COMMIT from as many threads as clients;
  * CPU seconds per request of gunicorn (master and workers), of the PostgreSQL
    backends serving the bench database and of the load generator itself, because all
    of them share the machine's cores;
and writes the figures to the ``## Ingest`` section of docs/benchmarks.md.

    .venv/bin/python bench/ingest.py --seconds 30
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import contextlib
import json
import os
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from listener.gunicorn_conf import layout  # noqa: E402
from listener.signing import sign  # noqa: E402
from outbox.db import make_engine, upgrade  # noqa: E402
from report import machine, write_section  # noqa: E402
from tests.listener.processes import gunicorn  # noqa: E402

SECRET = "whsec_" + base64.b64encode(b"bench-ingest-secret-32-bytes-ok!").decode()
BENCH_DATABASE = "opbridge_bench_ingest"
HEADING = "## Ingest"
# Well inside the listener's 300 s timestamp tolerance, however long the signing takes.
SIGNED_AHEAD_SECONDS = 200
CONTACT = {
    "first_name": "Anna", "last_name": "de Vries", "email": "anna@example.nl", "address1": "Keizersgracht 1",
    "city": "Amsterdam", "postcode": "1015 CJ", "country": "NL", "phone": "+31.201234567",
}


# -- load generation ------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: collections.Counter[int] = collections.Counter()
        self.client_cpu = 0.0

    def rate(self, status: int, seconds: float) -> float:
        return self.statuses[status] / seconds

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").lower().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    await reader.readexactly(int(headers.get("content-length", "0")))
    return int(lines[0].split()[1]), headers.get("connection") == "close"


async def _client(port: int, request: Callable[[], bytes], deadline: float, tally: Tally) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(request())
            status, closed = await _read_response(reader)
            tally.latencies.append(time.perf_counter() - started)
            tally.statuses[status] += 1
            if closed:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


def load(port: int, request: Callable[[], bytes], clients: int, seconds: float) -> Tally:
    """Keep ``clients`` keep-alive connections busy for ``seconds``."""
    tally = Tally()

    async def run() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(_client(port, request, deadline, tally) for _ in range(clients)))

    started = time.process_time()
    asyncio.run(run())
    tally.client_cpu = time.process_time() - started
    return tally


def healthz_request() -> bytes:
    return b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n"


def event_requests(count: int) -> Callable[[], bytes]:
    """``count`` distinct renewal events, as WHMCS would send them, signed before the clock starts.

    Signing is the load generator's work, not the listener's: done in advance, it costs the
    shared cores nothing during a phase, as for ``/healthz``. A run that outlasts ``count``
    stops with StopIteration rather than resending an event.
    """
    run = os.urandom(4).hex()
    return iter([_signed_event(run, n) for n in range(count)]).__next__


def _signed_event(run: str, n: int) -> bytes:
    item = {
        "domain_id": n + 1, "domain": f"bench-{run}-{n}.example", "period_years": 1, "nameservers": [],
        "id_protection": False, "dns_management": False, "autorenew": True, "kind": "renew",
        "expiry_date": "2027-01-01", "item_id": n + 1,
    }
    data = {"invoice_id": n + 1, "client_id": 1, "registrant": CONTACT, "items": [item]}
    body = json.dumps({"type": "invoice.paid", "occurred_at": "2026-11-28T12:00:00Z", "data": data}).encode()
    webhook_id, timestamp = f"bench-{run}-{n}", int(time.time())
    head = (
        f"POST /hooks/whmcs HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nwebhook-id: {webhook_id}\r\nwebhook-timestamp: {timestamp}\r\n"
        f"webhook-signature: {sign(SECRET, webhook_id, timestamp, body)}\r\n\r\n"
    )
    return head.encode() + body


# -- CPU accounting ----------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process; 0 once it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    with contextlib.suppress(FileNotFoundError):
        return [int(child) for task in tasks.iterdir() for child in (task / "children").read_text().split()]
    return []


def gunicorn_pids() -> list[int]:
    """The gunicorn master this process started, and its workers."""
    masters = _children(os.getpid())
    return masters + [worker for master in masters for worker in _children(master)]


def postgres_backend_pids(url: str) -> list[int]:
    """Backends connected to the bench database, when the server runs on this machine."""
    if make_url(url).host not in {"127.0.0.1", "localhost"}:
        return []
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                            (BENCH_DATABASE,)).fetchall()
    return [pid for (pid,) in rows if Path(f"/proc/{pid}").exists()]


class CpuMeter:
    """CPU seconds the server side spends during one load phase."""

    def __init__(self, url: str) -> None:
        self.url = url if make_url(url).get_backend_name() == "postgresql" else None

    def _pids(self) -> dict[str, list[int]]:
        return {"gunicorn": gunicorn_pids(), "database": postgres_backend_pids(self.url) if self.url else []}

    def measure(self, phase: Callable[[], Tally]) -> tuple[Tally, dict[str, float]]:
        before = {pid: _cpu_seconds(pid) for pids in self._pids().values() for pid in pids}
        tally = phase()
        # Processes started during the phase count from zero; ones that ended are lost (none do here).
        after = self._pids()
        used = {part: sum(_cpu_seconds(pid) - before.get(pid, 0.0) for pid in pids) for part, pids in after.items()}
        return tally, {**used, "client": tally.client_cpu}


# -- database ceilings ------------------------------------------------------------


def _insert_for(threads: int, seconds: float, connect: Callable[[], Callable[[], None]]) -> float:
    """Rows/s when ``threads`` threads each insert and commit one row at a time."""
    done = [0] * threads
    start = threading.Barrier(threads + 1)
    deadline = [0.0]

    def work(index: int) -> None:
        insert = connect()
        start.wait()
        while time.perf_counter() < deadline[0]:
            insert()
            done[index] += 1

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    deadline[0] = time.perf_counter() + seconds
    start.wait()
    for worker in workers:
        worker.join()
    return sum(done) / seconds


ROW = "x" * 1000


def postgres_ceiling(url: str, threads: int, seconds: float) -> float:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS ceiling (id bigserial PRIMARY KEY, body text NOT NULL)")

    def connect() -> Callable[[], None]:
        conn = psycopg.connect(conninfo)

        def insert() -> None:
            conn.execute("INSERT INTO ceiling (body) VALUES (%s)", (ROW,))
            conn.commit()

        return insert

    return _insert_for(threads, seconds, connect)


def sqlite_ceiling(path: str, threads: int, seconds: float) -> float:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS ceiling (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")

    def connect() -> Callable[[], None]:
        # The listener's own settings: WAL, synchronous=NORMAL, write lock taken up front.
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")

        def insert() -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO ceiling (body) VALUES (?)", (ROW,))
            conn.execute("COMMIT")

        return insert

    return _insert_for(threads, seconds, connect)


# -- databases under test -----------------------------------------------------------


@contextlib.contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    drop = text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
    with admin.connect() as conn:
        conn.execute(drop)
        conn.execute(text(f"CREATE DATABASE {BENCH_DATABASE}"))
    try:
        yield make_url(server_url).set(database=BENCH_DATABASE).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(drop)
        admin.dispose()


@contextlib.contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="opbridge-bench-") as directory:
        yield f"sqlite:///{directory}/ingest.db"


def migrate(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


# -- one backend ----------------------------------------------------------------------


def measure(backend: str, url: str, args: argparse.Namespace, log_dir: Path) -> dict[str, float]:
    migrate(url)
    env = {"OPBRIDGE_DATABASE_URL": url, "OPBRIDGE_WEBHOOK_SECRETS": SECRET, "OPBRIDGE_LOG_LEVEL": "WARNING"}
    gunicorn_args = ["-m", "gunicorn", "--config", "python:listener.gunicorn_conf", "--bind", "127.0.0.1:{port}", "wsgi:app"]
    meter = CpuMeter(url)
    # One gunicorn serves both phases, so the HTTP ceiling has the events' worker layout.
    with gunicorn(gunicorn_args, env, log_dir / f"gunicorn-{backend}.log") as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        load(port, healthz_request, args.clients, args.warmup)
        http, http_cpu = meter.measure(lambda: load(port, healthz_request, args.clients, args.seconds))
        # An event costs the server more than a /healthz, so the ceiling's rate bounds how many are sent.
        events = event_requests(int(1.5 * http.rate(200, args.seconds) * (args.warmup + args.seconds)) + args.clients)
        load(port, events, args.clients, args.warmup)
        ingest, ingest_cpu = meter.measure(lambda: load(port, events, args.clients, args.seconds))
    if backend == "postgresql":
        database = postgres_ceiling(url, args.clients, args.seconds)
    else:
        database = sqlite_ceiling(make_url(url).database, args.clients, args.seconds)
    result = {
        "accepted": ingest.rate(202, args.seconds),
        "refused": sum(n for status, n in ingest.statuses.items() if status != 202) / args.seconds,
        "p50": ingest.percentile_ms(0.50),
        "p99": ingest.percentile_ms(0.99),
        "http": http.rate(200, args.seconds),
        "database": database,
        **_per_request("healthz", http_cpu, sum(http.statuses.values())),
        **_per_request("event", ingest_cpu, sum(ingest.statuses.values())),
    }
    result["share"] = result["accepted"] / min(result["http"], result["database"])
    print(f"{backend}: " + ", ".join(f"{key} {value:.2f}" for key, value in result.items()), flush=True)
    return result


def _per_request(phase: str, cpu: dict[str, float], requests: int) -> dict[str, float]:
    """Milliseconds of CPU per request for each part, e.g. ``event_gunicorn_ms``."""
    return {f"{phase}_{part}_ms": 1000 * seconds / max(requests, 1) for part, seconds in cpu.items()}


# -- report ---------------------------------------------------------------------------


def _span(runs: list[dict[str, float]], key: str, scale: float = 1, digits: int = 0) -> str:
    """A figure over repeated runs: the value, or ``low–high`` when they differ."""
    low, high = (f"{scale * value:.{digits}f}" for value in (min(r[key] for r in runs), max(r[key] for r in runs)))
    return low if low == high else f"{low}–{high}"


def _cpu(runs: list[dict[str, float]], phase: str) -> str:
    parts = [("gunicorn", "gunicorn"), ("database", "PostgreSQL backends"), ("client", "load generator")]
    return ", ".join(f"{label} {_span(runs, f'{phase}_{part}_ms', digits=2)}" for part, label in parts
                     if any(r[f"{phase}_{part}_ms"] for r in runs))


def _total_cpu(run: dict[str, float], phase: str) -> float:
    return sum(run[f"{phase}_{part}_ms"] for part in ("gunicorn", "database", "client"))


def _cpu_bound(runs: list[dict[str, float]]) -> str:
    """The share a CPU-bound server can reach: a /healthz's CPU over an event's, per run."""
    return _span([{"bound": _total_cpu(r, "healthz") / _total_cpu(r, "event")} for r in runs], "bound", 100)


def section(results: dict[str, list[dict[str, float]]], args: argparse.Namespace) -> str:
    workers, threads = layout()
    cores = len(os.sched_getaffinity(0))
    rows = "\n".join(
        f"| {backend} | {_span(runs, 'accepted')} | {_span(runs, 'p50', digits=1)} | {_span(runs, 'p99', digits=1)} "
        f"| {_span(runs, 'http')} | {_span(runs, 'database')} | {_span(runs, 'share', 100)} % |"
        for backend, runs in results.items()
    )
    cpu = "\n".join(
        f"- {backend}: an event {_cpu(runs, 'event')}; a `/healthz` {_cpu(runs, 'healthz')}."
        for backend, runs in results.items()
    )
    refused = max(r["refused"] for runs in results.values() for r in runs)
    repeats = f" --repeat {args.repeat}" if args.repeat > 1 else ""
    return f"""{HEADING}

`bench/ingest.py --seconds {args.seconds:g}{repeats}`, {time.strftime('%Y-%m-%d')}. Machine: {machine()}.
gunicorn with `listener/gunicorn_conf.py` ({workers} gthread workers x {threads} threads), {args.clients} concurrent
keep-alive clients (one asyncio process on the same machine). Each event is an `invoice.paid` renewal of its
own domain, signed before the phase starts: HMAC check, marshmallow validation, one event row and one command,
in a transaction shared with the other events the worker holds at that moment (group commit).
The HTTP ceiling is the same gunicorn, in the same run, answering `GET /healthz`; the database ceiling is a
single-row INSERT + COMMIT of a 1 KB row from {args.clients} threads (psycopg for PostgreSQL, sqlite3 with the
listener's WAL settings for SQLite). Target: accepted events/s at least 70 % of the lower ceiling.
Ranges are the lowest and highest of {args.repeat} run(s).

| backend | accepted events/s | p50 ms | p99 ms | HTTP ceiling req/s | database ceiling rows/s | ingest / lower ceiling |
|---|---|---|---|---|---|---|
{rows}

Refused during the run: at most {refused:.1f}/s (should be 0). Load generator, gunicorn and database share
the same {cores} cores, so every figure is lower than on separate machines. CPU milliseconds per request,
from /proc for the gunicorn master and workers and for the PostgreSQL backends of the bench database:

{cpu}

Where the gap to 70 % is. Both phases keep the cores saturated, so ingest / HTTP ceiling can be no
higher than the CPU a `/healthz` costs over the CPU an event costs, wherever the time goes:
{", ".join(f"{backend} {_cpu_bound(runs)} %" for backend, runs in results.items())} in these runs. 70 % would
need an event to cost no more than about 1.4 times a `/healthz`. Group commit spreads a transaction's
fixed cost (on PostgreSQL seven round trips: pre-ping, BEGIN, events, aggregate locks, commands,
NOTIFY, COMMIT) over the events a worker holds, about eight with {threads} threads; what remains is each
event's own Python. Sampled through the WSGI app without gunicorn on PostgreSQL, about 45 % of it is
SQLAlchemy and psycopg building multi-row statements plus the odd transaction of a lone event, 20 %
Flask, 8 % marshmallow, the rest the HMAC check, JSON and the hand-offs between threads. Everything
else per request is gunicorn's gthread loop, the access log line and the kernel's loopback TCP, which
cost about as much as a whole `/healthz`. The machine was also shared with other jobs (see the load
average), which took cores from all three processes; the accepted rate, not the CPU per event,
carries that noise.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="measured seconds per phase (default 30)")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured seconds before each HTTP phase")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help=f"a server URL; the bench creates and drops the database {BENCH_DATABASE} there")
    parser.add_argument("--backends", nargs="+", default=["postgresql", "sqlite"], choices=["postgresql", "sqlite"])
    parser.add_argument("--repeat", type=int, default=1, help="runs per backend; the report gives ranges")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    if args.warmup + args.seconds > SIGNED_AHEAD_SECONDS:
        parser.error(f"events are signed ahead, so a phase may last at most {SIGNED_AHEAD_SECONDS} s with its warm-up")
    results: dict[str, list[dict[str, float]]] = {backend: [] for backend in args.backends}
    with tempfile.TemporaryDirectory(prefix="opbridge-bench-logs-") as logs:
        for _ in range(args.repeat):
            for backend in args.backends:
                databases = postgres_database(args.postgres_url) if backend == "postgresql" else sqlite_database()
                with databases as url:
                    results[backend].append(measure(backend, url, args, Path(logs)))
    text = section(results, args)
    print(text)
    if not args.no_write:
        write_section(HEADING, text)


if __name__ == "__main__":
    main()
