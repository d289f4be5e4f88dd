"""WHMCS contacts (DESIGN.md §3) as Openprovider customer bodies, and their hashes.

Mapping choices:
- ``address1`` is split into street, house number and suffix: a trailing number for the
  European order ("Keizersgracht 123a" -> Keizersgracht / 123 / a), a leading number for
  the English order ("123 Main St" -> 123 / Main St). An address with no number in either
  place goes whole into ``street``. ``address2`` has no field of its own at Openprovider,
  so it is appended to the street after a comma rather than dropped.
- The phone is split by ``opclient.phones`` (its docstring gives the area-code rule).
- ``initials`` are the first letters of the first names ("Jan-Pieter" -> "J.P.").
- ``locale`` takes ``nl_NL``/``nl-NL`` as given and WHMCS language names ("dutch") through
  a table; anything else is ``en_GB``, the official module's default.

Registry data the owner handle must hold for a TLD (a .es ID number, a .us nexus
category) rides on the contact: ``additional_data`` as the customer's own, and
``extension_additional_data`` per extension, both sent on create and on update.

Two hashes: ``contact_hash`` covers every normalised field, registry data included, and
keys handle reuse, so the same person typed with different spacing still maps to one
handle, and a handle is reused for a .es domain only when it holds the .es data; ``identity_hash``
covers only name and company, the fields Openprovider never lets a handle change: when it
differs from a handle's, only a new handle can carry the contact.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from opclient.phones import InvalidPhoneNumber, Phone, parse_phone

DEFAULT_LOCALE = "en_GB"
HASH_VERSION = "v1"  # part of every hashed payload so a future scheme cannot collide

WHMCS_LANGUAGES = {
    "english": "en_GB",
    "dutch": "nl_NL",
    "german": "de_DE",
    "french": "fr_FR",
    "spanish": "es_ES",
    "italian": "it_IT",
    "portuguese-pt": "pt_PT",
    "portuguese-br": "pt_BR",
    "russian": "ru_RU",
    "ukranian": "uk_UA",  # WHMCS ships the language file under this spelling
    "turkish": "tr_TR",
    "swedish": "sv_SE",
    "norwegian": "nb_NO",
    "danish": "da_DK",
    "catalan": "ca_ES",
    "hungarian": "hu_HU",
    "estonian": "et_EE",
    "croatian": "hr_HR",
    "czech": "cs_CZ",
    "chinese": "zh_CN",
    "arabic": "ar_SA",
    "farsi": "fa_IR",
    "hebrew": "he_IL",
    "azerbaijani": "az_AZ",
    "macedonian": "mk_MK",
}

_LOCALE_CODE = re.compile(r"(?P<language>[a-z]{2})[_-](?P<region>[a-z]{2})", re.IGNORECASE)
_LETTER = r"[^\W\d_]"
_NUMBER_LAST = re.compile(
    rf"(?P<street>(?=.*{_LETTER}).*\D)[\s,]+(?P<number>\d+)(?:\s*[-/]?\s*(?P<suffix>[^\W_]{{1,10}}))?"
)
_NUMBER_FIRST = re.compile(rf"(?P<number>\d+)(?P<suffix>{_LETTER})?(?:\s*,\s*|\s+)(?P<street>.*{_LETTER}.*)")

REQUIRED_FIELDS = ("first_name", "last_name", "email", "address1", "city", "postcode", "country", "phone")


class InvalidContact(ValueError):
    """A WHMCS contact that cannot become an Openprovider customer; the message says why."""


@dataclasses.dataclass(frozen=True)
class Street:
    street: str
    number: str = ""
    suffix: str = ""


Pairs = tuple[tuple[str, str], ...]


@dataclasses.dataclass(frozen=True)
class RegistryData:
    """What a handle holds for registries: ``customer`` (Openprovider's customer
    ``additional_data``) and ``extensions`` (``extension_additional_data``, by extension)."""

    customer: Pairs = ()
    extensions: tuple[tuple[str, Pairs], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.customer or self.extensions)

    def as_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.customer:
            body["additional_data"] = dict(self.customer)
        if self.extensions:
            body["extension_additional_data"] = [{"name": name, "data": dict(data)} for name, data in self.extensions]
        return body


@dataclasses.dataclass(frozen=True)
class Contact:
    """The DESIGN.md §3 Contact shape, validated."""

    first_name: str
    last_name: str
    email: str
    address1: str
    city: str
    postcode: str
    country: str
    phone: str
    company_name: str = ""
    address2: str = ""
    state: str = ""
    locale: str = ""
    registry: RegistryData = RegistryData()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Contact:
        missing = [name for name in REQUIRED_FIELDS if not _text(data.get(name))]
        if missing:
            raise InvalidContact(f"the contact has no {', '.join(missing)}")
        values = {name: _text(data.get(name)) for name in TEXT_FIELDS}
        contact = cls(**values)
        contact.validate()
        return contact

    def holding(self, customer: Mapping[str, str], extension: str, data: Mapping[str, str]) -> Contact:
        """This contact with the registry data a domain under ``extension`` needs its owner to hold."""
        extensions = ((extension, tuple(sorted(data.items()))),) if data else ()
        return dataclasses.replace(self, registry=RegistryData(tuple(sorted(customer.items())), extensions))

    def validate(self) -> None:
        if not re.fullmatch(r"[A-Za-z]{2}", self.country):
            raise InvalidContact(
                f"the contact's country must be an ISO 3166 two-letter code, not {self.country!r}"
            )
        if "@" not in self.email.strip("@"):
            raise InvalidContact(f"the contact's email {self.email!r} has no @")
        self.parsed_phone()

    def parsed_phone(self) -> Phone:
        try:
            return parse_phone(self.phone, self.country)
        except InvalidPhoneNumber as error:
            raise InvalidContact(f"the contact's phone: {error}") from None

    @property
    def identity_hash(self) -> str:
        return identity_hash(self.first_name, self.last_name, self.company_name)

    @property
    def contact_hash(self) -> str:
        return contact_hash(self)


TEXT_FIELDS = tuple(field.name for field in dataclasses.fields(Contact) if field.name != "registry")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def normalise(text: str) -> str:
    """NFC, single spaces, no ends: the form two spellings of one value share."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def split_address(address1: str, address2: str = "") -> Street:
    line = normalise(address1)
    street = _split_line(line)
    extra = normalise(address2)
    if extra:
        street = dataclasses.replace(street, street=f"{street.street}, {extra}")
    return street


