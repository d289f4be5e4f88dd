"""marshmallow schemas for the event envelope and the data of every event type.

Loading validates and normalises (domain names, country codes) and gives plain JSON
for command payloads: dates stay ISO text. Unknown fields are dropped here but stay in
the stored raw body.
"""
from __future__ import annotations

import base64
import binascii
import ipaddress
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from listener.domains import normalise_domain
from outbox import dnssec, host_records


class Strict(Schema):
    class Meta:
        unknown = EXCLUDE


class DomainName(fields.String):
    """A domain name in any accepted spelling, loaded as lower-case punycode."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalise_domain(text)
        except ValueError as error:
            raise ValidationError(f"{text!r} {error}.") from None


class Nameserver(fields.Field):
    """``host`` or ``host/ip``, loaded as ``{"name": host, "ip": ip or None}``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, str | None]:
        if not isinstance(value, str):
            raise ValidationError("Must be a string: a host name, or host/ip.")
        host, _, ip = value.partition("/")
        try:
            name = normalise_domain(host)
        except ValueError as error:
            raise ValidationError(f"The host {host!r} {error}.") from None
        return {"name": name, "ip": _ip_address(ip) if ip else None}


def _ip_address(text: str) -> str:
    """An IPv4 or IPv6 address in its canonical spelling."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        raise ValidationError(f"{text!r} is not an IPv4 or IPv6 address.") from None


class IsoDate(fields.Date):
    """A date, checked and loaded as its ISO text, so loaded data needs no dump to be JSON."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).isoformat()

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


def _nameserver_list(servers: list[dict[str, Any]]) -> None:
    if len(servers) == 1 or len(servers) > 5:
        raise ValidationError("List none (to use the default nameservers) or 2 to 5 nameservers.")
    names = [server["name"] for server in servers]
    if len(set(names)) != len(names):
        raise ValidationError("Each nameserver may be listed only once.")


# WHMCS's ids are INT columns, and the mirror keeps them in INTEGER ones: a larger number
# names nothing in WHMCS and would fail later, in a worker, instead of here.
MAX_WHMCS_ID = 2**31 - 1


def _id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_WHMCS_ID), **kwargs)


def _text(max_length: int = 255, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


def _optional_text(max_length: int = 255) -> fields.String:
    return fields.String(validate=validate.Length(max=max_length), load_default=None, allow_none=True)


def _premium_cost() -> fields.String:
    """What WHMCS charged for a premium name (its ``premiumCost``, in Openprovider's currency):
    a decimal number, kept as text so the stored payload is plain JSON."""
    return fields.String(load_default=None, allow_none=True,
                         validate=validate.Regexp(r"^[0-9]{1,7}(\.[0-9]{1,2})?$", error="Not a price such as 1250.00."))


def _nameservers(**kwargs: Any) -> fields.List:
    return fields.List(Nameserver(), validate=_nameserver_list, **kwargs)


class ContactSchema(Strict):
    first_name = _text(required=True)
    last_name = _text(required=True)
    company_name = _optional_text()
    email = fields.Email(required=True)
    address1 = _text(required=True)
    address2 = _optional_text()
    city = _text(required=True)
    state = _optional_text()
    postcode = _text(32, required=True)
    country = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Z]{2}$", error="Must be an ISO 3166 alpha-2 country code, such as NL."),
    )
    phone = fields.String(
        required=True,
        validate=validate.Regexp(r"^\+\d{1,3}\.\d{4,14}$", error="Must be in WHMCS full form, such as +31.201234567."),
    )
    locale = _optional_text(16)


def _contact(**kwargs: Any) -> fields.Nested:
    return fields.Nested(ContactSchema, **kwargs)


def _optional_contact() -> fields.Nested:
    return _contact(load_default=None, allow_none=True)


class DomainRef(Strict):
    """The two fields every domain event carries."""

    domain_id = _id(required=True)
    domain = DomainName(required=True)


