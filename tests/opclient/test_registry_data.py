"""The registry-data targets are the swagger's own definitions, not a list of our making."""
from __future__ import annotations

import json

from opclient import registry_data
from opsandbox.spec import SPEC_PATH


def _string_properties(definition: str) -> set[str]:
    definitions = json.loads(SPEC_PATH.read_text(encoding="utf-8"))["definitions"]
    return {name for name, schema in definitions[definition]["properties"].items() if schema.get("type") == "string"}


def test_each_target_is_the_string_properties_of_its_swagger_definition() -> None:
    travels_alone = {"auth_code", "idn_script"}
    assert registry_data.DOMAIN_CREATE_DATA == _string_properties("domainAdditionalData") - travels_alone
    assert registry_data.DOMAIN_TRANSFER_DATA == _string_properties("domainTransferAdditionalData") - travels_alone
    assert registry_data.CUSTOMER_DATA == _string_properties("customerCustomerAdditionalData")
    assert registry_data.EXTENSION_DATA == _string_properties("customerExtensionData")


def test_a_customer_field_goes_to_the_handle_definition_that_has_it() -> None:
    assert registry_data.customer_target("social_security_number") == "customer"  # in both: the customer's own
    assert registry_data.customer_target("nexus_category") == "extension"
    assert registry_data.customer_target("eu_country_of_citizenship") is None
    assert registry_data.domain_target("eligibility_type") == "domain"
    assert registry_data.domain_target("entity_type") is None
