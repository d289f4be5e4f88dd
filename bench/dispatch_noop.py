"""Benchmark: drain no-op commands with real worker processes, and pgqueuer as a reference.

Enqueues COMMANDS `noop` commands spread round-robin over DOMAINS aggregate keys, then
drains them with 1 and 4 worker processes (each an `outbox.worker.Worker` with the
default registry) on SQLite and PostgreSQL. Every drain gets a fresh database. The
clock runs from the moment all workers are released by a start barrier until the last
command is done (its `finished_at`, or pgqueuer's log entry). After each drain it checks
that every command is done exactly once and that each domain's commands finished in
enqueue order. The same drain with pgqueuer on the same PostgreSQL server gives the
ratio the issue asks about. Results replace the `## Dispatch (no-op)` section of
docs/benchmarks.md.

Usage: python bench/dispatch_noop.py [--processes 1,4] [--backends sqlite,postgresql] ...
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import dataclasses
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from outbox.db import make_engine, upgrade
from outbox.models import DONE, PENDING, RUNNING, Attempt, Command
from outbox.store import Outbox
from outbox.values import NewCommand
from report import cpu_model, machine_and_command, memory_gib, write_section

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
NOOP_WORKER = str(BENCH / "noop_worker.py")
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# Other benchmarks use the same server at the same time: a name of this run's own
# means the drop at the end can only ever hit a database this run created.
DATABASE_NAME = f"opbridge_bench_noop_{os.getpid()}"
SECTION = "## Dispatch (no-op)"
ENQUEUE_BATCH = 500
POLL_SECONDS = 0.5  # the drain time comes from finished_at; polling only costs the workers CPU
DRAIN_TIMEOUT_SECONDS = 1800
# The PostgreSQL server is shared: when it has no free connection, wait and start over.
START_TRIES = 5
START_RETRY_SECONDS = 30
TOO_MANY_CONNECTIONS = "53300"
PR_SET_PDEATHSIG = 1


class VerificationFailed(Exception):
    """A drain finished but left the queue in a state it must never reach."""


class NotStarted(RuntimeError):
    """A worker gave up before the start barrier, e.g. the shared server had no free connection."""


def server_was_full(error: Exception) -> bool:
    """Whether the drain never really ran: PostgreSQL refused a connection (SQLSTATE 53300)."""
    driver_error = getattr(error, "orig", error)
    return isinstance(error, NotStarted) or getattr(driver_error, "sqlstate", None) == TOO_MANY_CONNECTIONS


@dataclasses.dataclass(frozen=True)
class Drain:
    queue: str
    backend: str
    processes: int
    commands: int
    seconds: float
    peak_rss_kib: int
    order: str
    failure: str = ""
    worker_cpu_seconds: float = 0.0
    server_cpu_seconds: float | None = None  # PostgreSQL's backends; SQLite runs inside the workers

    @property
    def rate(self) -> float:
        return self.commands / self.seconds

    def cpu_ms(self, seconds: float | None) -> str:
        return "" if seconds is None else f"{seconds * 1000 / self.commands:.3f}"


# -- worker processes --------------------------------------------------------


def die_with_parent() -> None:
    # Runs in the child before exec: even a SIGKILLed benchmark leaves no worker behind.
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class WorkerProcesses:
    """Worker processes that start draining together; none outlives the `with` block."""

    def __init__(self, command: list[str], count: int) -> None:
        self.command = command  # what the interpreter runs: a script and its arguments
        self.count = count
        self.processes: list[subprocess.Popen] = []
        self.logs: list = []

    def __enter__(self) -> WorkerProcesses:
        try:
            for _ in range(self.count):
                self.processes.append(self._start())
            for process in self.processes:
                if process.stdout.readline().strip() != "ready":
                    raise NotStarted(f"a worker exited before it was ready: {self._last_error(process)}")
        except BaseException:
            self._kill()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self._kill()

    def _start(self) -> subprocess.Popen:
        log = tempfile.TemporaryFile("w+")  # a file, not a pipe: a chatty worker must never block on it
        self.logs.append(log)
        return subprocess.Popen(
            [sys.executable, *self.command],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
            preexec_fn=die_with_parent,
        )

    def release(self) -> float:
        """Let every worker start; returns the wall-clock time it happened."""
        started = time.time()
        for process in self.processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        return started

    def check_alive(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"a worker exited during the drain: {self._last_error(process)}")

    def stop(self) -> tuple[int, float]:
        """SIGTERM all, wait; the largest peak RSS (KiB) and the CPU seconds all used since release."""
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        usages = []
        for process in self.processes:
            output, _ = process.communicate(timeout=60)
            usages.append(json.loads(output.strip().splitlines()[-1]))
        return max(usage["peak_rss_kib"] for usage in usages), sum(usage["cpu_seconds"] for usage in usages)

    def _last_error(self, process: subprocess.Popen) -> str:
        log = self.logs[self.processes.index(process)]
        log.seek(0)
        lines = log.read().strip().splitlines()
        return lines[-1] if lines else f"exit code {process.wait()}"

    def _kill(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait()
        for log in self.logs:
            log.close()


def wait_until_drained(is_drained: Callable[[], bool], workers: WorkerProcesses) -> None:
    deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
    while not is_drained():
        workers.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"the queue was not drained within {DRAIN_TIMEOUT_SECONDS} s")
        time.sleep(POLL_SECONDS)


# -- databases ---------------------------------------------------------------


@contextlib.contextmanager
def fresh_postgres_database(server_url: str, name: str = DATABASE_NAME) -> Iterator[str]:
    """A new, empty database on the server, dropped afterwards; yields its URL."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    drop = text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # also what a killed run left
    try:
        with admin.connect() as conn:
            conn.execute(drop)
            conn.execute(text(f"CREATE DATABASE {name}"))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(drop)
        admin.dispose()


