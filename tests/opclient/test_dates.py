"""Openprovider date strings: known forms, round trips, and garbage that must be refused.

Property tests run without a deadline: lazy data loads and a shared machine make timing noisy.
"""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opclient.dates import AMSTERDAM, InvalidDate, parse_date, parse_datetime


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-05 00:00:00", dt.datetime(2026, 1, 5, 0, 0, 0, tzinfo=AMSTERDAM)),
        ("2026-1-5 0:00:00", dt.datetime(2026, 1, 5, 0, 0, 0, tzinfo=AMSTERDAM)),
        ("2019-01-27 0:55:17", dt.datetime(2019, 1, 27, 0, 55, 17, tzinfo=AMSTERDAM)),
        ("2026-07-01 13:05", dt.datetime(2026, 7, 1, 13, 5, tzinfo=AMSTERDAM)),
        ("2026-07-01", dt.datetime(2026, 7, 1, tzinfo=AMSTERDAM)),
        ("2026-07-01T13:05:09", dt.datetime(2026, 7, 1, 13, 5, 9, tzinfo=AMSTERDAM)),
        ("", None),
        ("  ", None),
        (None, None),
        ("0000-00-00 00:00:00", None),
        ("0000-00-00", None),
        ("0000-0-0 0:00:00", None),
    ],
)
def test_known_values(text: str | None, expected: dt.datetime | None) -> None:
    assert parse_datetime(text) == expected


def test_summer_time_is_two_hours_ahead_of_utc() -> None:
    moment = parse_datetime("2026-07-01 12:00:00")
    assert moment is not None and moment.utcoffset() == dt.timedelta(hours=2)


def test_parse_date_keeps_the_amsterdam_calendar_day() -> None:
    assert parse_date("2026-03-01 23:30:00") == dt.date(2026, 3, 1)
    assert parse_date("0000-00-00 00:00:00") is None


@pytest.mark.parametrize(
    "text",
    [
        "yesterday",
        "2026-13-01 00:00:00",
        "2026-02-30",
        "2026-01-01 24:00:00",
        "0000-01-01 00:00:00",
        "2026-00-00 00:00:00",
        "26-01-01",
        "2026/01/01",
        "2026-01-01 00:00:00+02:00",
        "2026-01-01 00:00:00 extra",
    ],
)
def test_garbage_raises_invalid_date(text: str) -> None:
    with pytest.raises(InvalidDate, match="date"):
        parse_datetime(text)


def test_non_text_raises_invalid_date() -> None:
    with pytest.raises(InvalidDate, match="expected a date string"):
        parse_datetime(20260101)  # type: ignore[arg-type]


naive_moments = st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2200, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0)
)


@settings(deadline=None)
@given(moment=naive_moments, padded=st.booleans())
def test_formatted_moments_parse_back_in_amsterdam(moment: dt.datetime, padded: bool) -> None:
    if padded:
        text = moment.strftime("%Y-%m-%d %H:%M:%S")
    else:
        text = (
            f"{moment.year}-{moment.month}-{moment.day} {moment.hour}:{moment.minute:02d}:{moment.second:02d}"
        )
    parsed = parse_datetime(text)
    assert parsed is not None
    assert parsed.tzinfo is AMSTERDAM
    assert parsed.replace(tzinfo=None) == moment
    assert parse_date(text) == moment.date()


@settings(deadline=None)
@given(text=st.text(max_size=30))
def test_any_text_is_a_date_none_or_invalid_date(text: str) -> None:
    try:
        parsed = parse_datetime(text)
    except InvalidDate as error:
        assert str(error)
    else:
        assert parsed is None or (parsed.year >= 1 and parsed.tzinfo is AMSTERDAM)


@settings(deadline=None)
@given(
    text=st.from_regex(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}( [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2})?", fullmatch=True)
)
def test_date_shaped_text_never_yields_a_zero_date(text: str) -> None:
    try:
        parsed = parse_datetime(text)
    except InvalidDate:
        return
    assert parsed is None or parsed.year > 0
