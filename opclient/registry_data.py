"""Where Openprovider takes each piece of registry data, from its own specification.

The ``additional-data`` endpoints name the fields an extension needs but not where each
goes. The request definitions do: a name that is a property of the domain's
``additional_data`` is sent with the domain order; a customer field goes into the owner
handle's ``additional_data`` when that definition has it, else into the handle's
``extension_additional_data`` for the extension. A name none of them has cannot be sent
anywhere Openprovider reads, so it is refused rather than sent under a key of our making.

The sets are the string properties of the swagger definitions named beside each (a test
compares them with the document). ``auth_code`` and ``idn_script`` travel by their own
paths and are left out.
"""
from __future__ import annotations

DOMAIN, CUSTOMER, EXTENSION = "domain", "customer", "extension"
TARGETS = (DOMAIN, CUSTOMER, EXTENSION)

# domainAdditionalData (POST /domains)
DOMAIN_CREATE_DATA = frozenset({
    "abogado_acceptance", "admin_sing_pass_id", "ae_acceptance", "allocation_token", "bank_acceptance",
    "company_registration_number", "coop_acceptance", "customer_uin", "eligibility_type",
    "eligibility_type_relationship", "es_annex_acceptance", "ftld_token", "gay_donation_acceptance",
    "gay_rights_protection_acceptance", "id_number", "id_type", "insurance_acceptance", "intended_use",
    "law_acceptance", "legal_type", "maintainer", "membership_id", "mobile_phone_number_verification",
    "ngo_ong_eligibility_acceptance", "ngo_ong_policy_acceptance", "passport_number", "rurf_blocked_domains",
    "self_service", "trademark", "trademark_id", "travel_acceptance", "vat", "verification_code",
    "vote_acceptance", "voto_acceptance",
})
# domainTransferAdditionalData (POST /domains/transfer)
DOMAIN_TRANSFER_DATA = frozenset({
    "admin_sing_pass_id", "company_registration_number", "customer_uin", "ftld_token", "gay_donation_acceptance",
    "gay_rights_protection_acceptance", "intended_use", "legal_type", "maintainer", "membership_id",
    "mobile_phone_number_verification", "passport_number", "self_service", "trademark", "vat", "verification_code",
})
# customerCustomerAdditionalData (POST /customers additional_data)
CUSTOMER_DATA = frozenset({
    "birth_address", "birth_city", "birth_country", "birth_date", "birth_state", "birth_zipcode",
    "company_registration_city", "company_registration_number", "company_registration_subscription_date",
    "company_url", "headquarters_address", "headquarters_city", "headquarters_country", "headquarters_state",
    "headquarters_zipcode", "passport_number", "social_security_number", "trading_name",
})
# customerExtensionData (POST /customers extension_additional_data[].data)
EXTENSION_DATA = frozenset({
    "admin_type", "applicant_purpose", "birth_date", "company_name_cyrillic", "company_name_latin",
    "company_registration_number", "contact_title", "country_of_citizenship", "customer_uin", "ens_auth_id",
    "ens_key", "first_name_cyrillic", "first_name_latin", "hr_member", "industry_class", "is_private_enterpreneur",
    "last_name_cyrillic", "last_name_latin", "legal_address_cyrillic", "legal_type", "middle_name_cyrillic",
    "middle_name_latin", "mobile_phone_number", "nexus_category", "org_type", "passport_issue_date",
    "passport_issuer", "passport_number", "passport_series", "postal_address_cyrillic", "social_security_number",
    "tax_payer_number", "uin", "user_type", "vat", "website", "whois_email",
})


def domain_target(name: str) -> str | None:
    """Where a field of ``GET /domains/additional-data`` goes: the domain, or nowhere known."""
    return DOMAIN if name in DOMAIN_CREATE_DATA else None


def customer_target(name: str) -> str | None:
    """Where a field of ``GET /domains/additional-data/customers`` goes on the owner handle."""
    if name in CUSTOMER_DATA:
        return CUSTOMER
    if name in EXTENSION_DATA:
        return EXTENSION
    return None
