"""Phone numbers in Openprovider's three parts: country code, area code, subscriber number.

WHMCS stores ``+31.201234567``: the country calling code, a dot, the national number.
Openprovider wants ``{"country_code": "+31", "area_code": "20", "subscriber_number":
"1234567"}``, the area code without the trunk ``0``.

Area code rule: the national destination code as libphonenumber's metadata knows it for
the country (``20`` for Amsterdam, ``6`` for Dutch mobiles, ``415`` in the US, ``30`` for
Berlin). Where the metadata gives none (numbers it cannot classify, plans without area
codes) the first three digits are the area code, as the official WHMCS module does for
every number; Openprovider only needs the three parts to add up to the number.
"""
from __future__ import annotations

import dataclasses
import re

import phonenumbers

FALLBACK_AREA_DIGITS = 3
MIN_NATIONAL_DIGITS = 4  # an area code and a subscriber number of at least one digit each
MAX_INPUT_LENGTH = 64

# Characters people type between digits; anything else (letters, "ext") is not a number.
_SEPARATORS = re.compile(r"[\s\-()/]")
_WHMCS_FORM = re.compile(r"\+(?P<country>\d{1,3})\.(?P<national>\d+)")


class InvalidPhoneNumber(ValueError):
    """The text is not a phone number Openprovider can take; the message says why."""


@dataclasses.dataclass(frozen=True)
class Phone:
    country_code: str  # "+31"
    area_code: str  # "20"
    subscriber_number: str  # "1234567"

    def as_api(self) -> dict[str, str]:
        return dataclasses.asdict(self)

    @property
    def whmcs(self) -> str:
        """The WHMCS full form, ``+31.201234567``; also the canonical form for hashing."""
        return f"{self.country_code}.{self.area_code}{self.subscriber_number}"


def parse_phone(text: str, default_country: str | None = None) -> Phone:
    """Split a phone number (WHMCS ``+CC.NUMBER``, or international, or national with a
    default ISO country) into Openprovider's three parts."""
    if not isinstance(text, str):
        raise InvalidPhoneNumber(f"a phone number must be text, not {type(text).__name__}")
    compact = _SEPARATORS.sub("", text.strip())
    if not compact:
        raise InvalidPhoneNumber("the phone number is empty")
    if len(compact) > MAX_INPUT_LENGTH:
        raise InvalidPhoneNumber(f"the phone number is {len(compact)} characters long")
    number = _parse(compact, default_country, original=text)
    national = phonenumbers.national_significant_number(number)
    if len(national) < MIN_NATIONAL_DIGITS:
        raise InvalidPhoneNumber(f"{text!r} has too few digits after the country code")
    area_length = phonenumbers.length_of_national_destination_code(number)
    if not 0 < area_length < len(national):
        area_length = FALLBACK_AREA_DIGITS
    return Phone(
        country_code=f"+{number.country_code}",
        area_code=national[:area_length],
        subscriber_number=national[area_length:],
    )


def _parse(compact: str, default_country: str | None, original: str) -> phonenumbers.PhoneNumber:
    whmcs = _WHMCS_FORM.fullmatch(compact)
    candidate = f"+{whmcs['country']}{whmcs['national']}" if whmcs else compact
    if not re.fullmatch(r"\+?\d+", candidate):
        raise InvalidPhoneNumber(
            f"{original!r} is not a phone number: it may hold only digits after the leading +"
        )
    if not candidate.startswith("+") and not default_country:
        raise InvalidPhoneNumber(f"{original!r} has no +country code and no country to assume")
    try:
        number = phonenumbers.parse(candidate, None if candidate.startswith("+") else default_country.upper())
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumber(f"{original!r} is not a phone number: {_reason(error)}") from None
    if phonenumbers.region_code_for_country_code(number.country_code) == phonenumbers.UNKNOWN_REGION:
        raise InvalidPhoneNumber(f"{original!r} has an unknown country code +{number.country_code}")
    return number


def _reason(error: phonenumbers.NumberParseException) -> str:
    reasons = {
        phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "unknown or missing country code",
        phonenumbers.NumberParseException.NOT_A_NUMBER: "not a number",
        phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
        phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
        phonenumbers.NumberParseException.TOO_LONG: "too long",
    }
    return reasons.get(error.error_type, str(error))
