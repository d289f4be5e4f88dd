"""Scale benchmark: what a big table costs the queue, each case beside an empty table in one run.

PostgreSQL. Every case gets a fresh database; the big one is loaded with SQL
(generate_series), with queue rows and tallies as the store keeps them, then VACUUM
ANALYZE as on the small one.

* Drain beside a backlog: 5,000 runnable no-op commands over 1,000 domains drained by
  one in-process loop of worker rounds (``Outbox.complete_and_claim``, 64 a round, the
  successes of one round recorded by the next), on an empty table and beside each
  backlog of issue 13: 1,000,000 done commands; 100,000 pending backed off an hour (one
  per domain, as after an outage); 50,000 pending behind one domain whose head runs;
  both of the last two at 50,000 each. Then the idle round: a claim with nothing runnable.
* Reads with 1,000,000 done commands: ``/metrics``'s collector and the dashboard front
  page's counts (``counts()``, ``counts_by_type()``, the newest dead); the whole
  ``GET /metrics`` and ``GET /admin/`` answers through the app (Flask's test client: every
  layer but the socket); and for reference the GROUP BY count they ran before.
* Purge of 1,000,000 done commands (each with its event) finished 40 days ago, as
  ``opbridge purge`` runs it, in its own process, while this process drains batches of
  5,000 commands; the same drain without a purge first.

Each part replaces its own ``## Scale: …`` section of docs/benchmarks.md.

    .venv/bin/python bench/scale.py --output docs/benchmarks.md
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select, text

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from dispatch_noop import DEFAULT_POSTGRES_URL, fresh_postgres_database, vacuum_analyze  # noqa: E402
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
# The dashboard's pages beside the overview, each held to the overview's 10 ms p50 at this size.
LATER_PAGES = {"commands_page": "/admin/commands", "dead_page": "/admin/commands?status=dead",
               "workers_page": "/admin/workers", "events_page": "/admin/events",
               "refused_page": "/admin/events?show=refused"}


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
BACKLOGS = {
    "1,000,000 done commands": DONE_ROWS.format(n=1_000_000, age="1 day", event="NULL"),
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


def drain_pair(server: str, backlog: str) -> tuple[dict[str, float], dict[str, float]]:
    """The empty table's figures and the backlog's, their drains taking turns so both see the same load."""
    with fresh_postgres_database(server, DATABASE_NAME + "_empty") as empty_url, \
            fresh_postgres_database(server, DATABASE_NAME + "_big") as big_url:
        outboxes = {"empty": prepared(empty_url, None), "big": prepared(big_url, backlog)}
        rates: dict[str, list[float]] = {name: [] for name in outboxes}
        rounds: dict[str, list[float]] = {name: [] for name in outboxes}
        for _ in range(DRAINS):
            for name, outbox in outboxes.items():
                enqueue_runnable(outbox)
                rate, spent = drain(outbox)
                rates[name].append(rate)
                rounds[name] += spent
        figures = tuple(
            dict(rate=statistics.median(rates[name]), p50=percentile(rounds[name], 0.5),
                 p99=percentile(rounds[name], 0.99), idle=timed(lambda outbox=outbox: outbox.claim("idle", ROUND)))
            for name, outbox in outboxes.items()
        )
        for outbox in outboxes.values():
            outbox.engine.dispose()
    return figures


def drain_rows(server: str) -> list[str]:
    rows = [f"Median drain rate of {DRAINS} drains each, the empty table's and the backlog's taking turns; "
            "round percentiles over all their rounds.", "",
            "| table also holds | drain rate, empty → with backlog (ratio) | round p50 ms | round p99 ms | idle round p50 ms |",
            "|---|---|---|---|---|"]
    for name, backlog in BACKLOGS.items():
        empty, big = drain_pair(server, backlog)
        print(name, empty, big, flush=True)
        rows.append(f"| {name} | {empty['rate']:,.0f} → {big['rate']:,.0f} /s (**{big['rate'] / empty['rate']:.2f}×**) "
                    f"| {empty['p50']:.1f} → {big['p50']:.1f} | {empty['p99']:.1f} → {big['p99']:.1f} "
                    f"| {empty['idle']:.1f} → {big['idle']:.1f} |")
    return rows


def read_case(server: str, backlog: str | None) -> dict[str, float]:
    with fresh_postgres_database(server, DATABASE_NAME) as url:
        outbox = prepared(url, backlog)
        collector = QueueCollector(outbox, outbox.engine)

        def full_count() -> None:
            with outbox.engine.connect() as conn:
                conn.execute(select(Command.status, func.count()).group_by(Command.status)).all()

        client = create_app(load_settings(environ={}, database_url=url, admin_tokens=ADMIN_TOKEN),
                            outbox.engine).test_client()

        def page(path: str) -> None:
            answer = client.get(path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
            assert answer.status_code == 200, (path, answer.status_code)

        figures = dict(
            metrics_page=timed(lambda: page("/metrics")),
            admin_page=timed(lambda: page("/admin/")),
            **{name: timed(lambda path=path: page(path)) for name, path in LATER_PAGES.items()},
            metrics=timed(lambda: list(collector.collect())),
            dashboard=timed(lambda: (outbox.counts(), outbox.counts_by_type(OPEN_AND_DEAD), outbox.list_commands(status=DEAD, limit=20))),
            full_count=timed(full_count, 10),
        )
        outbox.engine.dispose()
    return figures


def read_rows(server: str) -> list[str]:
    # Each done command with its event, so the events page reads a table as big as the commands.
    backlog = EVENTS.format(n=1_000_000, age="1 day") + ";\n" + DONE_ROWS.format(n=1_000_000, age="1 day", event="g")
    empty, big = read_case(server, None), read_case(server, backlog)
    print("reads", empty, big, flush=True)
    return ["| read | empty table p50 ms | 1,000,000 done p50 ms |", "|---|---:|---:|",
            f"| `GET /metrics`, whole answer | {empty['metrics_page']:.1f} | **{big['metrics_page']:.1f}** |",
            f"| `GET /admin/` (dashboard front page), whole answer | {empty['admin_page']:.1f} | **{big['admin_page']:.1f}** |",
            *(f"| `GET {path}`, whole answer | {empty[name]:.1f} | **{big[name]:.1f}** |" for name, path in LATER_PAGES.items()),
            f"| `/metrics` collector | {empty['metrics']:.1f} | **{big['metrics']:.1f}** |",
            f"| dashboard front page counts | {empty['dashboard']:.1f} | **{big['dashboard']:.1f}** |",
            f"| for reference: GROUP BY count of commands (as before) | {empty['full_count']:.1f} | {big['full_count']:.1f} |"]


def outside_case(url: str, threads: int) -> dict[str, float]:
    """p50 ms of whole answers over HTTP from gunicorn as `opbridge serve` starts it (one keep-alive client)."""
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

        return {"healthz": timed(lambda: get("/healthz"), 200), "admin": timed(lambda: get("/admin/"), 200),
                "workers": timed(lambda: get("/admin/workers"), 200), "events": timed(lambda: get("/admin/events"), 200)}
    finally:
        server.terminate()
        server.wait(30)


def outside_rows(server: str) -> list[str]:
    backlog = EVENTS.format(n=1_000_000, age="1 day") + ";\n" + DONE_ROWS.format(n=1_000_000, age="1 day", event="g")
    with fresh_postgres_database(server, DATABASE_NAME) as url:
        outbox = prepared(url, backlog)
        client = create_app(load_settings(environ={}, database_url=url, admin_tokens=ADMIN_TOKEN),
                            outbox.engine).test_client()
        inside = {path: timed(lambda path=path: client.get(path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}), 200)
                  for path in ("/healthz", "/admin/")}
        served = {threads: outside_case(url, threads) for threads in (16, 1)}
        outbox.engine.dispose()
    print("outside", inside, served, flush=True)
    return ["| answer, 1,000,000 done commands | in process (test client) | over HTTP, gunicorn 16 threads a worker (the default) | over HTTP, 1 thread a worker |",
            "|---|---:|---:|---:|",
            f"| `GET /healthz` | {inside['/healthz']:.1f} | {served[16]['healthz']:.1f} | {served[1]['healthz']:.1f} |",
            f"| `GET /admin/` | {inside['/admin/']:.1f} | **{served[16]['admin']:.1f}** | {served[1]['admin']:.1f} |",
            f"| `GET /admin/workers` | | **{served[16]['workers']:.1f}** | {served[1]['workers']:.1f} |",
            f"| `GET /admin/events` | | **{served[16]['events']:.1f}** | {served[1]['events']:.1f} |"]


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


PARTS = {  # each part writes a section of its own, so that one can be run again alone
    "drain": ("## Scale: drain beside a backlog", drain_rows),
    "reads": ("## Scale: reads on a big table", read_rows),
    "purge": ("## Scale: purge beside a drain", purge_rows),
    "outside": ("## Scale: the dashboard from outside", outside_rows),
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
