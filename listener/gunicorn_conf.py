"""Gunicorn settings for the listener: ``gunicorn -c python:listener.gunicorn_conf wsgi:app``.

Command-line options still win over these, so ``--bind`` and ``--workers`` override.
"""
import os
from collections.abc import Mapping

from opbridge.settings import load_settings

bind = [load_settings().bind]


def layout(environ: Mapping[str, str] = os.environ) -> tuple[int, int]:
    """(workers, threads per worker); WEB_CONCURRENCY and WEB_THREADS override.

    An event costs about a millisecond of Python CPU and a few database round trips.
    One process per core keeps the cores busy; threads overlap the round trips, and
    more of either only adds GIL hand-offs, database connections and, on SQLite,
    writers queueing for its single write lock.
    """
    workers = int(environ.get("WEB_CONCURRENCY", len(os.sched_getaffinity(0))))
    return workers, int(environ.get("WEB_THREADS", 4))


workers, threads = layout()
worker_class = "gthread"

# Longer than the slowest database transaction, shorter than a WHMCS hook's patience.
timeout = 30
graceful_timeout = 30
keepalive = 5

# Method and path only: no query strings and no headers, so no token or signature is logged.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

# One default control socket per user would be shared by every listener on the host.
control_socket_disable = True
