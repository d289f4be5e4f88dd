"""Gunicorn settings for the listener: ``gunicorn -c python:listener.gunicorn_conf wsgi:app``.

Command-line options still win over these, so ``--bind`` and ``--workers`` override.
"""
import os

from opbridge.settings import load_settings

bind = [load_settings().bind]

# Requests mostly wait on the database, so threads overlap those waits while the
# processes use the cores. WEB_CONCURRENCY is the usual operator override.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * len(os.sched_getaffinity(0)) + 1))
worker_class = "gthread"
threads = 4

# Longer than the slowest database transaction, shorter than a WHMCS hook's patience.
timeout = 30
graceful_timeout = 30
keepalive = 5

# Method and path only: no query strings and no headers, so no token or signature is logged.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

# One default control socket per user would be shared by every listener on the host.
control_socket_disable = True
