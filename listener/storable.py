"""Text every database can store, checked once over a whole decoded JSON document.

PostgreSQL's text cannot hold NUL, and no backend's UTF-8 can hold a lone surrogate
(``"\\ud800"`` decodes from JSON but encodes to nothing). Such a value accepted at the
door would fail later, in the worker, where it blocks the queue; refused here it costs
the sender one 422.
"""
from __future__ import annotations

import re
from typing import Any

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _reason(text: str) -> str:
    found = UNSTORABLE.search(text).group()
    if found == "\x00":
        return "a NUL character (\\u0000), which the database cannot store"
    return f"a lone surrogate (\\u{ord(found):04x}), which is not valid Unicode text"


def _printable(key: str) -> str:
    return UNSTORABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", key)


def unstorable_text(document: Any) -> dict[str, list[str]]:
    """``{path: [reason]}`` for every key or string value the databases cannot store.

    Paths read like ``data.items[0].epp_code``. The walk keeps its own stack, since a
    document nested as deep as the JSON parser allows would exhaust Python's.
    """
    problems: dict[str, list[str]] = {}
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                problems[path or "(body)"] = [f"Contains {_reason(value)}."]
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{_printable(key)}" if path else _printable(key)
                if UNSTORABLE.search(key):
                    problems[child] = [f"The key contains {_reason(key)}."]
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
    return problems
