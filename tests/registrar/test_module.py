"""The registrar module, called by php-cli the way WHMCS calls it, against the real listener
under gunicorn and the Openprovider sandbox: every function's answer has the shape the
WHMCS contract table gives (reference/whmcs-registrar-module.md), and every write takes
effect at the sandbox once the worker drains.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import insert

from outbox.models import MirroredDomain
from outbox.values import utcnow
from tests.registrar.conftest import PHP, REPO, SECRET, TOKEN, Opbridge, Whmcs, unreachable_url

pytestmark = pytest.mark.skipif(PHP is None, reason="php-cli is not installed (apt-get install php-cli php-curl php-sqlite3)")

CONTACT = {
    "firstname": "Jan", "lastname": "de Vries", "companyname": "Voorbeeld B.V.", "email": "jan@example.nl",
    "address1": "Keizersgracht 1", "address2": "", "city": "Amsterdam", "state": "Noord-Holland",
    "postcode": "1015 CJ", "countrycode": "NL", "country": "NL", "fullphonenumber": "+31.201234567",
    "adminfirstname": "Piet", "adminlastname": "Bakker", "admincompanyname": "", "adminemail": "piet@example.nl",
    "adminaddress1": "Dam 2", "admincity": "Amsterdam", "adminpostcode": "1012 JS", "admincountry": "NL",
    "adminfullphonenumber": "+31.201112234",
}
# What WHMCS merges into $params besides the module's own settings: never to be forwarded.
WHMCS_EXTRAS = {"original": {"firstname": "Jan"}, "Username": "not-an-opbridge-field", "userid": 7}
CONTACT_LABELS = {"First Name", "Last Name", "Company Name", "Email Address", "Address 1", "Address 2", "City",
                  "State", "Postcode", "Country", "Phone Number", "Fax Number"}
ON_MODULE = {"registrar": "opbridge"}


def domain(domain_id: int, name: str, **extra: object) -> dict:
    sld, tld = name.split(".", 1)
    return {"domainid": domain_id, "domainname": name, "sld": sld, "tld": tld, "registrar": "opbridge",
            "regperiod": 1, **WHMCS_EXTRAS, **extra}


def processed(report: dict) -> str:
    """What the module's last delivery did (the outcome it then read is logged after it)."""
    return [entry for entry in report["module_log"] if not str(entry["processed"]).startswith("outcome ")][-1]["processed"]


