"""WHMCS's additional domain fields as Openprovider's ``additional_data``, and a refusal for
each field that has no key there.

WHMCS sends a TLD's additional fields by their label ("Legal Type", "Intended Use"); the
label in snake case is the Openprovider key when the swagger's ``domainAdditionalData``
(registrations) or ``domainTransferAdditionalData`` (transfers) has it. Any other key would
be dropped by Openprovider without a word, so the registration would go ahead without the
registry's data: such a field is refused at intake instead, with the reason.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TICKED = {"on", "yes", "true", "1"}

# The properties of the swagger's domainAdditionalData and domainTransferAdditionalData.
REGISTRATION_KEYS = frozenset({
    "abogado_acceptance", "admin_sing_pass_id", "ae_acceptance", "allocation_token", "auth_code",
    "bank_acceptance", "company_registration_number", "coop_acceptance", "customer_uin",
    "customer_uin_doc_type", "domain_name_variants", "eligibility_type", "eligibility_type_relationship",
    "es_annex_acceptance", "ftld_token", "gay_donation_acceptance", "gay_rights_protection_acceptance",
    "id_number", "id_type", "idn_script", "insurance_acceptance", "intended_use", "law_acceptance",
    "legal_type", "maintainer", "membership_id", "mobile_phone_number_verification",
    "ngo_ong_eligibility_acceptance", "ngo_ong_policy_acceptance", "passport_number", "rurf_blocked_domains",
    "self_service", "trademark", "trademark_id", "travel_acceptance", "vat", "verification_code",
    "vote_acceptance", "voto_acceptance",
})
TRANSFER_KEYS = frozenset({
    "admin_sing_pass_id", "auth_code", "company_registration_number", "customer_uin", "customer_uin_doc_type",
    "domain_name_variants", "ftld_token", "gay_donation_acceptance", "gay_rights_protection_acceptance",
    "idn_script", "intended_use", "legal_type", "maintainer", "membership_id",
    "mobile_phone_number_verification", "passport_number", "self_service", "trademark", "vat",
    "verification_code",
})
KEYS_BY_ACTION = {"register": REGISTRATION_KEYS, "transfer": TRANSFER_KEYS}

# Fields WHMCS ships (resources/domains/dist.additionalfields.php) that Openprovider takes
# elsewhere, if at all: what the refusal tells the admin. Any other unknown key gets the
# general sentence.
ELSEWHERE = {
    "entity_type": "Openprovider reads the .eu entity from the owner's handle (company name or none)",
    "eu_country_of_citizenship": "Openprovider takes it as country_of_citizenship in the owner handle's "
                                 "extension data, which opbridge does not fill yet",
    "nexus_category": "Openprovider takes it as nexus_category in the owner handle's extension data, "
                      "which opbridge does not fill yet",
    "application_purpose": "Openprovider takes it as applicant_purpose in the owner handle's extension data, "
                           "which opbridge does not fill yet",
    "id_form_type": "Openprovider takes the identity document on the owner handle, which opbridge does not fill yet",
    "id_form_number": "Openprovider takes the identity document on the owner handle, which opbridge does not fill yet",
    "legal_form": "Openprovider takes the legal form on the owner handle, which opbridge does not fill yet",
}


@dataclass(frozen=True)
class Unmappable:
    """One additional field with no Openprovider key, and the sentence that says so."""

    label: str
    key: str

    @property
    def sentence(self) -> str:
        reason = ELSEWHERE.get(self.key, "Openprovider's domain additional data has no such key")
        return (f"The additional domain field {self.label!r} ({self.key}) cannot be sent to Openprovider: "
                f"{reason}. Remove the field from this TLD's additional fields in WHMCS, or leave it empty.")


def openprovider_key(label: str) -> str:
    """A WHMCS field label in snake case: "Legal Type" is ``legal_type``."""
    return re.sub(r"[^a-z0-9]+", "_", str(label).lower()).strip("_")


def filled(fields: Mapping[str, Any]) -> dict[str, str]:
    """The fields with a value, by label: an empty field is not sent, so never refused."""
    return {str(label): str(value).strip() for label, value in fields.items()
            if openprovider_key(label) and str(value).strip()}


def unmappable(fields: Mapping[str, Any], action: str) -> list[Unmappable]:
    """The filled fields a registration (``register``) or transfer has no Openprovider key for."""
    keys = KEYS_BY_ACTION[action]
    return [Unmappable(label, openprovider_key(label)) for label in filled(fields)
            if openprovider_key(label) not in keys]


def additional_data(fields: Mapping[str, Any]) -> dict[str, str]:
    """The filled fields under their Openprovider keys; a ticked acceptance box is sent as "1"."""
    data = {}
    for label, text in filled(fields).items():
        key = openprovider_key(label)
        data[key] = ("1" if text.lower() in TICKED else "0") if key.endswith("_acceptance") else text
    return data
