"""One worker process for bench/dispatch_noop.py: an opbridge Worker or a pgqueuer consumer.

Usage: python bench/noop_worker.py opbridge DATABASE_URL THREADS
       python bench/noop_worker.py pgqueuer POSTGRES_DSN

The process connects, prints "ready", and waits for a line on stdin before it starts
draining, so the benchmark's clock leaves interpreter start-up and connecting out.
SIGTERM stops it; on the way out it prints its peak RSS and the CPU it used since the
start line as JSON.
"""
from __future__ import annotations

import json
import resource
import signal
import sys

from report import peak_rss_kib


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


CPU_AT_START = [0.0]


def wait_for_start() -> None:
    print("ready", flush=True)
    sys.stdin.readline()
    CPU_AT_START[0] = cpu_seconds()  # interpreter start-up and connecting are not the drain's


def report_usage() -> None:
    print(json.dumps({"peak_rss_kib": peak_rss_kib(), "cpu_seconds": cpu_seconds() - CPU_AT_START[0]}), flush=True)


def run_opbridge(url: str, threads: int) -> None:
    import outbox.handlers  # noqa: F401 - registers the default handlers, as `opbridge worker` does
    from outbox.db import make_engine
    from outbox.store import Outbox
    from outbox.worker import Worker

    engine = make_engine(url, pool_size=threads + 2)  # sized as `opbridge worker` sizes it
    open_pool_connections(engine, threads + 1)
    worker = Worker(Outbox(engine), threads=threads)
    worker.install_signal_handlers()
    wait_for_start()
    worker.run()


def open_pool_connections(engine, count: int) -> None:  # noqa: ANN001
    # The claim loop and every dispatch thread hold a connection at once; opening them
    # now keeps connection set-up out of the timed drain, as pgqueuer's is.
    connections = [engine.connect() for _ in range(count)]
    for connection in connections:
        connection.close()


def run_pgqueuer(dsn: str) -> None:
    # Imported here so an opbridge worker's RSS carries none of pgqueuer's modules.
    import uvloop

    uvloop.run(consume_pgqueuer(dsn))  # the loop `pgq run` picks when uvloop is installed


async def consume_pgqueuer(dsn: str) -> None:
    import asyncio

    import psycopg
    from pgqueuer import PgQueuer
    from pgqueuer.models import Job

    connection = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
    pgq = PgQueuer.from_psycopg_connection(connection)

    @pgq.entrypoint("noop")
    async def noop(job: Job) -> None:
        return None

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, pgq.shutdown.set)
    wait_for_start()  # blocking is harmless here: nothing else is scheduled yet
    await pgq.run()  # pgqueuer's defaults: batch_size=10, no concurrency cap
    await connection.close()


def main() -> None:
    kind, target = sys.argv[1], sys.argv[2]
    try:
        if kind == "opbridge":
            run_opbridge(target, int(sys.argv[3]))
        elif kind == "pgqueuer":
            run_pgqueuer(target)
        else:
            raise SystemExit(f"unknown worker kind {kind!r}")
    finally:
        report_usage()


if __name__ == "__main__":
    main()
