"""A worker process that dies by SIGKILL the moment a renewal's handler returns.

Openprovider has then answered the renewal, but the command is not marked done: the
worst moment for a crash. With ``before`` it dies instead just before the renewal's
request is sent, after the handler noted that it was about to renew. Usage:
python -m tests.dispatch.killed_worker DATABASE_URL SANDBOX_URL LEASE_SECONDS [before|after]
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from opclient.domains import Domains
from outbox.db import make_engine
from outbox.store import Outbox
from tests.dispatch.harness import make_worker, test_settings

_complete = Outbox.complete
_complete_and_claim = Outbox.complete_and_claim


def _die_on_renewal(commands) -> None:  # noqa: ANN001
    if any(command.type == "renew_domain" for command in commands):
        os.kill(os.getpid(), signal.SIGKILL)


def complete_unless_renewal(outbox: Outbox, command, *args, **kwargs) -> bool:  # noqa: ANN001, ANN002, ANN003
    _die_on_renewal([command])
    return _complete(outbox, command, *args, **kwargs)


def complete_and_claim_unless_renewal(outbox: Outbox, owner: str, finished, limit: int):  # noqa: ANN001, ANN201
    # The worker loop records successes in batches: the same worst moment, one step later.
    _die_on_renewal([command for command, _note, _calls in finished])
    return _complete_and_claim(outbox, owner, finished, limit)


def _die(*_args, **_kwargs) -> None:  # noqa: ANN002, ANN003
    os.kill(os.getpid(), signal.SIGKILL)


def run_killed_worker(database_url: str, sandbox_url: str, lease_seconds: int, moment: str = "after") -> int:
    """Run one such worker to its death; its exit status (-SIGKILL when it died as meant)."""
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.dispatch.killed_worker", database_url, sandbox_url, str(lease_seconds), moment],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    try:
        assert process.stdout.readline().strip() == "ready"
        return process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        process.stdout.close()


def main() -> None:
    database_url, sandbox_url, lease = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if sys.argv[4:] == ["before"]:
        Domains.renew = _die  # the request is never sent
    else:
        Outbox.complete = complete_unless_renewal
        Outbox.complete_and_claim = complete_and_claim_unless_renewal
    settings = test_settings(database_url, sandbox_url, lease_seconds=lease)
    worker = make_worker(make_engine(database_url), settings, threads=1)
    worker.install_signal_handlers()
    print("ready", flush=True)
    worker.run()


if __name__ == "__main__":
    main()
