"""The TLD catalogue under ``/api/v1/tlds``: what Openprovider sells, as the last refresh
read it; and under ``/api/v1/registrar/tld-pricing`` the same as WHMCS's TLD & Pricing
Sync imports it (the registrar module's ``GetTldPricing``)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint

from listener import api_common
from listener.catalogue_schemas import TldList, TldListQuery, TldPricing, TldRecord
from listener.errors import Refusal
from listener.openapi import describe_blueprint, operation
from listener.services import services
from outbox.catalogue import all_entries, entry_for
from outbox.catalogue.pricing import import_items

bp = Blueprint("catalogue_api", __name__, url_prefix="/api/v1/tlds")
bp.before_request(api_common.require_token)
describe_blueprint(bp, "TLD catalogue", errors=(401, 403, 503), bearer_token=True)
pricing_bp = Blueprint("tld_pricing_api", __name__, url_prefix="/api/v1/registrar")
pricing_bp.before_request(api_common.require_token)
describe_blueprint(pricing_bp, "registrar module", errors=(401, 403, 503), bearer_token=True)


@bp.get("")
@operation("Every TLD in the catalogue, by name", answers={200: TldList}, errors=(400,), query=TldListQuery)
def list_tlds() -> dict[str, Any]:
    query = api_common.query_args(TldListQuery())
    entries = all_entries(services().engine, search=query.get("search"))
    return TldList().dump({"tlds": [entry.as_dict() for entry in entries]})


@bp.get("/<name>")
@operation("One TLD: prices, periods, grace and quarantine, DNSSEC and registry data", answers={200: TldRecord},
           errors=(404,))
def show_tld(name: str) -> dict[str, Any]:
    entry = entry_for(services().engine, name[:63])
    if entry is None:
        raise Refusal(404, "not_found", f"The catalogue has no TLD {name[:63]!r}; `opbridge tlds refresh` reads "
                      "Openprovider's list.")
    return TldRecord().dump(entry.as_dict())


@pricing_bp.get("/tld-pricing")
@operation("Every TLD with its cost prices for the minimum term, as WHMCS's TLD & Pricing Sync imports them",
           answers={200: TldPricing})
def tld_pricing() -> dict[str, Any]:
    return TldPricing().dump({"tlds": import_items(all_entries(services().engine))})