def _split_line(line: str) -> Street:
    for pattern in (_NUMBER_FIRST, _NUMBER_LAST) if line[:1].isdigit() else (_NUMBER_LAST,):
        match = pattern.fullmatch(line)
        if match:
            return Street(
                street=match["street"].strip(" ,"),
                number=match["number"],
                suffix=match["suffix"] or "",
            )
    return Street(street=line)


def initials(first_name: str) -> str:
    parts = re.split(r"[\s\-]+", normalise(first_name))
    return "".join(f"{part[0].upper()}." for part in parts if part)


def locale_for(value: str) -> str:
    text = normalise(value)
    code = _LOCALE_CODE.fullmatch(text)
    if code:
        return f"{code['language'].lower()}_{code['region'].upper()}"
    return WHMCS_LANGUAGES.get(text.lower(), DEFAULT_LOCALE)


def customer_body(contact: Contact) -> dict[str, Any]:
    """The body of ``POST /v1beta/customers`` for this contact."""
    body: dict[str, Any] = {
        "name": {
            "first_name": normalise(contact.first_name),
            "last_name": normalise(contact.last_name),
            "initials": initials(contact.first_name),
            "full_name": normalise(f"{contact.first_name} {contact.last_name}"),
        },
        **customer_update_body(contact),
    }
    company = normalise(contact.company_name)
    if company:
        body["company_name"] = company
    return body


def customer_update_body(contact: Contact) -> dict[str, Any]:
    """The body of ``PUT /v1beta/customers/{handle}``: everything but name and company."""
    street = split_address(contact.address1, contact.address2)
    address = {
        "street": street.street,
        "number": street.number,
        "suffix": street.suffix,
        "zipcode": normalise(contact.postcode),
        "city": normalise(contact.city),
        "state": normalise(contact.state),
        "country": contact.country.upper(),
    }
    return {
        "address": {key: value for key, value in address.items() if value},
        "phone": contact.parsed_phone().as_api(),
        "email": contact.email.strip(),
        "locale": locale_for(contact.locale),
        **contact.registry.as_api(),
    }


def identity_hash(first_name: str, last_name: str, company_name: str = "") -> str:
    return _sha256({"first_name": first_name, "last_name": last_name, "company_name": company_name or ""})


def contact_hash(contact: Contact) -> str:
    fields = {name: getattr(contact, name) for name in TEXT_FIELDS}
    fields.update(
        email=contact.email.strip().lower(),
        country=contact.country.upper(),
        phone=contact.parsed_phone().whmcs,
        locale=locale_for(contact.locale),
    )
    if contact.registry:  # absent from the hashes of contacts without, so theirs never changed
        fields["registry"] = json.dumps(contact.registry.as_api(), sort_keys=True, ensure_ascii=False)
    return _sha256(fields)


def _sha256(fields: Mapping[str, str]) -> str:
    normalised = {key: normalise(value) for key, value in fields.items()}
    payload = json.dumps([HASH_VERSION, normalised], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
