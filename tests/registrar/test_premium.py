"""Premium names through the registrar module under php-cli: ordered with
accept_premium_fee only at the price WHMCS charged, dead with both prices otherwise and
nothing ordered; a held name's renewal price change is noticed before its renewal."""
from __future__ import annotations

import pytest

from opclient import OpenproviderClient
from outbox.catalogue.premium_watch import check_premium_renewals
from tests.registrar.conftest import PHP, Opbridge, Whmcs
from tests.registrar.test_module import CONTACT, domain

pytestmark = pytest.mark.skipif(PHP is None, reason="php-cli is not installed (apt-get install php-cli php-curl php-sqlite3)")


def order(whmcs: Whmcs, number: int, name: str, cost: str) -> dict:
    return whmcs.call("RegisterDomain", domain(number, name, ns1="ns1.example.net", ns2="ns2.example.net",
                                               premiumEnabled=True, premiumCost=cost, **CONTACT))


def test_premium_orders_and_renewals_go_ahead_only_at_the_charged_price(opbridge: Opbridge, whmcs: Whmcs) -> None:
    sandbox = opbridge.sandbox
    sandbox.seed(premium={"gold.com": {"create": "1250.00", "renew": "900.00"}, "silver.com": "800.00"})
    assert order(whmcs, 60, "gold.com", "1250.00")["result"] == {"success": True}
    assert order(whmcs, 61, "silver.com", "700")["result"] == {"success": True}  # queued: the check is the worker's
    assert opbridge.drain() == {"done": 1, "dead": 1}
    assert sandbox.domain("gold.com")["status"] == "ACT"
    [(error, code)] = opbridge.query("SELECT last_error, last_error_code FROM commands WHERE status = 'dead'")
    assert code == "premium_price_changed" and "charged 700.00 in WHMCS" in error and "asks 800.00 EUR" in error
    assert sandbox.state.live_domain("silver.com") is None and sandbox.succeeded("create_domain") == 1
    assert opbridge.query("SELECT renew_price, previous_price FROM premium_renewals")[0][0] == 900

    # The registry raises the renewal price: the next refresh notices it, before WHMCS's invoice.
    sandbox.seed(premium={"gold.com": {"renew": "950.00"}})
    with OpenproviderClient(sandbox.url, "sandbox", "sandbox") as client:
        assert check_premium_renewals(client, opbridge.engine) == 1
    [(price, previous)] = opbridge.query("SELECT renew_price, previous_price FROM premium_renewals")
    assert (price, previous) == (950, 900)

    # A renewal WHMCS invoiced at the old price is not carried out.
    renewal = whmcs.call("RenewDomain", domain(60, "gold.com", premiumEnabled=True, premiumCost="900.00",
                                               expiryDate="2027-12-07"))
    assert renewal["result"] == {"success": True}
    assert opbridge.drain() == {"dead": 2, "done": 1}
    [(error,)] = opbridge.query("SELECT last_error FROM commands WHERE type = 'renew_domain'")
    assert "charged 900.00 in WHMCS, but Openprovider now asks 950.00 EUR for its renew" in error
    assert sandbox.succeeded("renew_domain") == 0
