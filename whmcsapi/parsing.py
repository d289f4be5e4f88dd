"""Lenient readers for WHMCS answers.

WHMCS serialises PHP values loosely: numbers and flags arrive as strings ("12", "0.00",
"1", "on"), unset dates as ``0000-00-00`` (or null), and an empty list as ``""`` instead
of an object. These helpers turn all of that into plain Python values once, at the edge.
"""
from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

ZERO_DATES = frozenset({"", "0000-00-00", "0000-00-00 00:00:00"})


def text(value: Any) -> str:
    return "" if value is None else str(value)


def integer(value: Any) -> int:
    """A count or id; empty means 0, as in PHP."""
    if value in (None, ""):
        return 0
    return int(str(value).strip())


def optional_id(value: Any) -> int | None:
    """An id where 0 means "none" (orderid, relid of a non-product item)."""
    number = integer(value)
    return number or None


def amount(value: Any) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None


def flag(value: Any) -> bool:
    """PHP ``empty()``: "", "0", 0, null and false are off; anything else ("1", "on") is on."""
    return value not in (None, "", "0", 0, False)


def date(value: Any) -> datetime.date | None:
    raw = text(value).strip()
    if raw in ZERO_DATES:
        return None
    return datetime.date.fromisoformat(raw[:10])


def timestamp(value: Any) -> datetime.datetime | None:
    raw = text(value).strip()
    if raw in ZERO_DATES:
        return None
    return datetime.datetime.fromisoformat(raw)


def listing(payload: dict, outer: str, inner: str) -> list[dict]:
    """``payload[outer][inner]`` as a list, e.g. ``domains.domain[]``; ``""`` means empty."""
    container = payload.get(outer)
    if not container:
        return []
    return list(container.get(inner) or [])
