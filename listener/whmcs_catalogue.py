"""What WHMCS reads from the catalogue: the additional domain fields its cart asks
(``GET /whmcs/additional-fields``), for the function an admin includes in
``<whmcs>/resources/domains/additionalfields.php``.

The fields are Openprovider's published registry requirements, nothing secret, and
WHMCS reads them on cart pages where the registrar module's token is not at hand, so
this one route needs no token.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint
from marshmallow import fields

from listener.api_schemas import Answer
from listener.openapi import describe_blueprint, operation
from listener.services import services
from outbox.catalogue import all_entries
from outbox.catalogue.whmcs_fields import whmcs_fields

bp = Blueprint("whmcs_catalogue", __name__, url_prefix="/whmcs")
describe_blueprint(bp, "WHMCS additional fields", errors=(503,))


class WhmcsField(Answer):
    Name = fields.String(metadata={"description": "Openprovider's field name: the key the value reaches the module under."})
    DisplayName = fields.String()
    Type = fields.String(metadata={"description": "text, dropdown or tickbox."})
    Options = fields.String(metadata={"description": "value|label pairs, comma-separated (dropdowns)."})
    Required = fields.Boolean()
    Size = fields.Integer()


class AdditionalFields(Answer):
    extensions = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(WhmcsField)),
                             metadata={"description": "By extension with its dot (.es, .com.au)."})


@bp.get("/additional-fields")
@operation("The WHMCS additional domain fields of every TLD whose registrations need registry data",
           answers={200: AdditionalFields})
def additional_fields() -> dict[str, Any]:
    return AdditionalFields().dump({"extensions": whmcs_fields(all_entries(services().engine))})
