"""GetTldPricing under php-cli: WHMCS's TLD & Pricing Sync imports every TLD of the
catalogue as an ImportItem, built with the published setters only (the stand-in has no
other member, so any other call would be a PHP error the harness reports)."""
from __future__ import annotations

import pytest

from opclient import OpenproviderClient
from outbox.catalogue import all_entries, refresh_catalogue
from tests.registrar.conftest import PHP, Opbridge, Whmcs, unreachable_url

pytestmark = pytest.mark.skipif(PHP is None, reason="php-cli is not installed (apt-get install php-cli php-curl php-sqlite3)")


def test_every_tld_is_imported_with_its_cost_prices(opbridge: Opbridge, whmcs: Whmcs) -> None:
    with OpenproviderClient(opbridge.sandbox.url, "sandbox", "sandbox") as client:
        refresh_catalogue(client, opbridge.engine)
    report = whmcs.call("GetTldPricing", {})
    items = {item["extension"]: item for item in report["result"]["ImportItems"]}
    assert set(items) == {f".{entry.name}" for entry in all_entries(opbridge.engine)}
    assert items[".com.au"] == {
        "extension": ".com.au", "minYears": 2, "maxYears": 2, "registerPrice": 42.0, "renewPrice": 42.0,
        "transferPrice": 0.0, "graceFeeDays": 30, "graceFeePrice": 21.0, "redemptionFeeDays": 30,
        "redemptionFeePrice": 90.0, "currency": "EUR", "eppRequired": True}
    assert items[".it"]["transferPrice"] is None  # not offered: WHMCS reads null as unsupported
    assert (items[".co.uk"]["eppRequired"], items[".nl"]["graceFeeDays"], items[".nl"]["redemptionFeeDays"]) == (
        False, 10, 40)


def test_an_unreachable_opbridge_is_an_error_not_an_empty_import(opbridge: Opbridge, whmcs: Whmcs) -> None:
    report = whmcs.call("GetTldPricing", {}, AdminURL=unreachable_url())
    assert report["result"]["error"].startswith("opbridge did not answer")
