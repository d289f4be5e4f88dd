"""Phone splitting: known numbers, every region's example number, and garbage that must be refused.

Property tests run without a deadline: lazy data loads and a shared machine make timing noisy.
"""
from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opclient.phones import InvalidPhoneNumber, Phone, parse_phone

REGIONS = sorted(
    region for region in phonenumbers.SUPPORTED_REGIONS if phonenumbers.example_number(region) is not None
)


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("+31.201234567", None, ("+31", "20", "1234567")),  # Amsterdam: two-digit area code
        ("+31.612345678", None, ("+31", "6", "12345678")),  # Dutch mobile
        ("+31.0201234567", None, ("+31", "20", "1234567")),  # trunk 0 typed after the dot
        ("+31.20 123 45 67", None, ("+31", "20", "1234567")),
        ("+1.4155552671", None, ("+1", "415", "5552671")),
        ("+44.2071234567", None, ("+44", "20", "71234567")),
        ("+49.30123456", None, ("+49", "30", "123456")),
        ("+39.0612345678", None, ("+39", "06", "12345678")),  # Italy keeps its leading 0
        ("+31201234567", None, ("+31", "20", "1234567")),
        ("020-1234567", "NL", ("+31", "20", "1234567")),
        ("(020) 123 4567", "nl", ("+31", "20", "1234567")),
    ],
)
def test_known_numbers(text: str, country: str | None, expected: tuple[str, str, str]) -> None:
    assert parse_phone(text, country) == Phone(*expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "only digits"),
        ("+31.20abc", "only digits"),
        ("+31.12", "too few digits"),
        ("+999.12345678", "country code"),
        ("0201234567", "no \\+country code"),
        ("+" + "1" * 70, "characters long"),
        ("++31.201234567", "only digits"),
    ],
)
def test_garbage_is_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidPhoneNumber, match=reason):
        parse_phone(text)


@settings(deadline=None)
@given(region=st.sampled_from(REGIONS), separators=st.lists(st.sampled_from([" ", "-", " "]), max_size=3))
def test_example_numbers_of_every_region_split_into_three_parts(region: str, separators: list[str]) -> None:
    example = phonenumbers.example_number(region)
    national = phonenumbers.national_significant_number(example)
    spaced = national
    for position, separator in zip((2, 5, 8), separators):
        spaced = spaced[:position] + separator + spaced[position:]
    phone = parse_phone(f"+{example.country_code}.{spaced}")
    assert phone.country_code == f"+{example.country_code}"
    assert phone.area_code and phone.subscriber_number
    assert (phone.area_code + phone.subscriber_number).isdigit()
    assert phone.area_code + phone.subscriber_number == national
    assert parse_phone(phone.whmcs) == phone


@settings(deadline=None)
@given(
    country_code=st.sampled_from(
        ["1", "31", "32", "33", "44", "49", "39", "45", "61", "81", "86", "7", "380"]
    ),
    digits=st.text(alphabet="0123456789", min_size=1, max_size=17),
)
def test_any_digits_split_without_losing_digits_or_raise(country_code: str, digits: str) -> None:
    try:
        phone = parse_phone(f"+{country_code}.{digits}")
    except InvalidPhoneNumber as error:
        assert str(error)
        return
    assert phone.country_code == f"+{country_code}"
    assert phone.area_code.isdigit() and phone.subscriber_number.isdigit()
    assert digits.endswith(phone.area_code + phone.subscriber_number)  # only a trunk prefix may go


@settings(deadline=None)
@given(text=st.text(max_size=40), country=st.sampled_from([None, "NL", "US", "DE"]))
def test_any_text_parses_or_raises_invalid_phone_number(text: str, country: str | None) -> None:
    try:
        phone = parse_phone(text, country)
    except InvalidPhoneNumber as error:
        assert str(error)
    else:
        assert phone.country_code.startswith("+") and phone.area_code and phone.subscriber_number
