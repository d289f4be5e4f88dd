"""Typed results built from answers the sandbox never gives: premium names, odd dates."""
from __future__ import annotations

from decimal import Decimal

import pytest

from opclient.errors import PermanentError
from opclient.types import CheckResult, Domain, Money, Nameserver, Tld, from_answer


def test_a_free_premium_name_is_premium_with_its_price() -> None:
    result = CheckResult.from_api(
        {
            "domain": "gold.com",
            "status": "free",
            "is_premium": True,
            "premium": {"currency": "USD", "price": {"create": 1200.5}},
            "price": {
                "product": {"currency": "USD", "price": 9.1},
                "reseller": {"currency": "EUR", "price": 8.4},
            },
        }
    )
    assert result.status == "premium" and result.is_available
    assert result.premium_price == Money(Decimal("1200.5"), "USD")
    assert result.price == Money(Decimal("8.4"), "EUR")
    assert result.product_price == Money(Decimal("9.1"), "USD")


@pytest.mark.parametrize("status", ["active", "reserved", "in use"])
def test_anything_but_free_is_taken(status: str) -> None:
    result = CheckResult.from_api({"domain": "x.com", "status": status})
    assert result.status == "active" and not result.is_available


def test_domain_dates_unset_or_unpadded() -> None:
    domain = Domain.from_api(
        {
            "id": 7,
            "domain": {"name": "example", "extension": "com"},
            "status": "ACT",
            "expiration_date": "2027-1-5 0:00:00",
            "renewal_date": "",
            "soft_quarantine_expiry_date": "0000-00-00 00:00:00",
            "name_servers": [{"name": "ns1.example.net", "ip": "192.0.2.1", "seq_nr": 1}],
        }
    )
    assert domain.expiration_date is not None and (
        domain.expiration_date.month,
        domain.expiration_date.day,
    ) == (1, 5)
    assert domain.renewal_date is None and domain.soft_quarantine_expiry_date is None
    assert domain.name_servers == (Nameserver("ns1.example.net", ip="192.0.2.1"),)


def test_an_unreadable_answer_is_a_permanent_error() -> None:
    with pytest.raises(PermanentError, match="cannot be read"):
        from_answer(Domain.from_api, {"id": 1, "expiration_date": "soon"})


def test_tld_lists_its_handles_and_idn_scripts() -> None:
    tld = Tld.from_api(
        {
            "name": "eu",
            "owner_handle_supported": True,
            "tech_handle_supported": True,
            "min_period": 1,
            "max_period": 10,
            "supported_idn_scripts": [{"value": "GRE", "description": "Greek"}],
        }
    )
    assert tld.supported_handles == ("owner", "tech")
    assert tld.supported_idn_scripts == ("GRE",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ns1.example.net", Nameserver("ns1.example.net")),
        ("NS1.Example.net/192.0.2.1", Nameserver("ns1.example.net", ip="192.0.2.1")),
        ("ns1.bücher.de/2001:db8::1", Nameserver("ns1.xn--bcher-kva.de", ip6="2001:db8::1")),
    ],
)
def test_whmcs_nameserver_entries(text: str, expected: Nameserver) -> None:
    assert Nameserver.parse(text) == expected
