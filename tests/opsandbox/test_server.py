"""`opbridge sandbox openprovider` as a real process: calls share kept-alive connections."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import requests

from opclient import OpenproviderClient
from opclient.auth import TokenStore
from tests.support import free_port

READY_SECONDS = 60


@contextlib.contextmanager
def sandbox_command() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "opbridge", "sandbox", "openprovider", "--port", str(port),
                                "--threads", "4"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the session holds only the server and its worker
            process.wait()


def wait_until_serving(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the sandbox exited with {process.returncode}")
        with contextlib.suppress(requests.ConnectionError):
            requests.get(f"{url}/_sandbox/faults", timeout=2).raise_for_status()
            return
        time.sleep(0.1)
    raise RuntimeError(f"the sandbox did not answer within {READY_SECONDS} s")


def test_calls_one_after_another_share_one_connection() -> None:
    with sandbox_command() as url, OpenproviderClient(url, "sandbox", "sandbox", token_store=TokenStore()) as client:
        for _ in range(5):
            assert client.dns.templates()
        assert client._http._pool.connection_from_url(url).num_connections == 1  # the login's too
