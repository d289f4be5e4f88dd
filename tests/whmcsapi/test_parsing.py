"""What the sandbox writes on the wire, the client reads back unchanged."""
from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from whmcsapi import parsing
from whmcsapi.client import _encode
from whmcssandbox import form, render

dates = st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31))


@given(st.none() | dates)
def test_dates_round_trip(value):
    assert parsing.date(render.date(value)) == value


@given(dates)
def test_a_date_the_client_sends_is_one_the_sandbox_accepts(value):
    assert form.date("expirydate", _encode({"d": value})["d"]) == value


@given(st.booleans())
def test_flags_round_trip_both_ways(value):
    assert parsing.flag(render.flag(value)) is value
    assert form.flag(_encode({"f": value})["f"]) is value


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_amounts_round_trip(value):
    assert parsing.amount(render.amount(value)) == value


def test_php_loose_values():
    assert [parsing.flag(value) for value in ("", "0", None, 0, "1", "on", 1)] == [
        False, False, False, False, True, True, True,
    ]
    assert parsing.date(None) is None and parsing.timestamp("0000-00-00 00:00:00") is None
    assert parsing.integer("") == 0 and parsing.optional_id("0") is None
    assert parsing.amount("") == Decimal("0")
    assert parsing.listing({"domains": ""}, "domains", "domain") == []
