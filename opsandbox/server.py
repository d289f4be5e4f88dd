"""Serving the sandbox over HTTP: gunicorn's threaded worker, connections kept alive.

Werkzeug's development server closes the connection after every answer, so each call
cost a new connection and a new thread on both sides, more processor time under a
dispatcher's load than the call itself. One worker process, because the account lives
in its memory; a thread per call in flight, since injected latency sleeps in it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

DEFAULT_THREADS = 256
# Longer than a dispatcher's pause between two calls on one pooled connection.
KEEPALIVE_SECONDS = 75
BACKLOG = 1024  # every client thread may connect at once


class _Server(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._app


def serve(app: Flask, host: str, port: int, threads: int = DEFAULT_THREADS,
          on_ready: Callable[[], None] | None = None) -> None:
    """Serve until SIGTERM or SIGINT; ``on_ready`` runs once the port is listening."""
    options = {"bind": f"{host}:{port}", "workers": 1, "worker_class": "gthread", "threads": threads,
               "keepalive": KEEPALIVE_SECONDS, "backlog": BACKLOG, "control_socket_disable": True,
               # The sandbox reads no forwarding headers; trusting every peer spares parsing
               # its address on every call.
               "forwarded_allow_ips": "*"}
    if on_ready is not None:
        options["when_ready"] = lambda _arbiter: on_ready()
    _Server(app, options).run()
