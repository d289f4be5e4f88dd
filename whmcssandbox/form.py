"""Strict readers for API form fields.

Real WHMCS stores dates and statuses from UpdateClientDomain unchecked. The sandbox
refuses them instead, so a client bug shows up as an error and a recorded rejection
rather than as a silently corrupted row.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal

from whmcssandbox.errors import ApiError, InvalidValue

DATE_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}")
AMOUNT_FORMAT = re.compile(r"\d{1,10}(\.\d{1,2})?")


def date(field: str, raw: str) -> datetime.date:
    if not DATE_FORMAT.fullmatch(raw):
        raise InvalidValue(field, raw, f"Invalid {field}: expected a date as YYYY-MM-DD")
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise InvalidValue(field, raw, f"Invalid {field}: {raw} is not a calendar date") from None


def choice(field: str, raw: str, allowed: Iterable[str]) -> str:
    if raw not in allowed:
        raise InvalidValue(field, raw, f"Invalid {field}: {raw!r} is not a valid value")
    return raw


def flag(raw: str) -> bool:
    """PHP ``empty()``, as WHMCS reads flags: only "" and "0" are off, so "false" is on."""
    return raw not in ("", "0")


def amount(field: str, raw: str) -> Decimal:
    if not AMOUNT_FORMAT.fullmatch(raw):
        raise InvalidValue(field, raw, f"Invalid {field}: expected an amount such as 12.95")
    return Decimal(raw)


def integer(field: str, raw: str, default: int = 0) -> int:
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(f"Invalid {field}: {raw!r} is not a number") from None
