"""``opbridge worker`` and ``opbridge run``: the long-running processes."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from typing import Any

import click

from core.settings import require
from opbridge.commands.runtime import Runtime, pass_runtime


# Without these every Openprovider command would fail on its first call; the worker
# refuses to start instead, with the setting named.
WORKER_NEEDS = ("op_url", "op_username", "op_password")


@click.command()
@click.option("--threads", type=click.IntRange(1, 256), help="Dispatcher threads (default OPBRIDGE_WORKER_THREADS).")
@click.option("--grace", type=click.FloatRange(0), default=30.0, show_default=True, help="Seconds in-flight work may finish after SIGTERM.")
@click.option("--metrics-port", type=click.IntRange(1, 65535), help="Serve this worker's Prometheus metrics on 127.0.0.1:PORT.")
@pass_runtime
def worker(runtime: Runtime, threads: int | None, grace: float, metrics_port: int | None) -> None:
    """Run dispatcher threads until SIGTERM or SIGINT."""
    import outbox.handlers  # noqa: F401 - registers every handler
    from outbox.catalogue.schedule import start_catalogue_scheduler
    from outbox.circuits import SERVICE_SETTINGS, credentials_digest
    from outbox.scheduler import start_scheduler
    from outbox.worker import Worker

    settings = runtime.settings
    require(settings, *WORKER_NEEDS)
    runtime.creates_database = True
    runner = Worker(
        runtime.outbox, threads or settings.worker_threads, settings.poll_seconds, grace_seconds=grace,
        services=runtime.services, circuit_pause_seconds=settings.circuit_pause_seconds,
        credentials={service: credentials_digest(settings, service) for service in SERVICE_SETTINGS},
    )
    if metrics_port:
        from prometheus_client import start_http_server

        from core.metrics import scrape_registry

        start_http_server(metrics_port, addr="127.0.0.1", registry=scrape_registry())
    runner.install_signal_handlers()
    schedulers = [start_scheduler(runtime.services, runtime.outbox, settings),
                  start_catalogue_scheduler(runtime.services, settings)]
    try:
        runner.run()
    finally:
        for scheduler in schedulers:
            if scheduler is not None:
                scheduler.stop()
    if runner.forced.is_set():
        # Handler threads may still be in a call; waiting for them is what a second Ctrl-C refused.
        logging.shutdown()
        os._exit(1)


@click.command()
@click.option("--bind", metavar="HOST:PORT", help="Where the listener listens; defaults to OPBRIDGE_BIND.")
@pass_runtime
def run(runtime: Runtime, bind: str | None) -> None:
    """Run the listener and a worker (with its scheduler) together, for one node."""
    require(runtime.settings, "webhook_secrets", *WORKER_NEEDS)
    runtime.creates_database = True
    runtime.outbox  # noqa: B018 - upgrade an embedded database once, before both start
    verbs = [["serve", *(["--bind", bind] if bind else [])], ["worker"]]
    children = [subprocess.Popen([sys.executable, "-m", "opbridge", *verb]) for verb in verbs]

    def forward(signum: int, _frame: Any) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, forward)
    # When either stops, stop the other: half a node is worse than none.
    while all(child.poll() is None for child in children):
        time.sleep(0.5)
    forward(signal.SIGTERM, None)
    sys.exit(max(child.wait() for child in children))
