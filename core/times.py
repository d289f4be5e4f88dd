"""How opbridge writes a time: ISO 8601 with its offset for machines, UTC with a zone for people.

The database holds naive UTC (``outbox.values.utcnow``), so a naive time is UTC here.
Every JSON answer (the listener's JSON provider), every ``--json`` output and the
dashboard (the ``iso`` and ``utc`` template filters) go through these two functions.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any


def _in_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def iso(value: Any) -> Any:
    """``2026-12-02T16:30:28.364820Z`` for a time, ``2026-12-02`` for a date; anything else as given."""
    if isinstance(value, datetime):
        return _in_utc(value).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def utc(value: Any) -> Any:
    """``2026-12-02 16:30:28 UTC`` for a time, for tables and pages people read."""
    if isinstance(value, datetime):
        return _in_utc(value).strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, date):
        return value.isoformat()
    return value


def json_default(value: Any) -> Any:
    """``json.dumps(default=...)`` for what opbridge's records hold besides JSON's own types."""
    if isinstance(value, (datetime, date)):
        return iso(value)
    return str(value)
