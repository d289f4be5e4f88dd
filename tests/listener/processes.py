"""gunicorn as a real child process on a free loopback port, always stopped."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import requests

from tests.support import free_port

REPO = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def gunicorn(args: list[str], env: Mapping[str, str], log: Path, ready_seconds: float = 60) -> Iterator[str]:
    """Start ``python <args>`` with ``{port}`` in args filled in; yield the base URL once /healthz answers."""
    port = free_port()
    argv = [sys.executable, *(arg.format(port=port) for arg in args)]
    with open(log, "wb") as output:
        process = subprocess.Popen(argv, cwd=REPO, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(base_url, process, log, ready_seconds)
        yield base_url
    finally:
        stop(process)


def _wait_until_healthy(base_url: str, process: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(requests.ConnectionError, requests.Timeout):
            if requests.get(f"{base_url}/healthz", timeout=2).ok:
                return
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer within {seconds} s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL to the process's own session (start_new_session) after 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        # The session holds only this process and its children (a gunicorn master and its workers).
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
