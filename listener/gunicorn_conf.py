"""Gunicorn settings for the listener: ``gunicorn -c python:listener.gunicorn_conf wsgi:app``.

Command-line options still win over these, so ``--bind`` and ``--workers`` override.
"""
import os
import shutil
from collections.abc import Mapping

from core import logs
from core.metrics import MULTIPROC_DIR, is_own_directory
from core.settings import load_settings

# Read once: each reading checks the environment and warns of misspelled variables.
opbridge_settings = load_settings()
bind = [opbridge_settings.bind]


def layout(environ: Mapping[str, str] = os.environ) -> tuple[int, int]:
    """(workers, threads per worker); WEB_CONCURRENCY and WEB_THREADS override.

    One process per core keeps the cores busy. A worker's threads are how many events
    it holds at once, and so how many can share one transaction (listener.group_commit):
    with 4, a transaction holds two or three events; with 16, around eight, which
    halves the CPU an event costs. Beyond that the batches grow little while every
    request, /healthz too, pays for more GIL hand-offs. Database connections do not
    grow with threads: one thread of a worker writes at a time.
    """
    workers = int(environ.get("WEB_CONCURRENCY", len(os.sched_getaffinity(0))))
    return workers, int(environ.get("WEB_THREADS", 16))


workers, threads = layout()
worker_class = "gthread"

# Longer than the slowest database transaction, shorter than a WHMCS hook's patience.
timeout = 30
graceful_timeout = 30
keepalive = 5

# Method and path only: no query strings and no headers but the ids, so no token or
# signature is logged. Both logs take opbridge's format (OPBRIDGE_LOG_FORMAT).
accesslog = "-"
access_log_format = logs.ACCESS_TEXT_FORMAT
logconfig_dict = logs.gunicorn_logconfig(opbridge_settings)

# One default control socket per user would be shared by every listener on the host.
control_socket_disable = True


# Metrics: with PROMETHEUS_MULTIPROC_DIR set (`opbridge serve` sets it), every worker
# writes its counts there and a scrape of any worker adds them all up (core.metrics).


def child_exit(server: object, worker: object) -> None:
    """A dead worker's gauges leave the scrape; its counters stay in the totals."""
    if os.environ.get(MULTIPROC_DIR):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(server: object) -> None:
    if is_own_directory(os.environ.get(MULTIPROC_DIR)):
        shutil.rmtree(os.environ[MULTIPROC_DIR], ignore_errors=True)
