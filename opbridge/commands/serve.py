"""``opbridge serve``: the listener under gunicorn."""
from __future__ import annotations

import os
import sys

import click

from core.metrics import prepare_multiprocess_directory
from core.settings import ConfigError, load_settings, require


@click.command()
@click.option("--bind", metavar="HOST:PORT", help="Where to listen; defaults to OPBRIDGE_BIND.")
def serve(bind: str | None) -> None:
    """Serve the hook endpoint, health probes and admin API with gunicorn."""
    try:
        # A bad or missing setting stops here with one sentence, not in every worker.
        require(load_settings(), "webhook_secrets")
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    prepare_multiprocess_directory(os.environ)
    argv = [sys.executable, "-m", "gunicorn", "--config", "python:listener.gunicorn_conf"]
    if bind:
        argv += ["--bind", bind]
    # gunicorn takes over this process, so signals from a supervisor reach its master directly.
    os.execv(sys.executable, [*argv, "wsgi:app"])
