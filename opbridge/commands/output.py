"""How the verbs print records: a readable table, or JSON for scripts."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from core.tables import render
from core.times import json_default


def echo_json(value: Any) -> None:
    """A record or a list of them as indented JSON, times in ISO 8601 with their offset."""
    click.echo(json.dumps(value, default=json_default, indent=2))


def echo_records(rows: Sequence[dict[str, Any]], columns: Sequence[str], as_json: bool,
                 empty: str = "No records.") -> None:
    if as_json:
        echo_json(list(rows))
    elif rows:
        click.echo(render(rows, columns))
    else:
        click.echo(empty)


def call_summary(call: dict[str, Any]) -> dict[str, Any]:
    """One recorded call as a row: Openprovider's carry method and path, WHMCS's an action."""
    duration = call.get("duration")
    return {
        "call": f"{call['method']} {call.get('path', '')}" if call.get("method") else f"WHMCS {call.get('action', '?')}",
        "status": call.get("status") or call.get("http_status"),
        "ms": round(duration * 1000) if isinstance(duration, (int, float)) else call.get("duration_ms"),
        "error": call.get("error") or call.get("message"),
    }
