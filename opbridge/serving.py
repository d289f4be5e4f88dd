"""Serve a WSGI app on loopback in a background thread, and always stop it."""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from werkzeug.serving import make_server


@contextlib.contextmanager
def serve_wsgi(app, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:  # noqa: ANN001
    """Yields the base URL; the server stops when the block ends, however it ends."""
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
