"""A worker process for the multi-process tests: its "record" handler logs each run.

Usage: python -m tests.store.worker_process DATABASE_URL THREADS LEASE_SECONDS SLEEP_SECONDS
Each run inserts (command id, domain, sequence) into the ``executions`` table through
its own autocommit connection before the command is marked done, so the table's id
order is the order in which handlers ran.
"""
from __future__ import annotations

import sys
import time

from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from outbox.db import make_engine
from outbox.registry import Registry
from outbox.store import Outbox
from outbox.worker import Worker

metadata = MetaData()
executions = Table(
    "executions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("command_id", Integer),
    Column("domain", String(255)),
    Column("seq", Integer),
    Column("worker", String(128)),
)


def main() -> None:
    url, threads, lease, sleep = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    engine = make_engine(url, pool_size=threads + 2)
    registry = Registry()
    outbox = Outbox(engine, lease_seconds=lease)
    # A batch as big as the thread pool: a worker then holds exactly twice its threads.
    worker = Worker(outbox, threads=threads, poll_seconds=0.2, registry=registry, grace_seconds=60, batch=threads)

    @registry.register("record")
    def record(context) -> None:  # noqa: ANN001
        with engine.begin() as conn:
            conn.execute(insert(executions).values(
                command_id=context.command.id, domain=context.command.aggregate_key,
                seq=context.payload["seq"], worker=worker.name,
            ))
        time.sleep(sleep)

    worker.install_signal_handlers()
    print("ready", flush=True)
    worker.run()


if __name__ == "__main__":
    main()
