from __future__ import annotations

import pytest

from opclient.contacts import (
    Contact,
    InvalidContact,
    Street,
    customer_body,
    customer_update_body,
    initials,
    locale_for,
    split_address,
)

WHMCS_CONTACT = {
    "first_name": "Jan Pieter",
    "last_name": "de Vries",
    "company_name": "Grachten BV",
    "email": "Jan@Example.nl",
    "address1": "Keizersgracht 123a",
    "address2": "",
    "city": "Amsterdam",
    "state": "Noord-Holland",
    "postcode": "1015 CJ",
    "country": "nl",
    "phone": "+31.201234567",
    "locale": "dutch",
}


@pytest.mark.parametrize(
    ("address1", "expected"),
    [
        ("Keizersgracht 123a", Street("Keizersgracht", "123", "a")),
        ("Keizersgracht 123 A", Street("Keizersgracht", "123", "A")),
        ("Keizersgracht 123-2", Street("Keizersgracht", "123", "2")),
        ("Keizersgracht, 123", Street("Keizersgracht", "123")),
        ("Rue de Rivoli 10 bis", Street("Rue de Rivoli", "10", "bis")),
        ("Hauptstraße 5", Street("Hauptstraße", "5")),
        ("123 Main St", Street("Main St", "123")),
        ("12B Baker Street", Street("Baker Street", "12", "B")),
        ("1st Avenue", Street("1st Avenue")),
        ("Main Street", Street("Main Street")),
        ("  Keizersgracht   123a ", Street("Keizersgracht", "123", "a")),
    ],
)
def test_split_address(address1: str, expected: Street) -> None:
    assert split_address(address1) == expected


def test_address2_is_kept_in_the_street() -> None:
    assert split_address("Keizersgracht 123a", "3rd floor") == Street("Keizersgracht, 3rd floor", "123", "a")


@pytest.mark.parametrize(
    ("first_name", "expected"),
    [("Jan", "J."), ("Jan Pieter", "J.P."), ("anne-marie", "A.M."), ("Émile", "É.")],
)
def test_initials(first_name: str, expected: str) -> None:
    assert initials(first_name) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("dutch", "nl_NL"),
        ("English", "en_GB"),
        ("nl-nl", "nl_NL"),
        ("de_DE", "de_DE"),
        ("", "en_GB"),
        ("klingon", "en_GB"),
    ],
)
def test_locale(value: str, expected: str) -> None:
    assert locale_for(value) == expected


def test_customer_body_maps_every_field() -> None:
    body = customer_body(Contact.from_dict(WHMCS_CONTACT))
    assert body == {
        "name": {
            "first_name": "Jan Pieter",
            "last_name": "de Vries",
            "initials": "J.P.",
            "full_name": "Jan Pieter de Vries",
        },
        "company_name": "Grachten BV",
        "address": {
            "street": "Keizersgracht",
            "number": "123",
            "suffix": "a",
            "zipcode": "1015 CJ",
            "city": "Amsterdam",
            "state": "Noord-Holland",
            "country": "NL",
        },
        "phone": {"country_code": "+31", "area_code": "20", "subscriber_number": "1234567"},
        "email": "Jan@Example.nl",
        "locale": "nl_NL",
    }


def test_update_body_leaves_out_name_and_company() -> None:
    body = customer_update_body(Contact.from_dict(WHMCS_CONTACT))
    assert "name" not in body and "company_name" not in body
    assert body["phone"]["area_code"] == "20"


def test_no_company_means_no_company_field() -> None:
    body = customer_body(Contact.from_dict({**WHMCS_CONTACT, "company_name": None}))
    assert "company_name" not in body


def test_contact_hash_ignores_spelling_noise() -> None:
    noisy = {
        **WHMCS_CONTACT,
        "first_name": " Jan  Pieter ",
        "email": "jan@example.NL",
        "country": "NL",
        "phone": "+31.20 123 45 67",
        "locale": "nl_NL",
    }
    assert Contact.from_dict(noisy).contact_hash == Contact.from_dict(WHMCS_CONTACT).contact_hash


@pytest.mark.parametrize(
    "field", ["email", "address1", "city", "postcode", "phone", "first_name", "company_name"]
)
def test_contact_hash_changes_with_any_field(field: str) -> None:
    values = {"phone": "+31.201234568", "email": "other@example.nl"}
    changed = Contact.from_dict({**WHMCS_CONTACT, field: values.get(field, "Other 1")})
    assert changed.contact_hash != Contact.from_dict(WHMCS_CONTACT).contact_hash


def test_identity_hash_covers_name_and_company_only() -> None:
    base = Contact.from_dict(WHMCS_CONTACT)
    moved = Contact.from_dict({**WHMCS_CONTACT, "address1": "Herengracht 1", "email": "new@example.nl"})
    renamed = Contact.from_dict({**WHMCS_CONTACT, "last_name": "Jansen"})
    new_company = Contact.from_dict({**WHMCS_CONTACT, "company_name": "Other BV"})
    assert moved.identity_hash == base.identity_hash
    assert renamed.identity_hash != base.identity_hash
    assert new_company.identity_hash != base.identity_hash


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"email": ""}, "no email"),
        ({"first_name": None, "city": " "}, "no first_name, city"),
        ({"country": "Netherlands"}, "two-letter"),
        ({"email": "nobody"}, "no @"),
        ({"phone": "call me"}, "phone"),
    ],
)
def test_invalid_contacts_are_refused_with_the_reason(change: dict, reason: str) -> None:
    with pytest.raises(InvalidContact, match=reason):
        Contact.from_dict({**WHMCS_CONTACT, **change})
