"""Registry data through the registrar module under php-cli: each value lands where
Openprovider's specification puts it (the sandbox checks every request against the
swagger and refuses an order without what the TLD requires), and a missing one is
refused at intake with the field named."""
from __future__ import annotations

from typing import Any

import pytest

from opclient import OpenproviderClient
from outbox.catalogue import refresh_catalogue
from tests.registrar.conftest import PHP, Opbridge, Whmcs
from tests.registrar.test_module import CONTACT, domain

pytestmark = pytest.mark.skipif(PHP is None, reason="php-cli is not installed (apt-get install php-cli php-curl php-sqlite3)")

ORDERS = {
    "ejemplo.es": {"social_security_number": "12345678Z"},
    "beispiel.eu": {"country_of_citizenship": "DE"},
    "example.us": {"nexus_category": "C11", "applicant_purpose": "P3"},
    "esempio.it": {"legal_type": "1"},
    "example.com.au": {"eligibility_type": "Company", "company_registration_number": "51 824 753 556"},
}


def refreshed(opbridge: Opbridge) -> None:
    with OpenproviderClient(opbridge.sandbox.url, "sandbox", "sandbox") as client:
        refresh_catalogue(client, opbridge.engine)


def owner_of(opbridge: Opbridge, name: str) -> dict[str, Any]:
    handle = opbridge.sandbox.domain(name)["owner_handle"]
    [owner] = [customer for customer in opbridge.sandbox.customers() if customer["handle"] == handle]
    return owner


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_each_tld_is_registered_with_its_data_where_the_spec_puts_it(opbridge: Opbridge, whmcs: Whmcs) -> None:
    refreshed(opbridge)
    for number, (name, fields) in enumerate(ORDERS.items(), start=40):
        years = 2 if name.endswith(".au") else 1  # .com.au is sold for two years
        answer = whmcs.call("RegisterDomain", domain(number, name, ns1="ns1.example.net", ns2="ns2.example.net",
                                                     additionalfields=fields, **CONTACT, regperiod=years))
        assert answer["result"] == {"success": True}, answer
    drained = opbridge.drain()
    assert drained == {"done": len(ORDERS)}, opbridge.query("SELECT aggregate_key, last_error FROM commands WHERE status = 'dead'")
    # the sandbox refuses what the swagger or the TLD does not allow
    assert owner_of(opbridge, "ejemplo.es")["additional_data"] == {"social_security_number": "12345678Z"}
    assert extension_data(opbridge, "beispiel.eu")["eu"] == {"country_of_citizenship": "DE"}
    assert extension_data(opbridge, "example.us")["us"] == {"applicant_purpose": "P3", "nexus_category": "C11"}
    assert extension_data(opbridge, "esempio.it")["it"] == {"legal_type": "1"}
    create = [call for (calls,) in opbridge.query("SELECT calls FROM attempts") for call in _calls(calls)
              if call.get("path") == "/v1beta/domains" and call["request"]["domain"]["extension"] == "com.au"]
    assert create[0]["request"]["additional_data"] == ORDERS["example.com.au"]
    # One person, one handle: each order's registry data joined the handle the first one made.
    assert len({owner_of(opbridge, name)["handle"] for name in ORDERS}) == 1


def extension_data(opbridge: Opbridge, name: str) -> dict[str, dict[str, str]]:
    return {entry["name"]: entry["data"] for entry in owner_of(opbridge, name).get("extension_additional_data") or ()}


def _calls(value: Any) -> list[dict[str, Any]]:
    import json

    return json.loads(value) if isinstance(value, str) else value or []


def test_a_missing_or_unknown_field_is_refused_at_intake_with_its_name(opbridge: Opbridge, whmcs: Whmcs) -> None:
    refreshed(opbridge)
    missing = whmcs.call("RegisterDomain", domain(50, "example.us", ns1="ns1.example.net", ns2="ns2.example.net",
                                                  additionalfields={"nexus_category": "C11"}, **CONTACT))
    assert "applicant_purpose" in missing["result"]["error"] and "required for .us" in missing["result"]["error"]
    invented = whmcs.call("RegisterDomain", domain(51, "esempio.it", ns1="ns1.example.net", ns2="ns2.example.net",
                                                   additionalfields={"legal_type": "1", "Entity Type": "1"}, **CONTACT))
    assert "entity_type is not registry data .it takes" in invented["result"]["error"]
    wrong = whmcs.call("RegisterDomain", domain(52, "example.us", ns1="ns1.example.net", ns2="ns2.example.net",
                                                additionalfields={"nexus_category": "C99", "applicant_purpose": "P3"},
                                                **CONTACT))
    assert "must be one of C11, C12" in wrong["result"]["error"]
    assert opbridge.query("SELECT id FROM commands") == [] and missing["spool"] == []
