"""Data steps of migrations: set-wise statements over bounded slices of a table.

A data step written row by row, or as one statement whose correlated subqueries the
planner must get right, ran for minutes on a big database whose statistics were out of
date (0003's queue fill against 100,000 pending commands, autovacuum off). Each step here
is one set-wise statement per slice: the rows of at most ``size`` aggregate keys, or of
an id range, found by index, so no plan can walk the whole table per row.
"""
from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection

KEYS_PER_SLICE = 10_000
IDS_PER_SLICE = 200_000


def key_slices(bind: Connection) -> Iterator[dict[str, str | None]]:
    """``{"after", "upto"}`` bounds covering every aggregate key, KEYS_PER_SLICE keys each (``after`` None: from the first)."""
    after, size = None, KEYS_PER_SLICE
    while True:
        query = "SELECT aggregate_key FROM aggregate_locks"
        query += " WHERE aggregate_key > :after" if after is not None else ""
        query += " ORDER BY aggregate_key LIMIT 1 OFFSET :last"
        upto = bind.execute(sa.text(query), {"after": after, "last": size - 1}).scalar()
        yield {"after": after, "upto": upto}  # upto None: to the last key
        if upto is None:
            return
        after = upto


def key_range(column: str, bounds: dict[str, str | None]) -> str:
    """The SQL condition that keeps ``column`` within a slice from key_slices."""
    parts = ([f"{column} > :after"] if bounds["after"] is not None else []) + \
        ([f"{column} <= :upto"] if bounds["upto"] is not None else [])
    return " AND ".join(parts) or "1 = 1"


def id_slices(bind: Connection, table: str) -> Iterator[tuple[int, int, int]]:
    """``(slice number, first id, end id)`` ranges of IDS_PER_SLICE covering the table's ids."""
    size = IDS_PER_SLICE
    low, high = bind.execute(sa.text(f"SELECT min(id), max(id) FROM {table}")).one()
    if low is None:
        return
    for number, start in enumerate(range(low, high + 1, size)):
        yield number, start, start + size


def update_from(bind: Connection, target: str, alias: str, source: str, assignments: str, match: str) -> str:
    """``UPDATE target SET … FROM (source) alias WHERE match`` in the backend's own words.

    PostgreSQL and SQLite (3.33+) take UPDATE … FROM; MariaDB joins in the UPDATE. The
    assignments name the source's columns as ``{alias}.column``.
    """
    if bind.dialect.name in ("mysql", "mariadb"):
        qualified = ", ".join(f"{target}.{part.strip()}" for part in assignments.split(","))
        return f"UPDATE {target} JOIN ({source}) {alias} ON {match} SET {qualified}"
    return f"UPDATE {target} SET {assignments} FROM ({source}) {alias} WHERE {match}"
