"""`opbridge portfolio import`: the account's unbilled domains matched to WHMCS clients and added."""
from __future__ import annotations

from click.testing import CliRunner

from opbridge.cli import cli
from opclient import Contact
from opclient.contacts import customer_body
from outbox.portfolio import drift_records
from outbox.portfolio.drift_run import run_drift
from tests.sync.conftest import day
from tests.sync.test_cli import environment
from tests.sync.test_rules import op_domain, whmcs_domain

PERSON = {"first_name": "Anna", "last_name": "Vries", "address1": "Dorpsstraat 1", "city": "Utrecht",
          "postcode": "3511 AA", "country": "NL", "phone": "+31.301234567"}


def owner(email: str) -> dict:
    return customer_body(Contact.from_dict({**PERSON, "email": email}))


def test_import_matches_by_email_or_mapping_dry_runs_first_and_adds_each_domain_once(database_url, harness, tmp_path):
    harness.whmcs.seed({
        "clients": [{"firstname": "Anna", "lastname": "Vries", "email": "anna@example.nl"},
                    {"firstname": "Ben", "lastname": "Twin", "email": "twin@example.nl"},
                    {"firstname": "Bea", "lastname": "Twin", "email": "twin@example.nl"}],
        "domains": [whmcs_domain("billed.com", day(200), day(190), userid=1)],
        "tld_pricing": {"com": {"register": {"1": "9.95"}, "transfer": {"1": "9.95"}, "renew": {"1": "12.95"}},
                        "nl": {"register": {"1": "7.50"}, "transfer": {"1": "0.00"}, "renew": {"1": "8.25"}}},
    })
    anna, twin, nobody, mapped = harness.openprovider.seed({"customers": [
        owner("anna@example.nl"), owner("twin@example.nl"), owner("nobody@example.nl"), owner("mapped@example.nl"),
    ]})["customers"]
    harness.openprovider.seed({"domains": [
        op_domain("billed.com", day(200), owner_handle=anna),
        op_domain("anna-shop.com", day(300), owner_handle=anna, autorenew="off", is_private_whois_enabled=True),
        op_domain("anna.nl", day(100), owner_handle=anna),
        op_domain("twins.com", day(300), owner_handle=twin),
        op_domain("stray.com", day(300), owner_handle=nobody),
        op_domain("mapped.com", day(300), owner_handle=mapped),
        op_domain("unpriced.org", day(300), owner_handle=anna),
    ]})
    mapping = tmp_path / "clients.csv"
    mapping.write_text("handle,client_id\n" + f"{mapped},3\n")
    runner = CliRunner(env=environment(database_url, harness.whmcs.url, harness.openprovider.url))

    dry = runner.invoke(cli, ["portfolio", "import", "--mapping", str(mapping)])
    assert dry.exit_code == 0, dry.output
    assert "Dry run: 3 of 6 domain(s) would be added to WHMCS; nothing was written." in dry.output
    assert "2 WHMCS clients have the e-mail twin@example.nl" in dry.output
    assert "no WHMCS client has the owner's e-mail nobody@example.nl" in dry.output
    assert "WHMCS has no renewal price for .org" in dry.output
    assert "billed.com" not in dry.output
    assert harness.whmcs_calls().get("AddOrder", 0) == 0

    for _ in range(2):  # applied twice: each domain is still added once
        applied = runner.invoke(cli, ["portfolio", "import", "--mapping", str(mapping), "--apply"])
        assert applied.exit_code == 1 and "3 domain(s) were not matched" in applied.output
        harness.drain()
    assert harness.whmcs_calls()["AddOrder"] == 3

    shop = harness.whmcs_domain("anna-shop.com")
    assert (shop["userid"], shop["status"], shop["registrar"], shop["expirydate"], shop["nextduedate"],
            shop["recurringamount"], shop["donotrenew"], shop["idprotection"]) == (
        1, "Active", "opbridge", day(300), day(290), "12.95", True, True)
    nl = harness.whmcs_domain("anna.nl")
    assert (nl["recurringamount"], nl["donotrenew"], nl["idprotection"]) == ("8.25", False, False)
    assert harness.whmcs_domain("mapped.com")["userid"] == 3

    report = drift_records.load_findings(harness.engine, run_drift(harness.services, harness.outbox, clock=harness.clock),
                                         kind="missing_in_whmcs")
    assert {row["domain"] for row in report} == {"twins.com", "stray.com", "unpriced.org"}
