"""Upgrade benchmark: `opbridge db upgrade` of a big live database, statistics out of date.

PostgreSQL. A fresh database at revision 0002 (before the queue heads of 0003 and the
tallies of 0004) is loaded with SQL (generate_series): 900,000 done commands over
100,000 domains and 100,000 pending ones, one per domain, with their queue rows as 0002
kept them. Autovacuum is off for the tables and nothing is analyzed, so the planner's
statistics describe empty tables, as after a bulk load or a restore. Then the real
`opbridge db upgrade` runs in a process of its own, timed from outside, to the head.

Writes the section "## Upgrade: a database with 1,000,000 commands" of docs/benchmarks.md.

    .venv/bin/python bench/upgrade.py --output docs/benchmarks.md
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from dispatch_noop import DEFAULT_POSTGRES_URL, fresh_postgres_database  # noqa: E402
from outbox.db import make_engine, upgrade  # noqa: E402
from report import machine, machine_and_command, write_section  # noqa: E402

SECTION = "## Upgrade: a database with 1,000,000 commands"
DATABASE_NAME = f"opbridge_bench_upgrade_{os.getpid()}"
DOMAINS = 100_000

LOAD = """
ALTER TABLE commands SET (autovacuum_enabled = false);
ALTER TABLE aggregate_locks SET (autovacuum_enabled = false);
INSERT INTO commands (type, aggregate_key, payload, status, attempts, max_attempts, next_attempt_at,
                      state, created_at, updated_at, finished_at)
SELECT 'noop', 'd' || (g % {domains}) || '.example', '{{}}', 'done', 1, 11, now() - interval '1 day',
       '{{}}', now() - interval '1 day', now() - interval '1 day', now() - interval '1 day'
FROM generate_series(1, {done}) g;
INSERT INTO commands (type, aggregate_key, payload, status, attempts, max_attempts, next_attempt_at,
                      state, created_at, updated_at)
SELECT 'noop', 'd' || (g % {domains}) || '.example', '{{}}', 'pending', 1, 11, now() + interval '1 hour',
       '{{}}', now(), now()
FROM generate_series(1, {pending}) g;
INSERT INTO aggregate_locks (aggregate_key, enqueued)
SELECT 'd' || g || '.example', 10 FROM generate_series(0, {domains} - 1) g
"""


def run(server: str, done: int, pending: int) -> list[str]:
    with fresh_postgres_database(server, DATABASE_NAME) as url:
        engine = make_engine(url)
        upgrade(engine, "0002")
        engine.dispose()
        loader = create_engine(url, isolation_level="AUTOCOMMIT")
        started = time.perf_counter()
        with loader.connect() as conn:
            for statement in LOAD.format(domains=DOMAINS, done=done, pending=pending).split(";\n"):
                conn.execute(text(statement))
        loaded = time.perf_counter() - started
        env = {key: value for key, value in os.environ.items() if not key.startswith("OPBRIDGE_")}
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "opbridge", "db", "upgrade"], check=True, cwd=BENCH.parent,
                       env=env | {"OPBRIDGE_DATABASE_URL": url})
        upgraded = time.perf_counter() - started
        with loader.connect() as conn:
            due = conn.scalar(text("SELECT count(*) FROM aggregate_locks WHERE ready_at IS NOT NULL AND unfinished = 1"))
            tallied = conn.scalar(text("SELECT sum(n) FROM command_tallies"))
        loader.dispose()
    print(loaded, upgraded, due, tallied, flush=True)
    assert due == min(pending, DOMAINS) and tallied == done + pending, (due, tallied)
    return ["| database at 0002 | load (SQL) | `opbridge db upgrade` to the head, whole process |", "|---|---:|---:|",
            f"| {done:,} done and {pending:,} pending commands over {DOMAINS:,} domains, never analyzed "
            f"| {loaded:.1f} s | **{upgraded:.1f} s** |", "",
            f"Checked afterwards: {due:,} queues with their head due, tallies summing to {tallied:,}."]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--done", type=int, default=900_000)
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    figures = run(args.postgres_url, args.done, args.pending)
    section = "\n".join([SECTION, "", "See the docstring of `bench/upgrade.py` for the method.", "", *figures, "",
                         *machine_and_command([machine(), "", "PostgreSQL 15 on 127.0.0.1, shared with other "
                                               "engineers' test runs."])])
    print(section, flush=True)
    if args.output:
        write_section(SECTION, section, args.output)


if __name__ == "__main__":
    main()