@contextlib.contextmanager
def fresh_database(backend: str, server_url: str, name: str = DATABASE_NAME) -> Iterator[str]:
    """A new, empty database (PostgreSQL on the server, or a SQLite file), removed afterwards."""
    if backend == "postgresql":
        with fresh_postgres_database(server_url, name) as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="opbridge-bench-") as directory:
        yield f"sqlite:///{directory}/outbox.db"


def libpq_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def vacuum_analyze(url: str) -> None:
    # Autovacuum would analyze the freshly loaded tables at some random point of the
    # drain; doing it first gives both queues the same settled planner statistics.
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def reader(url: str) -> Engine:
    # A plain engine: make_engine's SQLite BEGIN IMMEDIATE would make every poll a writer.
    return create_engine(url)


def backend_cpu_seconds(engine: Engine) -> dict[int, float]:
    """CPU used so far by each PostgreSQL backend of this database but the caller's own."""
    with engine.connect() as conn:
        pids = conn.scalars(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )).all()
    used = {}
    for pid in pids:
        with contextlib.suppress(FileNotFoundError):  # a backend may exit meanwhile
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return used


def server_cpu_during(engine: Engine, before: dict[int, float]) -> float:
    after = backend_cpu_seconds(engine)
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)


# -- opbridge ----------------------------------------------------------------


def domain_of(number: int, domains: int) -> str:
    return f"d{number % domains}.example"


def enqueue_commands(url: str, count: int, domains: int) -> None:
    engine = make_engine(url)
    outbox = Outbox(engine)
    batch = [NewCommand("noop", domain_of(i, domains), {"seq": i}) for i in range(count)]
    for start in range(0, count, ENQUEUE_BATCH):
        outbox.enqueue(None, batch[start:start + ENQUEUE_BATCH])
    engine.dispose()


def drain_opbridge(backend: str, args: argparse.Namespace, processes: int) -> Drain:
    with fresh_database(backend, args.postgres_url) as url:
        upgrade_schema(url)
        enqueue_commands(url, args.commands, args.domains)
        if backend == "postgresql":
            vacuum_analyze(url)
        engine = reader(url)
        try:
            nothing_left(engine)  # opens the polling connection before the workers take theirs
            with WorkerProcesses([NOOP_WORKER, "opbridge", url, str(args.threads)], processes) as workers:
                server_before = backend_cpu_seconds(engine) if backend == "postgresql" else None
                started = workers.release()
                wait_until_drained(lambda: nothing_left(engine), workers)
                server = server_cpu_during(engine, server_before) if server_before is not None else None
                peak, worker_cpu = workers.stop()
            finished = last_finished_at(engine)
            verify_opbridge(engine, args.commands)
        finally:
            engine.dispose()
    return Drain("opbridge", backend, processes, args.commands, finished - started, peak, "kept",
                 worker_cpu_seconds=worker_cpu, server_cpu_seconds=server)