def test_every_php_file_passes_lint() -> None:
    files = sorted((REPO / "whmcs").rglob("*.php")) + sorted((REPO / "tests").rglob("*.php"))
    assert len(files) >= 7
    for path in files:
        done = subprocess.run([PHP, "-l", str(path)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_every_lib_file_is_strict_and_loaded_by_an_entry_file() -> None:
    lib = REPO / "whmcs" / "modules" / "registrars" / "opbridge" / "lib"
    # The module's entry loads the version guard and then lib/module.php, which loads the rest.
    entries = "".join(path.read_text() for path in (lib.parent / "opbridge.php", lib / "module.php",
                                                    REPO / "whmcs" / "includes" / "hooks" / "opbridge.php"))
    parts = sorted(lib.glob("*.php"))
    assert len(parts) >= 5
    for path in parts:
        assert "declare(strict_types=1);" in path.read_text(), path.name
        assert f"'{path.stem}'" in entries or f"/{path.name}'" in entries, \
            f"{path.name} is loaded by neither the module nor the hook file"


def test_metadata_settings_and_buttons(tmp_path: Path) -> None:
    whmcs = Whmcs(tmp_path, unreachable_url())
    assert whmcs.call("MetaData")["result"] == {"DisplayName": "opbridge (Openprovider through opbridge)", "APIVersion": "1.1"}
    fields = whmcs.call("getConfigArray")["result"]
    assert {"ListenerURL", "WebhookSecret", "AdminURL", "AdminToken", "Timeout"} <= set(fields)
    assert fields["WebhookSecret"]["Type"] == fields["AdminToken"]["Type"] == "password"
    assert whmcs.call("AdminCustomButtonArray")["result"] == {"opbridge status": "OpbridgeStatus", "Sync now": "SyncNow",
                                                              "DNSSEC keys": "DNSSECKeys"}
    assert whmcs.call("ClientAreaCustomButtonArray")["result"] == {"DNSSEC": "DNSSEC"}


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_the_admin_and_client_screens_work_end_to_end(opbridge: Opbridge, whmcs: Whmcs) -> None:
    sandbox = opbridge.sandbox
    params = domain(11, "voorbeeld.nl", ns1="ns1.example.net", ns2="NS2.example.net", idprotection=False,
                    dnsmanagement=False, **CONTACT)

    # Registrar Commands > Register, as the Auto Registration of the TLD calls it.
    registered = whmcs.call("RegisterDomain", params, patch={"11": ON_MODULE})
    assert registered["result"] == {"success": True}
    assert re.fullmatch(r"queued as command\(s\) \d+", processed(registered))
    assert opbridge.drain()["done"] == 1
    assert sandbox.domain("voorbeeld.nl")["status"] == "ACT"

    # The nameserver, lock, ID protection and contact forms.
    assert whmcs.call("SaveNameservers", {**params, "ns1": "ns1.elders.net", "ns2": "ns2.elders.net", "ns3": ""})[
        "result"] == {"success": True}
    assert whmcs.call("SaveRegistrarLock", {**params, "lockenabled": "locked"})["result"] == {"success": "success"}
    assert whmcs.call("IDProtectToggle", {**params, "protectenable": True})["result"] == {"success": "success"}
    registrant = {"First Name": "Eva", "Last Name": "Jansen", "Company Name": "", "Email Address": "eva@example.nl",
                  "Address 1": "Dam 1", "Address 2": "", "City": "Amsterdam", "State": "", "Postcode": "1012 JS",
                  "Country": "NL", "Phone Number": "+31.201112233", "Fax Number": ""}
    saved = whmcs.call("SaveContactDetails", {**params, "contactdetails": {"Registrant": registrant}})
    assert saved["result"] == {"success": True}
    assert opbridge.drain() == {"done": 5}
    at_sandbox = sandbox.domain("voorbeeld.nl")
    assert [server["name"] for server in at_sandbox["name_servers"]] == ["ns1.elders.net", "ns2.elders.net"]
    assert at_sandbox["is_locked"] is True and at_sandbox["is_private_whois_enabled"] is True

    # The reads those pages show, answered by opbridge at once.
    assert whmcs.call("GetNameservers", params)["result"] == {"ns1": "ns1.elders.net", "ns2": "ns2.elders.net"}
    assert whmcs.call("GetRegistrarLock", params)["result"] == "locked"
    contacts = whmcs.call("GetContactDetails", params)["result"]
    assert set(contacts) == {"Registrant", "Admin", "Technical"}  # .nl takes no billing handle
    assert all(set(fields) == CONTACT_LABELS for fields in contacts.values())
    assert (contacts["Registrant"]["First Name"], contacts["Registrant"]["Phone Number"]) == ("Eva", "+31.201112233")
    assert whmcs.call("GetEPPCode", params)["result"] == {"eppcode": at_sandbox["auth_code"]}
    expiry = at_sandbox["expiration_date"][:10]
    assert whmcs.call("GetDomainInformation", params)["result"] == {"Domain": {
        "domain": "voorbeeld.nl", "nameservers": {"ns1": "ns1.elders.net", "ns2": "ns2.elders.net"},
        "transferLock": True, "idProtectionStatus": True, "registrationStatus": "Active", "expiryDate": expiry,
        # .nl is a country code: ICANN's registrant verification does not apply.
        "isIrtpEnabled": False, "domainContactChangePending": False, "pendingSuspension": False}}

    # WHMCS's own sync cron, and the admin buttons.
    assert whmcs.call("Sync", params)["result"] == {"active": True, "transferredAway": False,
                                                  "expirydate": expiry}
    synced = whmcs.call("SyncNow", params)
    assert synced["result"]["success"] is True
    assert ["UpdateClientDomain", {"domainid": 11, "expirydate": expiry, "status": "Active"}] in synced["api_calls"]
    status = whmcs.call("OpbridgeStatus", params)["result"]
    assert status["success"] is True and "update_contacts: done" in status["message"]
    assert status["message"].endswith(f"Dashboard: {opbridge.base_url}/admin/domains/voorbeeld.nl")

    # Private nameservers: register, move, delete a glue host under the domain.
    assert whmcs.call("RegisterNameserver", {**params, "nameserver": "ns1.voorbeeld.nl", "ipaddress": "192.0.2.1"})[
        "result"] == {"success": "success"}
    assert whmcs.call("ModifyNameserver", {**params, "nameserver": "ns1", "currentipaddress": "192.0.2.1",
                                           "newipaddress": "2001:db8::1"})["result"] == {"success": "success"}
    assert whmcs.call("RegisterNameserver", {**params, "nameserver": "ns2.voorbeeld.nl", "ipaddress": "192.0.2.2"})[
        "result"] == {"success": "success"}
    assert whmcs.call("DeleteNameserver", {**params, "nameserver": "ns2.voorbeeld.nl"})["result"] == {"success": "success"}
    outside = whmcs.call("RegisterNameserver", {**params, "nameserver": "ns1.elders.net.", "ipaddress": "192.0.2.9"})
    assert outside["result"] == {"success": "success"}  # WHMCS gave a label: the host is ns1.elders.net.voorbeeld.nl
    assert opbridge.drain() == {"done": 10}
    with sandbox.state.lock:
        assert sandbox.state.nameservers == {
            "ns1.voorbeeld.nl": {"name": "ns1.voorbeeld.nl", "ip": "", "ip6": "2001:db8::1"},
            "ns1.elders.net.voorbeeld.nl": {"name": "ns1.elders.net.voorbeeld.nl", "ip": "192.0.2.9", "ip6": ""},
        }
    refused = whmcs.call("RegisterNameserver", {**params, "nameserver": "ns3.voorbeeld.nl", "ipaddress": "not-an-ip"})
    assert "'not-an-ip' is not an IPv4 or IPv6 address." in refused["result"]["error"]

    # Registrar Commands > Request Delete.
    assert whmcs.call("RequestDelete", params)["result"] == {"success": "success"}
    assert opbridge.drain() == {"done": 11}
    assert sandbox.domain("voorbeeld.nl")["status"] == "DEL"


def test_transfer_and_transfer_sync(opbridge: Opbridge, whmcs: Whmcs) -> None:
    opbridge.sandbox.seed(registry=[{"name": "verhuis.nl", "auth_code": "Tr4nsfer-Code!", "expiration_date": "2027-05-01"}])
    params = domain(12, "verhuis.nl", eppcode="Tr4nsfer-Code!", ns1="ns1.example.net", ns2="ns2.example.net",
                    idprotection=False, dnsmanagement=True, **CONTACT)
    pending = whmcs.call("TransferSync", params)["result"]
    assert pending["error"].startswith("opbridge: ") and "verhuis.nl" in pending["error"]

    assert whmcs.call("TransferDomain", params, patch={"12": ON_MODULE})["result"] == {"success": True}
    assert opbridge.drain() == {"done": 1}
    # A transfer adds a year at the registry; WHMCS gets Openprovider's date.
    assert opbridge.sandbox.domain("verhuis.nl")["expiration_date"].startswith("2028-05-01")
    assert whmcs.call("TransferSync", params)["result"] == {"completed": True, "expirydate": "2028-05-01"}


def test_sync_reports_a_domain_gone_from_the_account_as_transferred_away(opbridge: Opbridge, whmcs: Whmcs) -> None:
    # The pull-sync saw it active here; the account holds it no more.
    with opbridge.engine.begin() as conn:
        conn.execute(insert(MirroredDomain.__table__).values(name="vertrokken.nl", op_status="ACT", updated_at=utcnow(),
                                                     last_synced_at=utcnow() - dt.timedelta(days=10)))
    assert whmcs.call("Sync", domain(13, "vertrokken.nl"))["result"] == {
        "active": False, "transferredAway": True}


def test_lookup_provider_marks_taken_free_idn_and_unsold(opbridge: Opbridge, whmcs: Whmcs) -> None:
    opbridge.sandbox.seed(domains=[{"name": "bezet.com", "status": "ACT"}],
                          premium={"bezet.org": {"create": "1250.00", "renew": "900.00"}})
    search = {"searchTerm": "bezet", "punyCodeSearchTerm": "bezet", "isIdnDomain": False,
              "tldsToInclude": [".com", ".net", ".org", ".nosuchtld"]}
    report = whmcs.call("CheckAvailability", {**search, "premiumEnabled": True})
    assert report["exception"] is None
    assert [(r["tld"], r["status"], r["premium"]) for r in report["result"]["ResultsList"]] == [
        (".com", "registered", False), (".net", "available", False), (".org", "available", True),
        (".nosuchtld", "unknown", False)]
    # WHMCS invoices the renewals at Openprovider's renewal price, not the registration's.
    assert report["result"]["ResultsList"][2]["pricing"] == {"register": "1250.0", "renew": "900.0", "CurrencyCode": "EUR"}
    # Without WHMCS's premium domains a premium name is not for sale.
    plain = whmcs.call("CheckAvailability", {**search, "premiumEnabled": False})["result"]["ResultsList"]
    assert [r["status"] for r in plain] == ["registered", "available", "reserved", "unknown"]
    idn = whmcs.call("CheckAvailability", {"searchTerm": "bücher", "punyCodeSearchTerm": "xn--bcher-kva",
                                           "tldsToInclude": [".nl"], "isIdnDomain": True, "premiumEnabled": False})
    assert idn["result"]["ResultsList"] == [
        {"sld": "xn--bcher-kva", "tld": ".nl", "status": "available", "premium": False, "pricing": []}]


def test_suggestions_offer_only_orderable_names_within_the_settings(opbridge: Opbridge, whmcs: Whmcs) -> None:
    opbridge.sandbox.seed(domains=[{"name": "bakkerij.com", "status": "ACT"}], premium={"getbakkerij.nl": "499.00"})
    options = whmcs.call("DomainSuggestionOptions")["result"]
    assert options["MaxSuggestions"]["Default"] == "10"
    search = {"searchTerm": "bäkkerij", "punyCodeSearchTerm": "bakkerij", "isIdnDomain": True,
              "tldsToInclude": [".com", ".nl"], "suggestionSettings": {"MaxSuggestions": "4"}}
    report = whmcs.call("GetDomainSuggestions", {**search, "premiumEnabled": True})
    assert report["exception"] is None
    # bakkerij.com is taken, so the sandbox leaves it out; four suggestions, as the setting asks.
    assert [(r["sld"], r["tld"], r["status"], r["premium"]) for r in report["result"]["ResultsList"]] == [
        ("bakkerij", ".nl", "available", False), ("getbakkerij", ".com", "available", False),
        ("getbakkerij", ".nl", "available", True), ("bakkerijonline", ".com", "available", False)]
    assert report["result"]["ResultsList"][2]["pricing"] == {"register": "499.0", "renew": "499.0", "CurrencyCode": "EUR"}
    [logged] = [entry for entry in report["module_log"] if entry["action"] == "GetDomainSuggestions"]
    assert logged["request"].endswith("/api/v1/registrar/suggestions?name=bakkerij&limit=4&tld=com&tld=nl")
    assert TOKEN not in json.dumps([logged["request"], logged["response"]])
    # Without WHMCS's premium domains a premium name is not offered at all.
    plain = whmcs.call("GetDomainSuggestions", {**search, "premiumEnabled": False})["result"]["ResultsList"]
    assert [(r["sld"], r["tld"]) for r in plain] == [("bakkerij", ".nl"), ("getbakkerij", ".com"), ("bakkerijonline", ".com")]
    assert whmcs.call("GetDomainSuggestions", {"searchTerm": ""})["result"] == {"ResultsList": []}


def test_a_refusal_comes_back_as_the_error_and_is_not_spooled(opbridge: Opbridge, whmcs: Whmcs) -> None:
    report = whmcs.call("SaveContactDetails", {**domain(14, "bestaand.nl"), "contactdetails": {"Registrant": {
        "First Name": "Eva", "Last Name": "Jansen", "Email Address": "not-an-email", "Address 1": "Dam 1",
        "City": "Amsterdam", "Postcode": "1012 JS", "Country": "NL", "Phone Number": "+31.201112233"}}})
    assert report["result"]["error"].startswith("opbridge refused the request: The domain.contacts_changed event")
    assert "email" in report["result"]["error"]
    assert report["spool"] == [] and opbridge.query("SELECT id FROM commands") == []
    assert whmcs.call("SaveNameservers", {**domain(14, "bestaand.nl"), "ns1": "ns1.example.net"})["result"] == {
        "error": "Give at least two nameservers."}
    # Domain 11 has no expiry in WHMCS: nothing would name the renewal, so none is bought blind.
    blind = whmcs.call("RenewDomain", domain(11, "voorbeeld.nl"))
    assert blind["result"]["error"].startswith("WHMCS has no expiry date for this domain") and blind["spool"] == []


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_one_paid_renewal_renews_once_across_calls_hooks_and_the_spool(opbridge: Opbridge, whmcs: Whmcs) -> None:
    sandbox = opbridge.sandbox
    sandbox.seed(domains=[{"name": "bestaand.nl", "status": "ACT", "expiration_date": "2027-03-01"}])
    row = {"14": {**ON_MODULE, "expirydate": "2027-03-01"}}
    params = domain(14, "bestaand.nl")

    # WHMCS runs RenewDomain on payment while opbridge is down: spooled, and still a success.
    offline = whmcs.call("RenewDomain", params, patch=row, ListenerURL=f"{unreachable_url()}/hooks/whmcs")
    assert offline["result"] == {"success": True}
    assert [spooled["webhook_id"] for spooled in offline["spool"]] == ["renewal-14-2027-03-01-1y"]
    # The admin presses Renew for the same renewal: it queues behind, once.
    again = whmcs.call("RenewDomain", params, patch=row)
    assert again["result"] == {"success": True} and len(again["spool"]) == 1
    # The cron resends the spool; then a third call is a duplicate at the listener.
    assert whmcs.fire("AfterCronJob", {}, patch=row)["spool"] == []
    third = whmcs.call("RenewDomain", params, patch=row)
    assert processed(third) == "already received as event renewal-14-2027-03-01-1y: nothing new queued"
    # The InvoicePaid hook leaves the module's domain alone: the module carried the renewal.
    paid = whmcs.fire("InvoicePaid", {"invoiceid": 32}, patch=row)
    assert [entry for entry in paid["module_log"] if entry["action"] == "deliver"] == []
    # Mid-migration the same item still on "openprovider" reaches opbridge through the hook,
    # with the same renewal key: done without a second renewal.
    migrating = whmcs.fire("InvoicePaid", {"invoiceid": 32}, patch={"14": {"registrar": "openprovider",
                                                                            "expirydate": "2027-03-01"}})
    assert "HTTP 202" in migrating["module_log"][-1]["response"]

    assert opbridge.drain() == {"done": 3}  # the module's renewal, the hook's renewal and its ID protection
    assert sandbox.succeeded("renew_domain") == 1
    assert sandbox.domain("bestaand.nl")["expiration_date"].startswith("2028-03-01")
    notes = [row.payload for row in opbridge.query("SELECT payload FROM commands WHERE type = 'renew_domain'")]
    assert len(notes) == 2
    [note] = [row.error for row in opbridge.query(
        "SELECT a.error FROM attempts a JOIN commands c ON c.id = a.command_id"
        " WHERE c.type = 'renew_domain' AND a.error LIKE '%not renewed again%'")]
    assert note.startswith("The 1-year renewal from 2027-03-01 was already renewed by command ")


def test_an_outage_spools_writes_fails_reads_and_the_cron_catches_up(opbridge: Opbridge, tmp_path: Path) -> None:
    opbridge.sandbox.seed(domains=[{"name": "bestaand.nl", "status": "ACT"}])
    down = Whmcs(tmp_path, unreachable_url())
    params = domain(14, "bestaand.nl")

    written = down.call("SaveRegistrarLock", {**params, "lockenabled": "locked"})
    assert written["result"] == {"success": "success"}
    assert [row["event_type"] for row in written["spool"]] == ["domain.lock_changed"]
    assert "spooled, the WHMCS cron resends it" in processed(written)
    search = {"searchTerm": "x", "tldsToInclude": [".com"]}
    for function, given in (("GetNameservers", params), ("GetRegistrarLock", params), ("GetContactDetails", params),
                            ("GetEPPCode", params), ("Sync", params), ("TransferSync", params),
                            ("CheckAvailability", search), ("GetDomainSuggestions", search)):
        answer = down.call(function, given)["result"]
        assert re.fullmatch(r"opbridge did not answer within 5 s \(.+\); try again shortly\.", answer["error"]), function
    # The domain page's read reports its error the one way WHMCS publishes for it: an exception.
    page = down.call("GetDomainInformation", params)
    assert page["exception"].startswith("RuntimeException: opbridge did not answer within 5 s")

    down.hook_url = f"{opbridge.base_url}/hooks/whmcs"  # the listener is back
    assert down.fire("AfterCronJob", {})["spool"] == []
    assert opbridge.drain() == {"done": 1}
    assert opbridge.sandbox.domain("bestaand.nl")["is_locked"] is True


def test_no_secret_reaches_a_log_line_or_the_spool(opbridge: Opbridge, tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # the worker's lines, at every level
    sandbox = opbridge.sandbox
    sandbox.seed(domains=[{"name": "bestaand.nl", "status": "ACT", "auth_code": "Held-Epp-C0de"}],
                 registry=[{"name": "verhuis.nl", "auth_code": "Tr4nsfer-Code!"}])
    whmcs = Whmcs(tmp_path, opbridge.base_url)
    offline = whmcs.call("TransferDomain", domain(12, "verhuis.nl", eppcode="Tr4nsfer-Code!", **CONTACT),
                         ListenerURL=f"{unreachable_url()}/hooks/whmcs")
    assert offline["result"] == {"success": True}
    assert [row["body"][:7] for row in offline["spool"]] == ["sealed:"]
    assert whmcs.call("GetEPPCode", domain(14, "bestaand.nl"))["result"] == {"eppcode": "Held-Epp-C0de"}
    whmcs.call("config_validate", {})
    assert whmcs.fire("AfterCronJob", {})["spool"] == []
    spool = json.dumps(offline["spool"])
    assert opbridge.drain() == {"done": 1}

    logged = json.dumps([{key: entry[key] for key in ("request", "response", "processed")} for entry in whmcs.logs])
    opbridge_log = opbridge.log.read_text() + caplog.text  # the listener's lines, then the worker's
    assert "opbridge-config-check" in opbridge_log and "/domains/transfer" in caplog.text  # both logged the work
    for secret in ("Tr4nsfer-Code!", "Held-Epp-C0de", SECRET, SECRET.removeprefix("whsec_"), TOKEN):
        for place, text in (("module log", logged), ("opbridge log", opbridge_log), ("spool", spool)):
            assert secret not in text, f"{secret!r} in the {place}"
    assert '"epp_code":"********"' in logged.replace("\\", "")


def test_config_validate_says_what_is_wrong(opbridge: Opbridge, whmcs: Whmcs) -> None:
    assert whmcs.call("config_validate", {})["exception"] is None
    cases = [
        ({"AdminToken": "wrong-token"}, "Send Authorization: Bearer <token> with one of the admin tokens."),
        ({"WebhookSecret": "whsec_" + "b3RoZXItc2VjcmV0LTMyLWJ5dGVzLWxvbmctcGFkZGVkIQ=="},
         "The webhook secret differs from the hook file's (configuration.php)"),
        ({"WebhookSecret": "not-a-secret"}, "The webhook secret must be whsec_ followed by base64"),
        ({"AdminURL": unreachable_url()}, "is not ready: it could not be reached"),
    ]
    for override, sentence in cases:
        exception = whmcs.call("config_validate", {}, **override)["exception"]
        assert exception is not None and exception.startswith("WHMCS\\Exception\\Module\\InvalidConfiguration: ")
        assert sentence in exception, exception
    # With the hook file set to the same wrong secret, the listener itself is what refuses it.
    whmcs.secret = cases[1][0]["WebhookSecret"]
    refused = whmcs.call("config_validate", {}, WebhookSecret=whmcs.secret)["exception"]
    assert refused.endswith("opbridge refused the webhook secret: use one of its OPBRIDGE_WEBHOOK_SECRETS.")
