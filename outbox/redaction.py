"""What an operator may see of a stored command, event or call record: secrets masked.

One rule for every surface. The admin API, the dashboard and the command line read
commands and events through the store's read functions, and those redact here, so no
surface has to remember to. The names that count as secret are the Openprovider
client's (``core.masking``): a call record and a payload mask the same fields, an
``epp_code`` in a WHMCS event as much as an ``authCode`` in an Openprovider answer.
"""
from __future__ import annotations

import json
from typing import Any

from core.masking import MASK, redact

__all__ = ["MASK", "redact", "redact_command", "redact_event"]


def redact_command(record: dict[str, Any]) -> dict[str, Any]:
    """A command row (and its attempt history, when present) with secrets masked."""
    shown = {**record, "payload": redact(record.get("payload"))}
    if "state" in shown:
        shown["state"] = redact(shown["state"])
    if "history" in shown:
        shown["history"] = [{**attempt, "calls": redact(attempt.get("calls"))} for attempt in shown["history"]]
    return shown


def redact_event(record: dict[str, Any]) -> dict[str, Any]:
    """An event row with its stored body, and the commands it enqueued, with secrets masked."""
    return {**record, "body": _redact_body(record.get("body")),
            "commands": [redact_command(command) for command in record.get("commands", [])]}


def _redact_body(body: str | None) -> str | None:
    if body is None:
        return None
    try:
        document = json.loads(body)
    except ValueError:
        # The listener stores only bodies that parsed; anything else is not shown at all
        # rather than shown unchecked.
        return MASK
    shown = redact(document)
    # Unchanged bodies keep their exact stored text (key order, spacing).
    return body if shown == document else json.dumps(shown)
