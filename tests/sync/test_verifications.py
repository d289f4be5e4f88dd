"""The pull-sync reads the registrant e-mail verifications still open and its report lists
them with the date each domain is suspended; it never starts one."""
from __future__ import annotations

from tests.sync.conftest import day
from tests.sync.test_report_mail import parsed
from tests.sync.test_rules import op_domain, whmcs_domain

OWNER = {"name": {"first_name": "Ann", "last_name": "Owner"}, "email": "ann@example.net",
         "address": {"street": "Main", "number": "1", "zipcode": "1011AA", "city": "Amsterdam", "country": "NL"},
         "phone": {"country_code": "+31", "area_code": "20", "subscriber_number": "1234567"}}


def test_unconfirmed_registrants_are_reported_with_their_suspension_date(harness) -> None:
    [handle] = harness.openprovider.seed({"customers": [OWNER]})["customers"]
    harness.openprovider.seed({
        "verifications": [{"email": "ann@example.net", "expiration_date": f"{day(9)} 10:00:00"}],
        "domains": [op_domain("unconfirmed.com", day(80), owner_handle=handle), op_domain("calm.com", day(80))],
    })
    harness.whmcs.seed({"domains": [whmcs_domain("unconfirmed.com", day(80), day(70)),
                                    whmcs_domain("calm.com", day(80), day(70))]})

    run_id = harness.sync_and_drain()

    [row] = harness.rows(run_id, "verification").values()
    assert (row["domain"], row["old_value"], row["new_value"], row["applied"]) == (
        "unconfirmed.com", "ann@example.net", day(9), False)
    assert harness.run(run_id)["changes"] == 0
    counts = harness.openprovider.counters()["calls"]
    assert counts.get("list_domain_email_verifications") == 1 and "start_email_verification" not in counts
    [mail] = harness.emails()
    assert mail["subject"] == (f"Openprovider domain sync #{run_id}: 0 change(s), 0 error(s), "
                               "1 registrant verification(s) pending")
    verifications = parsed(mail["message"]).tables[-1]
    assert verifications[1] == ["unconfirmed.com", "ann@example.net", day(9),
                                f"Suspended on {day(9)} unless the registrant confirms ann@example.net "
                                "(verification in progress)."]
