"""Row ids in URLs: whole numbers within the range of the id columns.

Every table's id is a signed 64-bit integer (BIGINT, or SQLite's INTEGER), so a larger
number cannot name a row. Refusing it in routing answers 404 before any query, where
the database would have raised an out-of-range error (or Python an OverflowError).
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**63 - 1


class RowIdConverter(IntegerConverter):
    """``<id:name>``: 1 to MAX_ID, digits only."""

    def __init__(self, map: Map) -> None:  # noqa: A002 - werkzeug's name
        super().__init__(map, min=1, max=MAX_ID)
