"""Openprovider's date strings: ``YYYY-MM-DD HH:MM:SS`` in Europe/Amsterdam time.

Fields are sometimes unpadded (``2026-1-5 0:00:00``), sometimes date-only, and unset
values arrive as ``""`` or an all-zero date. Unset becomes None here so that no zero
date can travel on into WHMCS; anything else that does not parse raises ``InvalidDate``.
"""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_PATTERN = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{1,2})(?::(?P<second>\d{1,2}))?)?"
)
_UNSET_PREFIX = re.compile(r"0{4}-0{1,2}-0{1,2}(?:[ T]0{1,2}:0{1,2}(?::0{1,2})?)?")


class InvalidDate(ValueError):
    """A date field from Openprovider that is neither a date nor an unset marker."""


def parse_datetime(value: str | None) -> dt.datetime | None:
    """An aware datetime in Europe/Amsterdam, or None when the field is unset."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidDate(f"expected a date string, not {type(value).__name__}")
    text = value.strip()
    if not text or _UNSET_PREFIX.fullmatch(text):
        return None
    match = _PATTERN.fullmatch(text)
    if match is None:
        raise InvalidDate(f"{value!r} is not a YYYY-MM-DD HH:MM:SS date")
    parts = {key: int(number) for key, number in match.groupdict(default="0").items()}
    try:
        return dt.datetime(tzinfo=AMSTERDAM, **parts)
    except ValueError as error:
        raise InvalidDate(f"{value!r} is not a real date: {error}") from None


def parse_date(value: str | None) -> dt.date | None:
    """The calendar date (in Amsterdam) of a date or datetime field, or None when unset."""
    moment = parse_datetime(value)
    return None if moment is None else moment.date()