def upgrade_schema(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


def nothing_left(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.scalar(select(Command.id).where(Command.status.in_((PENDING, RUNNING))).limit(1)) is None


def last_finished_at(engine: Engine) -> float:
    with engine.connect() as conn:
        finished: datetime = conn.scalar(select(func.max(Command.finished_at)))
    return finished.replace(tzinfo=timezone.utc).timestamp()  # stored as naive UTC


def verify_opbridge(engine: Engine, expected: int) -> None:
    with engine.connect() as conn:
        statuses = conn.execute(
            select(Command.status, func.count(), func.min(Command.attempts), func.max(Command.attempts))
            .group_by(Command.status)
        ).all()
        tries = conn.execute(
            select(Attempt.outcome, func.count(), func.count(Attempt.command_id.distinct())).group_by(Attempt.outcome)
        ).all()
        finish_order = conn.execute(
            select(Command.aggregate_key, Attempt.command_id).join(Command, Command.id == Attempt.command_id)
            .order_by(Attempt.id)
        ).all()
    if [tuple(row) for row in statuses] != [(DONE, expected, 1, 1)]:
        raise VerificationFailed(f"expected {expected} commands done after one attempt each, got {statuses}")
    if [tuple(row) for row in tries] != [("done", expected, expected)]:
        raise VerificationFailed(f"expected one successful attempt per command, got {tries}")
    disordered = domains_out_of_order(finish_order)
    if disordered:
        raise VerificationFailed(f"{disordered} domains finished out of enqueue order")


def domains_out_of_order(finish_order: list[tuple[str, int]]) -> int:
    """Domains whose command ids, in the order they finished, are not ascending."""
    finished_ids: dict[str, list[int]] = defaultdict(list)
    for domain, command_id in finish_order:
        finished_ids[domain].append(command_id)
    return sum(ids != sorted(ids) for ids in finished_ids.values())


# -- pgqueuer ----------------------------------------------------------------


async def prepare_pgqueuer(dsn: str, count: int, domains: int) -> dict[int, str]:
    """Install pgqueuer's schema and enqueue the jobs; returns job id -> domain."""
    import psycopg
    from pgqueuer import Queries

    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        queries = Queries.from_psycopg_connection(connection)
        await queries.install()
        domain_by_job = {}
        for start in range(0, count, ENQUEUE_BATCH):
            numbers = range(start, min(start + ENQUEUE_BATCH, count))
            payloads = [domain_of(i, domains).encode() for i in numbers]
            ids = await queries.enqueue(["noop"] * len(payloads), payloads, [0] * len(payloads))
            domain_by_job.update(zip(ids, (payload.decode() for payload in payloads)))
    return domain_by_job


def drain_pgqueuer(args: argparse.Namespace, processes: int) -> Drain:
    with fresh_postgres_database(args.postgres_url) as url:
        dsn = libpq_dsn(url)
        domain_by_job = asyncio.run(prepare_pgqueuer(dsn, args.commands, args.domains))
        vacuum_analyze(url)
        engine = reader(url)
        try:
            pgqueuer_empty(engine)  # opens the polling connection before the workers take theirs
            with WorkerProcesses([NOOP_WORKER, "pgqueuer", dsn], processes) as workers:
                server_before = backend_cpu_seconds(engine)
                started = workers.release()
                wait_until_drained(lambda: pgqueuer_empty(engine), workers)
                server = server_cpu_during(engine, server_before)
                peak, worker_cpu = workers.stop()
            finished, finish_order = pgqueuer_log(engine)
        finally:
            engine.dispose()
    verify_pgqueuer(finish_order, domain_by_job)
    disordered = domains_out_of_order([(domain_by_job[job], job) for job in finish_order])
    order = f"not guaranteed (this run: {disordered} of {args.domains} domains finished out of order)"
    return Drain("pgqueuer", "postgresql", processes, args.commands, finished - started, peak, order,
                 worker_cpu_seconds=worker_cpu, server_cpu_seconds=server)


def pgqueuer_empty(engine: Engine) -> bool:
    # A job leaves pgqueuer's queue table only when its outcome is logged.
    with engine.connect() as conn:
        return conn.scalar(text("SELECT NOT EXISTS (SELECT 1 FROM pgqueuer)"))


def pgqueuer_log(engine: Engine) -> tuple[float, list[int]]:
    """The time the last job was logged done, and job ids in the order they were logged."""
    with engine.connect() as conn:
        finished = conn.scalar(text("SELECT extract(epoch FROM max(created)) FROM pgqueuer_log"))
        finish_order = conn.scalars(text("SELECT job_id FROM pgqueuer_log WHERE status = 'successful' ORDER BY id"))
        return float(finished), list(finish_order)


def verify_pgqueuer(finish_order: list[int], domain_by_job: dict[int, str]) -> None:
    if len(finish_order) != len(domain_by_job) or set(finish_order) != set(domain_by_job):
        raise VerificationFailed(
            f"expected each of {len(domain_by_job)} jobs to succeed once, got {len(finish_order)} successes "
            f"for {len(set(finish_order))} jobs"
        )


# -- report ------------------------------------------------------------------


def machine_description(server_version: str | None, code: str) -> list[str]:
    lines = [
        f"- CPUs: {os.cpu_count()} x {cpu_model()}, memory {memory_gib():.1f} GiB",
        f"- Python {platform.python_version()}, SQLAlchemy {version('sqlalchemy')}, psycopg {version('psycopg')}, "
        f"SQLite {sqlite3.sqlite_version}",
    ]
    if server_version:
        lines.append(f"- PostgreSQL {server_version}")
    lines.append(f"- code: {code}")
    lines.append(f"- run ended {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; load average (1, 5, 15 min) "
                 f"{', '.join(f'{load:.1f}' for load in os.getloadavg())} (the machine is shared)")
    return lines


def code_version() -> str:
    """The commit measured, and whether the queue's code differed from it."""
    def git(*arguments: str) -> str:
        return subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    changed = git("status", "--porcelain", "--", "outbox").splitlines()
    note = f", with uncommitted changes to {len(changed)} file(s) under outbox/" if changed else ""
    return f"commit {git('rev-parse', '--short', 'HEAD')}{note}"


def postgres_version(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as conn:
        server_version = conn.scalar(text("SHOW server_version"))
    engine.dispose()
    return server_version


def results_table(drains: list[Drain]) -> list[str]:
    lines = [
        "| queue | backend | processes | commands/s | drain (s) | worker CPU ms/command "
        "| PostgreSQL CPU ms/command | peak worker RSS (MiB) | per-domain order |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for drain in drains:
        if drain.failure:
            lines.append(f"| {drain.queue} | {drain.backend} | {drain.processes} | failed: {drain.failure} | | | | | |")
            continue
        lines.append(
            f"| {drain.queue} | {drain.backend} | {drain.processes} | {drain.rate:,.0f} | {drain.seconds:.2f} "
            f"| {drain.cpu_ms(drain.worker_cpu_seconds)} | {drain.cpu_ms(drain.server_cpu_seconds)} "
            f"| {drain.peak_rss_kib / 1024:.0f} | {drain.order} |"
        )
    return lines


def ratio_lines(drains: list[Drain]) -> list[str]:
    rates = {(drain.queue, drain.backend, drain.processes): drain.rate for drain in drains if not drain.failure}
    lines = []
    for (queue, _, processes), reference in rates.items():
        ours = rates.get(("opbridge", "postgresql", processes))
        if queue == "pgqueuer" and ours:
            lines.append(
                f"- {processes} process{'es' if processes > 1 else ''}: opbridge / pgqueuer = **{ours / reference:.2f}x** "
                "(pgqueuer does not keep per-domain order; opbridge does)"
            )
    return lines


def method(args: argparse.Namespace) -> str:
    reference = (
        f"; pgqueuer {version('pgqueuer')} consumers (`PgQueuer.run()` defaults as `pgq run` uses them: batch size 10, "
        "no concurrency cap, durable tables, uvloop, psycopg driver) on the same PostgreSQL server"
    )
    return (
        f"{args.commands:,} `noop` commands spread round-robin over {args.domains:,} domains (aggregate keys), "
        f"drained by real worker processes: opbridge's `Worker` with the default registry and {args.threads} threads "
        f"per process{'' if args.skip_pgqueuer else reference}. "
        "Each drain starts from a fresh database; PostgreSQL tables get `VACUUM ANALYZE` after loading. "
        "Commands/s run from releasing all workers at a start barrier (interpreter start-up and connecting "
        "excluded) to the last command done (`finished_at`; for pgqueuer its log entry). "
        "Every opbridge drain is checked: all commands `done` after exactly one attempt, and each domain's "
        "commands finished in enqueue order. Peak RSS is the largest VmHWM among the drain's workers. "
        "Worker CPU is what all of a drain's worker processes used from their release to their exit; PostgreSQL "
        "CPU is what the database's backends used from the release to the end of the drain (from /proc, the "
        "benchmark's own polling connection left out); both divided by the commands. Unlike the rates, these "
        "hardly move when other jobs share the machine. opbridge's worker leases a batch of at least 32 "
        "commands per round (one statement on PostgreSQL that also records the last round's successes); "
        "pgqueuer dequeues 10 at a time."
    )


def section(drains: list[Drain], args: argparse.Namespace, server_version: str | None, code: str) -> str:
    lines = [SECTION, "", method(args), "", *results_table(drains), ""]
    ratios = ratio_lines(drains)
    if ratios:
        lines += ["Ratio on PostgreSQL (target: at least 1.0x with 4 processes):", "", *ratios, ""]
    lines += machine_and_command(machine_description(server_version, code))
    return "\n".join(lines)


# -- main --------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    def numbers(value: str) -> list[int]:
        return [int(part) for part in value.split(",")]

    def names(value: str) -> list[str]:
        chosen = value.split(",")
        unknown = set(chosen) - {"sqlite", "postgresql"}
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown backend(s): {', '.join(sorted(unknown))}")
        return chosen

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=20_000)
    parser.add_argument("--domains", type=int, default=1_000)
    parser.add_argument("--threads", type=int, default=8, help="threads per opbridge worker process")
    parser.add_argument("--processes", type=numbers, default=[1, 4], help="comma-separated, e.g. 1,4")
    parser.add_argument("--backends", type=names, default=["sqlite", "postgresql"])
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help="a server URL with rights to create (and drop) a database for the run")
    parser.add_argument("--skip-pgqueuer", action="store_true")
    parser.add_argument("--output", type=Path, help="markdown file whose dispatch section is replaced")
    return parser.parse_args()


def run_all(args: argparse.Namespace) -> list[Drain]:
    drains = []
    for backend in args.backends:
        for processes in args.processes:
            drains.append(report(attempt("opbridge", backend, processes, args.commands,
                                         lambda: drain_opbridge(backend, args, processes))))
    if not args.skip_pgqueuer:
        for processes in args.processes:
            drains.append(report(attempt("pgqueuer", "postgresql", processes, args.commands,
                                         lambda: drain_pgqueuer(args, processes))))
    return drains


def attempt(queue: str, backend: str, processes: int, commands: int, drain: Callable[[], Drain]) -> Drain:
    """Run one drain; a drain that fails is a result to report, not a reason to skip the rest."""
    for remaining in reversed(range(START_TRIES)):
        try:
            return drain()
        except Exception as error:  # noqa: BLE001 - the figures of the other drains still count
            if not (remaining and server_was_full(error)):
                return failed(queue, backend, processes, commands, error)
            print(f"{queue} {backend} {processes} proc: the server is full; trying again", flush=True)
            time.sleep(START_RETRY_SECONDS)


def failed(queue: str, backend: str, processes: int, commands: int, error: Exception) -> Drain:
    reason = str(error).strip().splitlines()[0]
    return Drain(queue, backend, processes, commands, 0.0, 0, "", failure=f"{type(error).__name__}: {reason}")


def report(drain: Drain) -> Drain:
    if drain.failure:
        print(f"{drain.queue:9} {drain.backend:10} {drain.processes} proc: FAILED: {drain.failure}", flush=True)
        return drain
    print(
        f"{drain.queue:9} {drain.backend:10} {drain.processes} proc: {drain.rate:8,.0f} commands/s "
        f"({drain.seconds:.2f} s), CPU ms/command worker {drain.cpu_ms(drain.worker_cpu_seconds)} "
        f"server {drain.cpu_ms(drain.server_cpu_seconds) or '-'}, peak RSS {drain.peak_rss_kib / 1024:.0f} MiB, "
        f"order {drain.order}",
        flush=True,
    )
    return drain


def main() -> None:
    # SIGTERM unwinds like Ctrl-C, so workers are killed and the database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    args = parse_args()
    uses_postgres = "postgresql" in args.backends or not args.skip_pgqueuer
    # Asked first: a server that cannot be reached should stop the run before the long drains.
    server_version = postgres_version(args.postgres_url) if uses_postgres else None
    # Taken before the drains: workers import the tree as it is when they start.
    code = code_version()
    drains = run_all(args)
    ratios = ratio_lines(drains)
    if ratios:
        print("\n".join(ratios))
    if args.output:
        write_section(SECTION, section(drains, args, server_version, code), args.output)


if __name__ == "__main__":
    main()
