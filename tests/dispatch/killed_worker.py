"""A worker process that dies by SIGKILL the moment a renewal's handler returns.

Openprovider has then answered the renewal, but the command is not marked done: the
worst moment for a crash. Usage:
python -m tests.dispatch.killed_worker DATABASE_URL SANDBOX_URL LEASE_SECONDS
"""
from __future__ import annotations

import os
import signal
import sys

from outbox.db import make_engine
from outbox.store import Outbox
from tests.dispatch.harness import make_worker, test_settings

_complete = Outbox.complete


def complete_unless_renewal(outbox: Outbox, command, *args, **kwargs) -> bool:  # noqa: ANN001, ANN002, ANN003
    if command.type == "renew_domain":
        os.kill(os.getpid(), signal.SIGKILL)
    return _complete(outbox, command, *args, **kwargs)


def main() -> None:
    database_url, sandbox_url, lease = sys.argv[1], sys.argv[2], int(sys.argv[3])
    Outbox.complete = complete_unless_renewal
    settings = test_settings(database_url, sandbox_url, lease_seconds=lease)
    worker = make_worker(make_engine(database_url), settings, threads=1)
    worker.install_signal_handlers()
    print("ready", flush=True)
    worker.run()


if __name__ == "__main__":
    main()
