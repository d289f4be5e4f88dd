"""WHMCS's additional domain fields generated from the catalogue: the admin's
additionalfields.php includes the module's function once, the fields follow the
catalogue afterwards, the admin's own fields stay, and the checkout hook refuses a cart
whose registry data is missing or not one of the options."""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pytest

from opclient import OpenproviderClient
from outbox.catalogue import refresh_catalogue
from tests.registrar.conftest import PHP, REPO, Opbridge, Whmcs, unreachable_url

pytestmark = pytest.mark.skipif(PHP is None, reason="php-cli is not installed (apt-get install php-cli php-curl php-sqlite3)")

ADMIN_FILE = f"""<?php
$additionaldomainfields[".co.uk"][] = ["Name" => "Legal Type", "Type" => "dropdown", "Options" => "IND|Individual,LTD|Limited"];
$additionaldomainfields[".es"][] = ["Name" => "Old hand-written field", "Type" => "text"];
require_once '{REPO}/whmcs/modules/registrars/opbridge/lib/additionalfields.php';
opbridge_additional_domain_fields($additionaldomainfields);
"""


def refreshed(opbridge: Opbridge) -> None:
    with OpenproviderClient(opbridge.sandbox.url, "sandbox", "sandbox") as client:
        refresh_catalogue(client, opbridge.engine)


def forget_cached_fields(opbridge: Opbridge) -> None:
    """What 10 minutes do: the module asks opbridge again."""
    cache = Path(tempfile.gettempdir()) / f"opbridge-fields-{hashlib.md5(opbridge.base_url.encode()).hexdigest()}.json"
    cache.unlink(missing_ok=True)


def test_fields_follow_the_catalogue_and_leave_the_admins_own_alone(opbridge: Opbridge, whmcs: Whmcs) -> None:
    refreshed(opbridge)
    forget_cached_fields(opbridge)
    fields = whmcs.additional_fields(ADMIN_FILE)["fields"]
    assert fields[".co.uk"] == [{"Name": "Legal Type", "Type": "dropdown", "Options": "IND|Individual,LTD|Limited"}]
    assert fields[".es"] == [{"Name": "social_security_number", "DisplayName": "Spanish ID number (NIF/NIE)",
                              "Required": True, "Type": "text", "Size": 30}]
    us = {field["Name"]: field for field in fields[".us"]}
    assert us["nexus_category"]["Type"] == "dropdown" and us["nexus_category"]["Options"].startswith("C11|US citizen,")
    assert [field["Name"] for field in fields[".com.au"]] == ["eligibility_type", "company_registration_number"]
    assert ".com" not in fields and ".nl" not in fields

    # Openprovider starts asking .nl registrants for a field: no PHP is edited for WHMCS to ask it too.
    opbridge.sandbox.seed(tlds={"nl": {"customer_fields": [
        {"name": "company_registration_number", "type": "text", "required": False, "description": "KvK number"}]}})
    refreshed(opbridge)
    forget_cached_fields(opbridge)
    fields = whmcs.additional_fields(ADMIN_FILE)["fields"]
    assert fields[".nl"][0]["Name"] == "company_registration_number"

    # An opbridge that never answered: the admin's file works as written, and the log says why.
    whmcs.hook_url = f"{unreachable_url()}/hooks/whmcs"
    down = whmcs.additional_fields(ADMIN_FILE)
    assert down["fields"] == {".co.uk": fields[".co.uk"], ".es": [{"Name": "Old hand-written field", "Type": "text"}]}
    assert down["module_log"][-1]["processed"] == "no fields"


def test_checkout_refuses_missing_or_wrong_registry_data(opbridge: Opbridge, whmcs: Whmcs) -> None:
    refreshed(opbridge)
    forget_cached_fields(opbridge)
    cart = {"cart": {"domains": [
        {"type": "register", "domain": "ejemplo.es", "fields": {}},
        {"type": "register", "domain": "example.us", "fields": ["C99", "P3"]},
        {"type": "transfer", "domain": "example.com.au", "fields": {"eligibility_type": "Company",
                                                                    "company_registration_number": "51 824"}},
        {"type": "register", "domain": "plain.com"},
    ]}}
    [errors] = whmcs.fire("ShoppingCartValidateCheckout", {"a": "checkout", "submit": "true"}, session=cart)["results"]
    assert errors == [
        "ejemplo.es: Spanish ID number (NIF/NIE) (social_security_number) is required for .es.",
        'example.us: Nexus category (nexus_category) cannot be "C99".',
    ]
    cart["cart"]["domains"][:2] = [{"type": "register", "domain": "ejemplo.es", "fields": ["12345678Z"]}]
    [errors] = whmcs.fire("ShoppingCartValidateCheckout", {"a": "checkout", "submit": "true"}, session=cart)["results"]
    assert errors == []
