"""Helpers the tests share: real servers on loopback, started and always stopped."""
from __future__ import annotations

import socket

from opbridge.serving import serve_wsgi

__all__ = ["free_port", "serve_wsgi"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
