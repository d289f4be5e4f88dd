"""Which database a verb opened, as an operator can read it: the URL, its password masked.

A SQLite URL is relative to the working directory, so its file is named in full too:
"sqlite:///opbridge.db" in the wrong directory was a database nobody meant.
"""
from __future__ import annotations

import os

from sqlalchemy.engine import make_url


def database_name(url: str) -> str:
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    path = sqlite_file(url)
    return f"{shown} ({os.path.abspath(path)})" if path and not os.path.isabs(path) else shown


def sqlite_file(url: str) -> str | None:
    """The file a SQLite URL names; None for other databases and in-memory ones."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database