class DomainItemSchema(DomainRef):
    period_years = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=10))
    nameservers = _nameservers(required=True)
    id_protection = fields.Boolean(required=True)
    dns_management = fields.Boolean(required=True)
    autorenew = fields.Boolean(required=True)
    epp_code = _optional_text()
    additional_fields = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)
    idn_language = _optional_text(16)
    expiry_date = IsoDate(load_default=None, allow_none=True)
    premium_cost = _premium_cost()


class OrderDomainSchema(DomainItemSchema):
    action = fields.String(required=True, validate=validate.OneOf(["register", "transfer"]))


class InvoiceItemSchema(DomainItemSchema):
    kind = fields.String(required=True, validate=validate.OneOf(["register", "transfer", "renew", "id_protection"]))
    # The WHMCS invoice item id: with invoice_id it names one paid item across redeliveries.
    item_id = _id(load_default=None, allow_none=True)


class OrderAcceptedSchema(Strict):
    order_id = _id(required=True)
    client_id = _id(required=True)
    registrant = _contact(required=True)
    admin = _optional_contact()
    domains = fields.List(fields.Nested(OrderDomainSchema), required=True, validate=validate.Length(min=1))


class InvoicePaidSchema(Strict):
    invoice_id = _id(required=True)
    client_id = _id(required=True)
    registrant = _contact(required=True)
    admin = _optional_contact()
    items = fields.List(fields.Nested(InvoiceItemSchema), required=True, validate=validate.Length(min=1))


class AutorenewChangedSchema(DomainRef):
    autorenew = fields.Boolean(required=True)


class IdProtectionChangedSchema(DomainRef):
    enabled = fields.Boolean(required=True)


class NameserversChangedSchema(DomainRef):
    nameservers = _nameservers(required=True)


class LockChangedSchema(DomainRef):
    locked = fields.Boolean(required=True)


class ContactsChangedSchema(DomainRef):
    registrant = _contact(required=True)
    admin = _optional_contact()
    tech = _optional_contact()
    billing = _optional_contact()


class DomainEditedSchema(DomainRef):
    autorenew = fields.Boolean(required=True)
    id_protection = fields.Boolean(required=True)
    status = _optional_text(32)
    expiry_date = IsoDate(load_default=None, allow_none=True)
    next_due_date = IsoDate(load_default=None, allow_none=True)


class RegistrationRequestedSchema(DomainItemSchema):
    """A registrar module's RegisterDomain: one domain, with the contacts WHMCS gave it."""

    client_id = _id(load_default=None, allow_none=True)
    registrant = _contact(required=True)
    admin = _optional_contact()


class TransferRequestedSchema(RegistrationRequestedSchema):
    """A registrar module's TransferDomain; the auth code travels in ``epp_code``."""


class RenewalRequestedSchema(DomainRef):
    """A registrar module's RenewDomain. ``expiry_date`` is the WHMCS expiry the renewal
    starts from: with the domain id and the years it names one renewal on every path."""

    period_years = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=10))
    expiry_date = IsoDate(load_default=None, allow_none=True)
    premium_cost = _premium_cost()


class IpAddress(fields.String):
    """An IPv4 or IPv6 address, loaded in its canonical spelling."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return _ip_address(super()._deserialize(value, attr, data, **kwargs))


class PrivateNameserverChangedSchema(DomainRef):
    """A registrar module's Register/Modify/DeleteNameserver: the glue host ``nameserver``
    under the domain gets ``ip``, or is deleted when ``ip`` is null."""

    nameserver = DomainName(required=True)
    ip = IpAddress(load_default=None, allow_none=True)

    @validates_schema
    def _under_the_domain(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "nameserver" in data and "domain" in data and not data["nameserver"].endswith("." + data["domain"]):
            raise ValidationError(f"Must be a host under {data['domain']}, such as ns1.{data['domain']}.",
                                  "nameserver")


class HostRecordRow(Strict):
    """One row of WHMCS's DNS page, as SaveDNS gets it in ``dnsrecords``."""

    hostname = fields.String(load_default="", validate=validate.Length(max=253))
    type = fields.String(load_default="", validate=validate.Length(max=10))
    address = fields.String(load_default="", validate=validate.Length(max=4096))
    priority = fields.Raw(load_default=None, allow_none=True)
    recid = fields.String(load_default="", validate=validate.Length(max=8192))


