"""Scale benchmark: what a big table costs the queue, each case beside an empty table in one run.

PostgreSQL. Every case gets a fresh database; the big one is loaded with SQL
(generate_series), with queue rows and tallies as the store keeps them, then VACUUM
ANALYZE (what autovacuum would have done by then) and a CHECKPOINT (so that the load's
own dirty pages are not written during the drain), on the small one as on the big one.

* ``drain``: 5,000 runnable no-op commands over 1,000 domains drained by one in-process
  loop of worker rounds (``Outbox.complete_and_claim``, 64 a round, the successes of one
  round recorded by the next), on an empty table and beside each backlog of issue 13:
  1,000,000 done commands (on other domains, then on the drain's own among 99,000 others);
  100,000 pending backed off an hour (one per domain, as after an outage); 50,000 pending
  behind one domain whose head runs; both of the last two at 50,000 each. Then the idle
  round: a claim with nothing runnable. Each drain's WAL is read back from the server's
  WAL files (pg_waldump) and counted for its database alone.
* ``worker``: the drain from outside: a new worker process for each drain of 5,000
  commands, as an operator starts ``opbridge worker``, beside an empty table, 1,000,000
  done commands (other domains; the drain's own domains) and 1,000,000 done 40 days ago
  that ``opbridge purge`` removed; rate from the release and from the first claim, WAL
  and full-page images per command, every drain right after a checkpoint.
* ``reads``: the dashboard's pages (overview, workers, events, commands list, command
  page, and the dead and refused views), ``GET /metrics`` and ``/healthz``, whole answers
  through the app (Flask's test client: every layer but the socket) with 1,000,000 done
  commands, each with its event and its try: p50 and p95, and per request the statements
  run, pool checkouts, this process's CPU and the database backends' CPU; then the
  overview after 20,000 tries in the last hour. Also ``/metrics``'s collector, the
  overview's counts, and for reference the GROUP BY count they ran before.
* ``outside``: the same pages over HTTP from gunicorn as ``opbridge serve`` starts it
  (16 threads a worker, and 1), beside the test client's figure.
* ``purge``: 1,000,000 done commands (each with its event) finished 40 days ago, purged
  as ``opbridge purge`` runs it, in its own process, while this process drains batches
  of 5,000 commands; the same drain without a purge first.

Each part replaces its own ``## Scale: …`` section of docs/benchmarks.md.

    .venv/bin/python bench/scale.py --output docs/benchmarks.md
    .venv/bin/python bench/scale.py --parts reads,outside --output docs/benchmarks.md
"""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from typing import Any

import requests
from sqlalchemy import Engine, create_engine, event, func, select, text

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from dispatch_noop import (DEFAULT_POSTGRES_URL, NOOP_WORKER, WorkerProcesses, backend_cpu_seconds,  # noqa: E402
                           enqueue_commands, fresh_postgres_database, nothing_left, server_cpu_during,
                           vacuum_analyze, wait_until_drained)
from listener.dashboard import OPEN_AND_DEAD  # noqa: E402
from listener.metrics import QueueCollector  # noqa: E402
from outbox.db import make_engine, upgrade  # noqa: E402
from outbox.models import DEAD, Command  # noqa: E402
from listener import create_app  # noqa: E402
from core.settings import load_settings  # noqa: E402
from outbox.store import Outbox  # noqa: E402
from outbox.values import NewCommand, utcnow  # noqa: E402
from report import machine, machine_and_command, write_section  # noqa: E402
from dispatch_http import free_port  # noqa: E402

DATABASE_NAME = "opbridge_bench_scale"
RUNNABLE, DOMAINS, ROUND = 5_000, 1_000, 64
READS = 50
ADMIN_TOKEN = "bench-scale-admin-token"
DRAINS = 3



