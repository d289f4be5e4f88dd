"""Records as a readable text table: for the command line and for mailed reports."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from core.times import json_default, utc


def cell(value: Any) -> str:
    """One value as people read it: JSON for structures, UTC with its zone for times."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=json_default)
    return str(utc(value))


def render(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    cells = [[cell(row.get(column)) for column in columns] for row in rows]
    widths = [max([len(column)] + [len(line[i]) for line in cells]) for i, column in enumerate(columns)]
    lines = ["  ".join(column.upper().ljust(width) for column, width in zip(columns, widths)).rstrip()]
    lines += ["  ".join(value.ljust(width) for value, width in zip(line, widths)).rstrip() for line in cells]
    return "\n".join(lines)
