"""marshmallow schemas of the catalogue's routes (listener.catalogue_api)."""
from __future__ import annotations

from marshmallow import fields, validate

from listener.api_schemas import Answer, Query, UtcDateTime

PRICE_DOCS = {"description": "The reseller's price for one year, a decimal number; null: not offered."}


class TldListQuery(Query):
    search = fields.String(validate=validate.Length(min=1, max=63),
                           metadata={"description": "Only TLDs whose name contains this text."})


class RegistryFieldRecord(Answer):
    name = fields.String(metadata={"description": "Openprovider's name of the field."})
    type = fields.String()
    required = fields.Boolean()
    description = fields.String()
    options = fields.List(fields.List(fields.String()), metadata={"description": "[value, description] pairs."})
    target = fields.String(allow_none=True, validate=validate.OneOf(["domain", "customer", "extension"]),
                           metadata={"description": "Where Openprovider takes it: the domain's additional_data, "
                                     "the owner handle's additional_data or its extension_additional_data; "
                                     "null: nowhere, so orders that need it are refused."})


class TldPrices(Answer):
    create = fields.String(allow_none=True, metadata=PRICE_DOCS)
    renew = fields.String(allow_none=True, metadata=PRICE_DOCS)
    transfer = fields.String(allow_none=True, metadata=PRICE_DOCS)
    restore = fields.String(allow_none=True, metadata=PRICE_DOCS)
    soft_restore = fields.String(allow_none=True, metadata=PRICE_DOCS)
    trade = fields.String(allow_none=True, metadata=PRICE_DOCS)


class TldRecord(Answer):
    name = fields.String(metadata={"description": "The extension without its dot, such as com.au."})
    status = fields.String()
    currency = fields.String()
    prices = fields.Nested(TldPrices)
    min_period = fields.Integer()
    max_period = fields.Integer()
    epp_required = fields.Boolean(metadata={"description": "A transfer needs the auth code."})
    grace_days = fields.Integer(metadata={"description": "Days after expiry it can be restored at the soft restore price."})
    quarantine_days = fields.Integer(metadata={"description": "Days after those it can be restored at the restore price."})
    dnssec = fields.Dict(keys=fields.String())
    handles = fields.List(fields.String())
    registry_fields = fields.List(fields.Nested(RegistryFieldRecord))
    changed_at = UtcDateTime(allow_none=True)
    refreshed_at = UtcDateTime(allow_none=True)


class TldList(Answer):
    tlds = fields.List(fields.Nested(TldRecord))


class ImportItemRecord(Answer):
    extension = fields.String(metadata={"description": "With its dot: .com.au"})
    min_years = fields.Integer()
    max_years = fields.Integer()
    register_price = fields.String(allow_none=True, metadata={"description": "Cost for the minimum term."})
    renew_price = fields.String(allow_none=True, metadata={"description": "Cost for the minimum term; null: not offered."})
    transfer_price = fields.String(allow_none=True, metadata={"description": "Cost for the minimum term; null: not offered."})
    grace_days = fields.Integer()
    grace_fee = fields.String(allow_none=True)
    redemption_days = fields.Integer()
    redemption_fee = fields.String(allow_none=True)
    currency = fields.String()
    epp_required = fields.Boolean()


class TldPricing(Answer):
    tlds = fields.List(fields.Nested(ImportItemRecord))
