"""The additional-field table against Openprovider's spec, and what each field becomes."""
from __future__ import annotations

import json

import pytest

from opclient.sandbox.spec import SPEC_PATH
from outbox.additional_fields import KEYS_BY_ACTION, ELSEWHERE, additional_data, unmappable

SPEC_DEFINITIONS = {"register": "domainAdditionalData", "transfer": "domainTransferAdditionalData"}


@pytest.mark.parametrize("action", ["register", "transfer"])
def test_the_keys_are_exactly_the_specs(action: str) -> None:
    definitions = json.loads(SPEC_PATH.read_text())["definitions"]
    assert KEYS_BY_ACTION[action] == set(definitions[SPEC_DEFINITIONS[action]]["properties"])


def test_whmcs_fields_the_spec_lacks_are_named_with_where_openprovider_keeps_them() -> None:
    assert not set(ELSEWHERE) & KEYS_BY_ACTION["register"]
    fields = {"Entity Type": "Individual", "ID Form Number": "12345678Z", "Application Purpose": "P1",
              "Legal Type": "CCO", "Nexus Category": "", "Nickname": "x"}
    refused = unmappable(fields, "register")
    assert [(found.label, found.key) for found in refused] == [
        ("Entity Type", "entity_type"), ("ID Form Number", "id_form_number"),
        ("Application Purpose", "application_purpose"), ("Nickname", "nickname")]
    assert "applicant_purpose in the owner handle's extension data" in refused[2].sentence
    assert refused[3].sentence.endswith("has no such key. Remove the field from this TLD's additional fields "
                                        "in WHMCS, or leave it empty.")


def test_filled_fields_become_openprovider_keys_and_ticks_become_ones() -> None:
    assert additional_data({"Legal Type": " CCO ", "Travel Acceptance": "on", "Vote Acceptance": "",
                            "Law Acceptance": "no"}) == {"legal_type": "CCO", "travel_acceptance": "1",
                                                         "law_acceptance": "0"}