def load(url: str, sql: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in sql.split(";\n"):
            if statement.strip():
                conn.execute(text(statement))
    engine.dispose()


# Backlogs as the store would have left them: commands, their queue rows, their tallies.
DONE_ROWS = """
INSERT INTO commands (type, aggregate_key, payload, status, attempts, max_attempts, next_attempt_at,
                      state, created_at, updated_at, finished_at, event_id)
SELECT 'noop', 'old' || (g % 100000) || '.example', '{{}}', 'done', 1, 11, now() - interval '{age}',
       '{{}}', now() - interval '{age}', now() - interval '{age}', now() - interval '{age}', {event}
FROM generate_series(1, {n}) g;
INSERT INTO aggregate_locks (aggregate_key, enqueued, unfinished, version)
SELECT DISTINCT aggregate_key, 1, 0, 1 FROM commands WHERE aggregate_key LIKE 'old%%' ON CONFLICT DO NOTHING;
INSERT INTO command_tallies (status, type, slot, n) VALUES ('done', 'noop', 0, {n})
ON CONFLICT (status, type, slot) DO UPDATE SET n = command_tallies.n + excluded.n
"""
EVENTS = """
INSERT INTO events (webhook_id, type, received_at, body)
SELECT 'evt-' || g, 'test.event', now() - interval '{age}', '{{}}' FROM generate_series(1, {n}) g
"""
BACKED_OFF = """
INSERT INTO commands (type, aggregate_key, payload, status, attempts, max_attempts, next_attempt_at,
                      state, created_at, updated_at)
SELECT 'noop', 'off' || g || '.example', '{{}}', 'pending', 1, 11, now() + interval '1 hour',
       '{{}}', now(), now() FROM generate_series(1, {n}) g;
INSERT INTO aggregate_locks (aggregate_key, enqueued, unfinished, ready_at, version)
SELECT 'off' || g || '.example', 1, 1, now() + interval '1 hour', 1 FROM generate_series(1, {n}) g;
INSERT INTO command_tallies (status, type, slot, n) VALUES ('pending', 'noop', 1, {n})
"""
BEHIND_ONE = """
INSERT INTO commands (type, aggregate_key, payload, status, attempts, max_attempts, next_attempt_at,
                      lease_owner, lease_expires_at, claimed_at, state, created_at, updated_at)
VALUES ('noop', 'hot.example', '{{}}', 'running', 1, 11, now(), 'elsewhere', now() + interval '1 day', now(),
        '{{}}', now(), now());
INSERT INTO commands (type, aggregate_key, payload, status, attempts, max_attempts, next_attempt_at,
                      state, created_at, updated_at)
SELECT 'noop', 'hot.example', '{{}}', 'pending', 0, 11, now(), '{{}}', now(), now() FROM generate_series(1, {n}) g;
INSERT INTO aggregate_locks (aggregate_key, enqueued, unfinished, ready_at, version)
VALUES ('hot.example', 1, {n} + 1, NULL, 1);
INSERT INTO command_tallies (status, type, slot, n) VALUES ('running', 'noop', 2, 1), ('pending', 'noop', 2, {n})
"""
# The same done commands over 100,000 domains among which are the 1,000 the drain works on.
OWN_DOMAINS = DONE_ROWS.replace("'old'", "'d'").replace("'old%%'", "'d%%'")
BACKLOGS = {
    "1,000,000 done commands": DONE_ROWS.format(n=1_000_000, age="1 day", event="NULL"),
    "1,000,000 done commands, 1,000 of their domains the drain's": OWN_DOMAINS.format(n=1_000_000, age="1 day", event="NULL"),
    "100,000 pending, backed off an hour": BACKED_OFF.format(n=100_000),
    "50,000 pending behind one domain whose head is running": BEHIND_ONE.format(n=50_000),
    "both: 50,000 backed off and 50,000 behind one domain": BACKED_OFF.format(n=50_000) + ";\n" + BEHIND_ONE.format(n=50_000),
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def enqueue_runnable(outbox: Outbox, count: int = RUNNABLE) -> None:
    commands = [NewCommand("noop", f"d{i % DOMAINS}.example", {}) for i in range(count)]
    for start in range(0, count, 500):
        outbox.enqueue_many([(None, commands[start:start + 500])])


def drain(outbox: Outbox, count: int = RUNNABLE) -> tuple[float, list[float]]:
    """Commands a second and each round's milliseconds, draining ``count`` runnable commands."""
    rounds, finished, done = [], [], 0
    started = time.perf_counter()
    while True:
        before = time.perf_counter()
        claimed = outbox.complete_and_claim("bench", finished, ROUND)
        rounds.append((time.perf_counter() - before) * 1000)
        done += len(finished)
        finished = [(command, None, None) for command in claimed]
        if not claimed and done >= count:
            break
    return count / (time.perf_counter() - started), rounds


def timed(call: Callable[[], object], times: int = READS) -> float:
    """p50 milliseconds of ``call``."""
    spent = []
    for _ in range(times):
        before = time.perf_counter()
        call()
        spent.append((time.perf_counter() - before) * 1000)
    return statistics.median(spent)


def prepared(url: str, backlog: str | None) -> Outbox:
    upgrade(make_engine(url))
    if backlog:
        load(url, backlog)
    vacuum_analyze(url)
    # Otherwise the load's WAL sets off a checkpoint during the drain, and every page the
    # drain touches first afterwards is written whole: a cost of loading, not of the table.
    load(url, "CHECKPOINT")
    return Outbox(make_engine(url))


WALDUMP = Path("/usr/lib/postgresql/15/bin/pg_waldump")
WAL_SLOT = "opbridge_bench_scale"  # holds the drain's WAL until it is read, whatever checkpoints others force
STATS_FLUSH_SECONDS = 1.2
WAL_RECORD = re.compile(r"len \(rec/tot\):\s*\d+/\s*(\d+).*?rel \d+/(\d+)/(\d+)")


class WalCounter:
    """WAL a database wrote between two moments: bytes, full-page images and records, by relation.

    Read back from the server's own WAL with pg_waldump (same machine, its files readable),
    counting only this database's records: the server is shared, and pg_stat_wal counts
    every database's. Checkpoints and the server's shared_buffers traffic come from
    pg_stat_bgwriter, which is the server's as a whole.
    """

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with self.engine.connect() as conn:
            self.database = conn.scalar(text("SELECT oid FROM pg_database WHERE datname = current_database()"))
            self.wal_dir = Path(conn.scalar(text("SHOW data_directory"))) / "pg_wal"
            self.names = {str(node): name for node, name in conn.execute(text(
                "SELECT pg_relation_filenode(oid), relname FROM pg_class WHERE pg_relation_filenode(oid) IS NOT NULL"))}
        self.readable = WALDUMP.exists() and os.access(self.wal_dir, os.R_OK)

    def __enter__(self) -> WalCounter:
        if self.readable:
            with self.engine.connect() as conn:
                conn.execute(text(f"SELECT pg_drop_replication_slot('{WAL_SLOT}') FROM pg_replication_slots "
                                  f"WHERE slot_name = '{WAL_SLOT}'"))  # what a killed run left
                conn.execute(text(f"SELECT pg_create_physical_replication_slot('{WAL_SLOT}', true)"))
        return self

    def __exit__(self, *_: object) -> None:
        if self.readable:
            with self.engine.connect() as conn:
                conn.execute(text(f"SELECT pg_drop_replication_slot('{WAL_SLOT}')"))
        self.engine.dispose()

    def snapshot(self) -> dict[str, Any]:
        # A backend reports its buffer counts at most once a second, and when idle or gone; wait for them
        # (the worker part's counts come after its worker exits; the in-process drain's connection stays).
        time.sleep(STATS_FLUSH_SECONDS)
        with self.engine.connect() as conn:
            row = conn.execute(text(
                "SELECT pg_current_wal_lsn()::text AS lsn, w.wal_bytes::bigint AS server_wal, w.wal_fpi AS server_fpi,"
                " b.checkpoints_timed + b.checkpoints_req AS checkpoints, d.blks_read AS blocks_read,"
                " d.blks_hit AS blocks_hit FROM pg_stat_wal w, pg_stat_bgwriter b, pg_stat_database d"
                " WHERE d.datname = current_database()")).mappings().one()
        return dict(row)

    def between(self, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
        """Counts from ``before`` to ``after``: this database's WAL (when readable) and the server's counters."""
        spent = {key: after[key] - before[key] for key in after if key != "lsn"}
        by_relation: dict[str, list[int]] = {}
        if self.readable:
            dump = subprocess.run([str(WALDUMP), "-p", str(self.wal_dir), "-s", before["lsn"], "-e", after["lsn"]],
                                  capture_output=True, text=True, check=False).stdout
            for line in dump.splitlines():
                found = WAL_RECORD.search(line)
                if found and int(found.group(2)) == self.database:
                    counts = by_relation.setdefault(self.names.get(found.group(3), found.group(3)), [0, 0])
                    counts[0] += int(found.group(1))
                    counts[1] += line.count("FPW")
            with self.engine.connect() as conn:
                conn.execute(text(f"SELECT pg_replication_slot_advance('{WAL_SLOT}', '{after['lsn']}')"))
        spent["wal"] = sum(counts[0] for counts in by_relation.values()) if self.readable else spent["server_wal"]
        spent["fpi"] = sum(counts[1] for counts in by_relation.values()) if self.readable else spent["server_fpi"]
        spent["by_relation"] = by_relation
        return spent


def drain_pair(server: str, backlog: str) -> tuple[dict[str, float], dict[str, float]]:
    """The empty table's figures and the backlog's, their drains taking turns so both see the same load."""
    with fresh_postgres_database(server, DATABASE_NAME + "_empty") as empty_url, \
            fresh_postgres_database(server, DATABASE_NAME + "_big") as big_url:
        outboxes = {"empty": prepared(empty_url, None), "big": prepared(big_url, backlog)}
        counters = {"empty": WalCounter(empty_url), "big": WalCounter(big_url)}
        rates: dict[str, list[float]] = {name: [] for name in outboxes}
        rounds: dict[str, list[float]] = {name: [] for name in outboxes}
        written: dict[str, list[dict[str, Any]]] = {name: [] for name in outboxes}
        for _ in range(DRAINS):
            for name, outbox in outboxes.items():
                enqueue_runnable(outbox)
                with counters[name] as wal:
                    before = wal.snapshot()
                    rate, spent = drain(outbox)
                    written[name].append(wal.between(before, wal.snapshot()))
                rates[name].append(rate)
                rounds[name] += spent
        figures = tuple(
            dict(rate=statistics.median(rates[name]), p50=percentile(rounds[name], 0.5),
                 p99=percentile(rounds[name], 0.99), idle=timed(lambda outbox=outbox: outbox.claim("idle", ROUND)),
                 wal=sum(w["wal"] for w in written[name]) / (DRAINS * RUNNABLE),
                 fpi=sum(w["fpi"] for w in written[name]) / (DRAINS * RUNNABLE),
                 checkpoints=sum(w["checkpoints"] for w in written[name]))
            for name, outbox in outboxes.items()
        )
        for outbox in outboxes.values():
            outbox.engine.dispose()
    return figures


def drain_rows(server: str) -> list[str]:
    rows = [f"Median drain rate of {DRAINS} drains each, the empty table's and the backlog's taking turns; "
            "round percentiles over all their rounds. WAL is this database's own, read back from the server's "
            "WAL (pg_waldump), per command drained; full-page images are pages written whole into the WAL, the "
            "first change of each page after a checkpoint; checkpoints are the server's during the drains "
            "(other databases' DROP DATABASE forces one).", "",
            "| table also holds | drain rate, empty → with backlog (ratio) | round p50 ms | round p99 ms | idle round p50 ms "
            "| WAL bytes / command | full-page images / command | checkpoints during |",
            "|---|---|---|---|---|---|---|---|"]
    for name, backlog in BACKLOGS.items():
        empty, big = drain_pair(server, backlog)
        print(name, empty, big, flush=True)
        rows.append(f"| {name} | {empty['rate']:,.0f} → {big['rate']:,.0f} /s (**{big['rate'] / empty['rate']:.2f}×**) "
                    f"| {empty['p50']:.1f} → {big['p50']:.1f} | {empty['p99']:.1f} → {big['p99']:.1f} "
                    f"| {empty['idle']:.1f} → {big['idle']:.1f} | {empty['wal']:,.0f} → {big['wal']:,.0f} "
                    f"| {empty['fpi']:.3f} → {big['fpi']:.3f} | {empty['checkpoints']} → {big['checkpoints']} |")
    return rows


# The dashboard pages held to 10 ms p50 with 1,000,000 done commands, and the other views of the list.
PAGES = {"overview": "/admin/", "workers": "/admin/workers", "events": "/admin/events",
         "commands": "/admin/commands", "command": "/admin/commands/{newest}"}
OTHER_PAGES = {"dead": "/admin/commands?status=dead", "refused": "/admin/events?show=refused"}
PAGE_PASSES, PAGE_READS = 4, 50  # each page read 50 times a pass, the pages taking turns
# Each done command's one try, as the worker wrote it (the chart of the last hour reads this table).
DONE_TRIES = """
INSERT INTO attempts (command_id, number, worker, started_at, duration_ms, outcome)
SELECT id, 1, 'bench', finished_at, 1, 'done' FROM commands WHERE status = 'done'
"""
# A busy hour: tries finishing through the last hour, the chart's input.
RECENT_TRIES = """
INSERT INTO attempts (command_id, number, worker, started_at, duration_ms, outcome)
SELECT (SELECT max(id) FROM commands), 2, 'bench',
       (now() AT TIME ZONE 'utc') - interval '3590 seconds' + g * interval '3580 seconds' / {n}, 1, 'done'
FROM generate_series(1, {n}) g
"""
RECENT = 20_000


class PageCounter:
    """What a request costs beside its wall time: statements, pool checkouts, this process's CPU, the server's."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.statements = self.checkouts = 0
        self.engine, self.reader = engine, create_engine(url)

        def statement(*_: object) -> None:
            self.statements += 1

        def checkout(*_: object) -> None:
            self.checkouts += 1  # each a ping, then BEGIN with the first statement, and a ROLLBACK when returned

        event.listen(engine, "before_cursor_execute", statement)
        event.listen(engine.pool, "checkout", checkout)

    def measure(self, pages: dict[str, Callable[[], None]]) -> dict[str, dict[str, float]]:
        spent: dict[str, list[float]] = {name: [] for name in pages}
        totals = {name: dict(statements=0, checkouts=0, cpu=0.0, server=0.0) for name in pages}
        for name, call in pages.items():
            for _ in range(5):
                call()  # warm: the template compiled, the statement cached, the pool filled
        for _ in range(PAGE_PASSES):
            for name, call in pages.items():
                statements, checkouts = self.statements, self.checkouts
                server, cpu = backend_cpu_seconds(self.reader), time.process_time()
                for _ in range(PAGE_READS):
                    before = time.perf_counter()
                    call()
                    spent[name].append((time.perf_counter() - before) * 1000)
                totals[name]["cpu"] += time.process_time() - cpu
                totals[name]["server"] += server_cpu_during(self.reader, server)
                totals[name]["statements"] += self.statements - statements
                totals[name]["checkouts"] += self.checkouts - checkouts
        reads = PAGE_PASSES * PAGE_READS
        return {name: dict(p50=statistics.median(spent[name]), p95=percentile(spent[name], 0.95),
                           statements=totals[name]["statements"] / reads, checkouts=totals[name]["checkouts"] / reads,
                           cpu=totals[name]["cpu"] * 1000 / reads, server=totals[name]["server"] * 1000 / reads)
                for name in pages}


def page_reader(client: Any, path: str) -> Callable[[], None]:
    def read() -> None:
        answer = client.get(path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert answer.status_code == 200, (path, answer.status_code)
    return read


def read_case(server: str, backlog: str | None) -> dict[str, Any]:
    with fresh_postgres_database(server, DATABASE_NAME) as url:
        outbox = prepared(url, backlog)
        outbox.enqueue(None, [NewCommand("noop", "page.example", {})])  # so that the empty table has a command page
        newest = outbox.list_commands(limit=1)[0]["id"]
        collector = QueueCollector(outbox, outbox.engine)

        def full_count() -> None:
            with outbox.engine.connect() as conn:
                conn.execute(select(Command.status, func.count()).group_by(Command.status)).all()

        client = create_app(load_settings(environ={}, database_url=url, admin_tokens=ADMIN_TOKEN),
                            outbox.engine).test_client()
        counter = PageCounter(outbox.engine, url)
        pages = {name: page_reader(client, path.format(newest=newest)) for name, path in (PAGES | OTHER_PAGES).items()}
        figures: dict[str, Any] = dict(
            pages=counter.measure(pages | {"/metrics": page_reader(client, "/metrics"),
                                           "/healthz": page_reader(client, "/healthz")}),
            metrics=timed(lambda: list(collector.collect())),
            dashboard=timed(lambda: (outbox.counts(), outbox.counts_by_type(OPEN_AND_DEAD), outbox.list_commands(status=DEAD, limit=20))),
            full_count=timed(full_count, 10),
        )
        if backlog:  # and the overview again after a busy hour
            load(url, RECENT_TRIES.format(n=RECENT) + ";\nANALYZE attempts")
            figures["busy"] = counter.measure({"overview": pages["overview"]})["overview"]
        counter.reader.dispose()
        outbox.engine.dispose()
    return figures


def page_row(label: str, empty: dict[str, float], big: dict[str, float]) -> str:
    return (f"| {label} | {empty['p50']:.1f} / {empty['p95']:.1f} | **{big['p50']:.1f}** / {big['p95']:.1f} "
            f"| {big['statements']:.0f} / {big['checkouts']:.0f} | {big['cpu']:.1f} | {big['server']:.1f} |")


def read_rows(server: str) -> list[str]:
    # Each done command with its event and its try, as the worker leaves them.
    backlog = (EVENTS.format(n=1_000_000, age="1 day") + ";\n" + DONE_ROWS.format(n=1_000_000, age="1 day", event="g")
               + ";\n" + DONE_TRIES)
    empty, big = read_case(server, None), read_case(server, backlog)
    print("reads", empty, big, flush=True)
    labels = {name: f"`GET {path.format(newest='<id>')}`" for name, path in (PAGES | OTHER_PAGES).items()}
    labels |= {"/metrics": "`GET /metrics`", "/healthz": "`GET /healthz` (for scale: the app's least)"}
    busy = big["busy"]
    return ["Whole answers through the app (Flask's test client: every layer but the socket), "
            f"{PAGE_PASSES} passes of {PAGE_READS} reads each, the pages taking turns. Statements, pool checkouts, "
            "CPU of this process and of the database's backends are per request, with 1,000,000 done commands: "
            "they do not depend on the machine's load as the times do.", "",
            "| answer | empty table p50 / p95 ms | 1,000,000 done p50 / p95 ms | statements / checkouts | Python CPU ms | server CPU ms |",
            "|---|---:|---:|---:|---:|---:|",
            *(page_row(labels[name], empty["pages"][name], big["pages"][name]) for name in big["pages"]),
            f"| `GET /admin/` after {RECENT:,} tries in the last hour | | **{busy['p50']:.1f}** / {busy['p95']:.1f} "
            f"| {busy['statements']:.0f} / {busy['checkouts']:.0f} | {busy['cpu']:.1f} | {busy['server']:.1f} |",
            "", "| read | empty table p50 ms | 1,000,000 done p50 ms |", "|---|---:|---:|",
            f"| `/metrics` collector | {empty['metrics']:.1f} | **{big['metrics']:.1f}** |",
            f"| dashboard front page counts | {empty['dashboard']:.1f} | **{big['dashboard']:.1f}** |",
            f"| for reference: GROUP BY count of commands (as before) | {empty['full_count']:.1f} | {big['full_count']:.1f} |"]


def outside_case(url: str, threads: int, paths: dict[str, str]) -> dict[str, dict[str, float]]:
    """p50 and p95 ms of whole answers over HTTP from gunicorn as `opbridge serve` starts it (one keep-alive client)."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("OPBRIDGE_")} | {
        "OPBRIDGE_DATABASE_URL": url, "OPBRIDGE_ADMIN_TOKENS": ADMIN_TOKEN, "OPBRIDGE_LOG_LEVEL": "WARNING",
        "WEB_THREADS": str(threads)}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:listener.gunicorn_conf", "--bind",
                               f"127.0.0.1:{port}", "wsgi:app"], cwd=BENCH.parent, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    http, base = requests.Session(), f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if http.get(f"{base}/healthz", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)

        def get(path: str) -> None:
            assert http.get(base + path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10).ok, path

        spent: dict[str, list[float]] = {name: [] for name in paths}
        cpu = dict.fromkeys(paths, 0.0)
        for name, path in paths.items():
            for _ in range(5):
                get(path)  # every gunicorn worker the client reaches warmed
        workers = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        for _ in range(PAGE_PASSES):
            for name, path in paths.items():
                used = process_cpu_seconds(workers)
                for _ in range(PAGE_READS):
                    before = time.perf_counter()
                    get(path)
                    spent[name].append((time.perf_counter() - before) * 1000)
                cpu[name] += process_cpu_seconds(workers) - used
        return {name: dict(p50=statistics.median(values), p95=percentile(values, 0.95),
                           cpu=cpu[name] * 1000 / (PAGE_PASSES * PAGE_READS)) for name, values in spent.items()}
    finally:
        server.terminate()
        server.wait(30)


def process_cpu_seconds(pids: list[str]) -> float:
    """User and system CPU the processes used so far (gunicorn's workers, not its arbiter)."""
    used = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        used += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def outside_rows(server: str) -> list[str]:
    backlog = (EVENTS.format(n=1_000_000, age="1 day") + ";\n" + DONE_ROWS.format(n=1_000_000, age="1 day", event="g")
               + ";\n" + DONE_TRIES)
    with fresh_postgres_database(server, DATABASE_NAME) as url:
        outbox = prepared(url, backlog)
        newest = outbox.list_commands(limit=1)[0]["id"]
        paths = {"healthz": "/healthz"} | {name: path.format(newest=newest) for name, path in PAGES.items()}
        client = create_app(load_settings(environ={}, database_url=url, admin_tokens=ADMIN_TOKEN),
                            outbox.engine).test_client()
        inside = PageCounter(outbox.engine, url).measure({name: page_reader(client, path) for name, path in paths.items()})
        served = {threads: outside_case(url, threads, paths) for threads in (16, 1)}
        outbox.engine.dispose()
    print("outside", inside, served, flush=True)

    def cell(figures: dict[str, float]) -> str:
        return f"{figures['p50']:.1f} / {figures['p95']:.1f}"

    return ["p50 / p95 ms of 200 answers each (4 passes of 50, the pages taking turns), one keep-alive client; "
            "CPU ms per answer of the process that served it (this one in process, gunicorn's workers over HTTP), "
            "which the machine's load changes far less than the times.", "",
            "| answer, 1,000,000 done commands | in process (test client) | CPU ms | over HTTP, gunicorn 16 threads a worker (the default) | CPU ms | over HTTP, 1 thread a worker |",
            "|---|---:|---:|---:|---:|---:|",
            *(f"| `GET {path}` | {cell(inside[name])} | {inside[name]['cpu']:.1f} | **{cell(served[16][name])}** "
              f"| {served[16][name]['cpu']:.1f} | {cell(served[1][name])} |" for name, path in paths.items())]


PURGE = """
import sys, time
from outbox.db import make_engine
from outbox.store import Outbox
started = time.perf_counter()
removed = Outbox(make_engine(sys.argv[1])).purge(30)
print(removed, time.perf_counter() - started)
"""


def purge_rows(server: str, rows: int) -> list[str]:
    with fresh_postgres_database(server, DATABASE_NAME) as url:
        backlog = EVENTS.format(n=rows, age="40 days") + ";\n" + DONE_ROWS.format(n=rows, age="40 days", event="g")
        outbox = prepared(url, backlog)
        alone = []
        for _ in range(3):
            enqueue_runnable(outbox)
            alone.append(drain(outbox)[0])
        purge = subprocess.Popen([sys.executable, "-c", PURGE, url], stdout=subprocess.PIPE, text=True, cwd=BENCH.parent)
        beside = []
        while purge.poll() is None:
            enqueue_runnable(outbox)
            beside.append(drain(outbox)[0])
        removed, seconds = purge.communicate()[0].split()
        with outbox.engine.connect() as conn:
            left = conn.scalar(text("SELECT count(*) FROM events"))
        outbox.engine.dispose()
    print("purge", alone, beside, removed, seconds, left, flush=True)
    ratio = statistics.median(beside) / statistics.median(alone)
    return ["| purge of done commands | purge time | drain median alone → during purge (ratio) | events left |",
            "|---|---:|---|---:|",
            f"| {int(removed):,} (and their events) | **{float(seconds):.1f} s** | {statistics.median(alone):,.0f} → "
            f"{statistics.median(beside):,.0f} /s (**{ratio:.2f}×**, {len(beside)} drains) | {left} |"]


# From outside: `opbridge worker` as a process of its own, started for each drain as an
# operator starts one, its clock running from its release until the last command is done.
WORKER_RUNNABLE, WORKER_DRAINS, WORKER_THREADS = 5_000, 3, 8
WORKER_CASES = {
    "empty table": None,
    "1,000,000 done commands": EVENTS.format(n=1_000_000, age="1 day") + ";\n" + DONE_ROWS.format(n=1_000_000, age="1 day", event="g"),
    "1,000,000 done, 1,000 of their domains the drain's": (EVENTS.format(n=1_000_000, age="1 day") + ";\n"
                                                           + OWN_DOMAINS.format(n=1_000_000, age="1 day", event="g")),
    "1,000,000 done 40 days ago, purged on schedule": (EVENTS.format(n=1_000_000, age="40 days") + ";\n"
                                                       + DONE_ROWS.format(n=1_000_000, age="40 days", event="g")),
}
PURGED = "1,000,000 done 40 days ago, purged on schedule"


def worker_prepared(url: str, name: str, backlog: str | None) -> None:
    """Loaded, then as autovacuum leaves a table (VACUUM ANALYZE); the load's own dirty pages checkpointed."""
    prepared(url, backlog).engine.dispose()
    if name == PURGED:
        outbox = Outbox(make_engine(url))
        outbox.purge(30)  # as `opbridge purge` runs it, retention 30 days
        outbox.engine.dispose()
        vacuum_analyze(url)  # what autovacuum does after the purge
        load(url, "CHECKPOINT")


def worker_drain(url: str, wal: WalCounter) -> dict[str, Any]:
    """One drain of WORKER_RUNNABLE commands by a new worker process, right after a checkpoint."""
    enqueue_commands(url, WORKER_RUNNABLE, DOMAINS)
    engine = create_engine(url)
    try:
        nothing_left(engine)
        load(url, "CHECKPOINT")  # every drain pays the images of the pages it changes first, as after any checkpoint
        with WorkerProcesses([NOOP_WORKER, "opbridge", url, str(WORKER_THREADS)], 1) as workers:
            before, server_before = wal.snapshot(), backend_cpu_seconds(engine)
            started = workers.release()
            wait_until_drained(lambda: nothing_left(engine), workers)
            server_cpu = server_cpu_during(engine, server_before)
            _, worker_cpu = workers.stop()  # its connections closed: their counts reported
            written = wal.between(before, wal.snapshot())
        with engine.connect() as conn:
            first, last = conn.execute(text(
                "SELECT extract(epoch FROM min(started_at) AT TIME ZONE 'UTC')::float8,"
                " extract(epoch FROM max(c.finished_at) AT TIME ZONE 'UTC')::float8"
                " FROM attempts a JOIN commands c ON c.id = a.command_id"
                f" WHERE a.id > (SELECT max(id) - {WORKER_RUNNABLE} FROM attempts)")).one()
    finally:
        engine.dispose()
    return dict(rate=WORKER_RUNNABLE / (last - started), claimed=WORKER_RUNNABLE / (last - first),
                start_ms=(first - started) * 1000, server_us=server_cpu * 1e6 / WORKER_RUNNABLE,
                worker_us=worker_cpu * 1e6 / WORKER_RUNNABLE, **written)


def worker_rows(server: str) -> list[str]:
    names = list(WORKER_CASES)
    with contextlib.ExitStack() as stack:
        urls = {name: stack.enter_context(fresh_postgres_database(server, f"{DATABASE_NAME}_w{index}"))
                for index, name in enumerate(names)}
        for name in names:
            worker_prepared(urls[name], name, WORKER_CASES[name])
        counters = {name: WalCounter(urls[name]) for name in names}
        drains: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
        for _ in range(WORKER_DRAINS):
            for name in names:  # taking turns, so that every case sees the same load
                with counters[name] as wal:
                    drains[name].append(worker_drain(urls[name], wal))
                print(name, {key: value for key, value in drains[name][-1].items() if key != "by_relation"}, flush=True)
        sizes = relation_sizes(urls[names[2]])
    empty = statistics.median(d["rate"] for d in drains[names[0]])
    rows = [f"A new worker process (`outbox.worker.Worker`, {WORKER_THREADS} threads, as `opbridge worker` starts) "
            f"drains {WORKER_RUNNABLE:,} no-op commands over {DOMAINS:,} domains, {WORKER_DRAINS} drains a case, the "
            "cases taking turns; each drain starts right after a CHECKPOINT. Rate from the worker's release to the "
            "last command done (what an operator sees), and from its first claim; start-up is the time between. "
            "WAL, full-page images, blocks read from outside shared_buffers: this database's, per command.", "",
            "Server and worker CPU, buffers hit: per command, what the load changes least.", "",
            "| table also holds | rate from release (ratio to empty) | rate from first claim | start-up ms "
            "| server CPU µs / command | worker CPU µs / command | buffers hit / command "
            "| WAL bytes / command | full-page images / command | blocks read / drain |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name in names:
        runs = drains[name]
        rate = statistics.median(d["rate"] for d in runs)
        rows.append(f"| {name} | {rate:,.0f} /s (**{rate / empty:.2f}×**) "
                    f"| {statistics.median(d['claimed'] for d in runs):,.0f} /s "
                    f"| {statistics.median(d['start_ms'] for d in runs):.0f} "
                    f"| {statistics.median(d['server_us'] for d in runs):.0f} "
                    f"| {statistics.median(d['worker_us'] for d in runs):.0f} "
                    f"| {statistics.median(d['blocks_hit'] for d in runs) / WORKER_RUNNABLE:.0f} "
                    f"| {statistics.median(d['wal'] for d in runs) / WORKER_RUNNABLE:,.0f} "
                    f"| {statistics.median(d['fpi'] for d in runs) / WORKER_RUNNABLE:.3f} "
                    f"| {statistics.median(d['blocks_read'] for d in runs):,.0f} |")
    rows += ["", "Full-page images of one drain, by relation (median of its drains):", "",
             "| relation | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    relations = sorted({rel for name in names for d in drains[name] for rel in d["by_relation"]},
                       key=lambda rel: -max(statistics.median(d["by_relation"].get(rel, [0, 0])[1] for d in drains[name])
                                            for name in names))[:6]
    for rel in relations:
        rows.append(f"| {rel} | " + " | ".join(
            f"{statistics.median(d['by_relation'].get(rel, [0, 0])[1] for d in drains[name]):,.0f}" for name in names) + " |")
    rows += ["", f"Sizes with 1,000,000 done commands (shared_buffers {sizes.pop('shared_buffers')}):", "",
             "| relation | size |", "|---|---:|", *(f"| {rel} | {size} |" for rel, size in sizes.items())]
    return rows


def relation_sizes(url: str) -> dict[str, str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        sizes = {"shared_buffers": conn.scalar(text("SHOW shared_buffers"))} | dict(conn.execute(text(
            "SELECT relname, pg_size_pretty(pg_relation_size(oid)) FROM pg_class"
            " WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'i')"
            " ORDER BY pg_relation_size(oid) DESC LIMIT 10")).all())
    engine.dispose()
    return sizes


PARTS = {  # each part writes a section of its own, so that one can be run again alone
    "drain": ("## Scale: drain beside a backlog", drain_rows),
    "reads": ("## Scale: reads on a big table", read_rows),
    "purge": ("## Scale: purge beside a drain", purge_rows),
    "outside": ("## Scale: the dashboard from outside", outside_rows),
    "worker": ("## Scale: a worker process beside a big table", worker_rows),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--purge-rows", type=int, default=1_000_000)
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    for part in args.parts.split(","):
        heading, rows = PARTS[part]
        started = utcnow()
        figures = rows(args.postgres_url, args.purge_rows) if part == "purge" else rows(args.postgres_url)
        minutes = (utcnow() - started) / timedelta(minutes=1)
        section = "\n".join([heading, "", f"Run {started:%Y-%m-%d %H:%M} UTC; see the docstring of `bench/scale.py` "
                              "for the method.", "", *figures, "", *machine_and_command([
                                  machine(), "", "PostgreSQL 15 on 127.0.0.1, shared with other engineers' test runs; "
                                  f"this part took {minutes:.0f} min."])])
        print(section, flush=True)
        if args.output:
            write_section(heading, section, args.output)


if __name__ == "__main__":
    main()
