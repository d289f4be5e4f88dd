"""ICANN's registrant e-mail verification on WHMCS's domain page (GetDomainInformation)
and its Resend Verification Email, through php-cli, the listener under gunicorn, the
worker and the Openprovider sandbox."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from outbox.models import MirroredDomain
from outbox.values import utcnow
from tests.registrar.conftest import PHP, Opbridge, Whmcs, record_sync_run

pytestmark = pytest.mark.skipif(PHP is None, reason="php-cli is not installed (apt-get install php-cli php-curl php-sqlite3)")

OWNER = {"name": {"first_name": "Ann", "last_name": "Owner"}, "email": "ann@example.net",
         "address": {"street": "Main", "number": "1", "zipcode": "1011AA", "city": "Amsterdam", "country": "NL"},
         "phone": {"country_code": "+31", "area_code": "20", "subscriber_number": "1234567"}}
# What WHMCS's Domain class publishes for this; the stand-in refuses any other member.
IRTP_FIELDS = {"isIrtpEnabled", "domainContactChangePending", "pendingSuspension", "domainContactChangeExpiryDate",
               "registrantEmailAddress"}


def params(name: str) -> dict:
    sld, tld = name.split(".", 1)
    return {"domainid": 61, "domainname": name, "sld": sld, "tld": tld, "registrar": "opbridge"}


def test_a_pending_verification_is_shown_never_started_and_resent(opbridge: Opbridge, whmcs: Whmcs) -> None:
    sandbox = opbridge.sandbox
    deadline = (dt.datetime.now(dt.UTC) + dt.timedelta(days=12)).strftime("%Y-%m-%d 10:00:00")
    [handle] = sandbox.seed(customers=[OWNER])["customers"]
    sandbox.seed(verifications=[{"email": "ann@example.net", "expiration_date": deadline}],
                 domains=[{"name": "unconfirmed.com", "owner_handle": handle},
                          {"name": "confirmed.org", "owner_handle": sandbox.seed(customers=[
                              {**OWNER, "email": "bob@example.net"}])["customers"][0]}])
    sandbox.seed(verifications=[{"email": "bob@example.net", "status": "verified"}])

    shown = whmcs.call("GetDomainInformation", params("unconfirmed.com"))["result"]["Domain"]
    assert {key: shown[key] for key in IRTP_FIELDS} == {
        "isIrtpEnabled": True, "domainContactChangePending": True, "pendingSuspension": True,
        "domainContactChangeExpiryDate": deadline[:10], "registrantEmailAddress": "ann@example.net"}
    calm = whmcs.call("GetDomainInformation", params("confirmed.org"))["result"]["Domain"]
    assert {key: calm.get(key) for key in IRTP_FIELDS} == {
        "isIrtpEnabled": True, "domainContactChangePending": False, "pendingSuspension": False,
        "domainContactChangeExpiryDate": None, "registrantEmailAddress": "bob@example.net"}
    calls = sandbox.counters()["calls"]
    assert calls["list_domain_email_verifications"] == 2 and "start_email_verification" not in calls

    assert whmcs.call("ResendIRTPVerificationEmail", params("unconfirmed.com"))["result"] == {"success": True}
    assert whmcs.call("ResendIRTPVerificationEmail", params("confirmed.org"))["result"] == {"success": True}
    assert opbridge.drain() == {"done": 2}
    assert sandbox.counters()["calls"]["restart_email_verification"] == 1
    with sandbox.state.lock:
        assert sandbox.state.verifications["ann@example.net"].mails_sent == 2


def test_the_domain_page_costs_no_openprovider_call_while_the_mirror_is_current(opbridge: Opbridge,
                                                                                  whmcs: Whmcs) -> None:
    sandbox = opbridge.sandbox
    deadline = (dt.datetime.now(dt.UTC) + dt.timedelta(days=12)).strftime("%Y-%m-%d 10:00:00")
    [handle] = sandbox.seed(customers=[OWNER])["customers"]
    sandbox.seed(verifications=[{"email": "ann@example.net", "expiration_date": deadline}],
                 domains=[{"name": "unconfirmed.com", "owner_handle": handle}])
    read = utcnow() - dt.timedelta(hours=1)
    with opbridge.engine.begin() as conn:  # what the pull-sync read of the domain an hour ago
        conn.execute(insert(MirroredDomain.__table__).values(
            name="unconfirmed.com", op_status="ACT", op_nameservers="ns1.example.net,ns2.example.net", op_locked=True,
            op_private_whois=False, op_autorenew="on", updated_at=read, last_synced_at=read))
    record_sync_run(opbridge.engine, opbridge.worker.services.openprovider, utcnow())
    sandbox.reset_counters()

    shown = whmcs.call("GetDomainInformation", params("unconfirmed.com"))["result"]["Domain"]
    assert sandbox.counters()["calls"] == {}
    assert {key: shown[key] for key in IRTP_FIELDS} == {
        "isIrtpEnabled": True, "domainContactChangePending": True, "pendingSuspension": True,
        "domainContactChangeExpiryDate": deadline[:10], "registrantEmailAddress": "ann@example.net"}
    assert (shown["nameservers"], shown["transferLock"]) == ({"ns1": "ns1.example.net", "ns2": "ns2.example.net"}, True)