class DnsChangedSchema(DomainRef):
    """A registrar module's SaveDNS: every row WHMCS's page sent, loaded as ``changes``, one
    per row that differs from the record its ``recid`` says it was read as."""

    records = fields.List(fields.Nested(HostRecordRow), required=True, validate=validate.Length(max=500))

    @post_load
    def _changes(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        try:
            found = host_records.changes(data["domain"], data.pop("records"))
        except host_records.InvalidRow as error:
            raise ValidationError(str(error), "records") from None
        return {**data, "changes": [change.as_payload() for change in found]}


class PublicKey(fields.String):
    """A DNSKEY's public key in base64; spaces and line breaks (as DNS hosts show it) dropped."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = "".join(super()._deserialize(value, attr, data, **kwargs).split())
        try:
            if not base64.b64decode(text, validate=True):
                raise ValueError("empty")
        except (binascii.Error, ValueError):
            raise ValidationError("Must be the key's public key in base64, as the DNS host shows it.") from None
        return text


class DnssecKeyChange(Strict):
    """One DNSSEC key to add or remove, in Openprovider's names for its parts."""

    action = fields.String(required=True, validate=validate.OneOf(dnssec.ACTIONS))
    flags = fields.Integer(required=True, validate=validate.OneOf(
        sorted(dnssec.KEY_FLAGS), error="Must be 257 (a key-signing key) or 256 (a zone-signing key)."))
    alg = fields.Integer(required=True, validate=validate.Range(min=1, max=255))
    protocol = fields.Integer(load_default=dnssec.DNSSEC_PROTOCOL, validate=validate.Equal(
        dnssec.DNSSEC_PROTOCOL, error="Must be 3, the only DNSKEY protocol."))
    pub_key = PublicKey(required=True, validate=validate.Length(max=4096))


class DnssecChangedSchema(DomainRef, DnssecKeyChange):
    """The registrar module's DNSSEC page: one key added or removed."""


class SourceSchema(Strict):
    system_url = fields.String(load_default=None, allow_none=True)
    whmcs_version = fields.String(load_default=None, allow_none=True)


class EnvelopeSchema(Strict):
    type = fields.String(required=True)
    occurred_at = fields.DateTime(required=True)
    source = fields.Nested(SourceSchema, load_default=None, allow_none=True)
    data = fields.Dict(keys=fields.String(), required=True)


ENVELOPE = EnvelopeSchema()

EVENT_DATA: dict[str, Schema] = {
    "order.accepted": OrderAcceptedSchema(),
    "invoice.paid": InvoicePaidSchema(),
    "domain.autorenew_changed": AutorenewChangedSchema(),
    "domain.id_protection_changed": IdProtectionChangedSchema(),
    "domain.nameservers_changed": NameserversChangedSchema(),
    "domain.lock_changed": LockChangedSchema(),
    "domain.contacts_changed": ContactsChangedSchema(),
    "domain.delete_requested": DomainRef(),
    "domain.edited": DomainEditedSchema(),
    "domain.registration_requested": RegistrationRequestedSchema(),
    "domain.transfer_requested": TransferRequestedSchema(),
    "domain.renewal_requested": RenewalRequestedSchema(),
    "domain.private_nameserver_changed": PrivateNameserverChangedSchema(),
    "domain.dns_changed": DnsChangedSchema(),
    "domain.dnssec_changed": DnssecChangedSchema(),
    "domain.registrant_verification_resend": DomainRef(),
}
