"""Every operation and every error class, over real HTTP against the sandbox."""
from __future__ import annotations

import datetime as dt
import threading

import pytest

from core.settings import load_settings
from opclient.auth import TokenStore
from opclient.client import OpenproviderClient
from opclient.errors import (
    AuthenticationError,
    CustomerIdentityChanged,
    DomainNotFound,
    PermanentError,
    TokenRejected,
    TransientError,
    ZoneNotFound,
)
from opclient.names import DomainName
from core.masking import MASK
from opclient.calls import CallRecord
from opclient.types import DnsRecord, Handles, Nameserver, Suggestion
from tests.opsandbox.harness import CREDENTIALS, NAME_SERVERS, SandboxAdmin, contact, order
from tests.support import free_port


def register(client: OpenproviderClient, name: str, handle: str, **changes) -> int:  # noqa: ANN003
    return client.domains.create(name, order(handle, **changes)).id


# Domains


def test_check_reports_free_taken_and_prices(client: OpenproviderClient, handle: str) -> None:
    register(client, "taken.com", handle)
    results = client.domains.check(["free.com", "taken.com"], with_price=True)
    assert [(r.domain, r.status, r.is_available) for r in results] == [
        ("free.com", "free", True),
        ("taken.com", "active", False),
    ]
    assert results[0].price is not None and results[0].price.currency == "EUR"
    assert results[1].reason


def test_check_asks_in_batches_of_fifteen(client: OpenproviderClient, sandbox: SandboxAdmin) -> None:
    names = [f"name{i}.com" for i in range(31)]
    results = client.domains.check(names)
    assert [r.domain for r in results] == names
    assert sandbox.calls("check_domain") == 3


def test_suggest_offers_typed_variations_leaving_out_registered_names(client: OpenproviderClient, handle: str) -> None:
    register(client, "getbakery.com", handle)
    suggestions = client.domains.suggest("Bakery", [".com", "nl"], limit=5)
    assert [s.name for s in suggestions] == ["bakery.com", "bakery.nl", "getbakery.nl", "bakeryonline.com", "bakeryonline.nl"]
    assert suggestions[2] == Suggestion(name="getbakery.nl", label="getbakery", extension="nl")


def test_find_by_name_and_get_by_id(client: OpenproviderClient, handle: str) -> None:
    domain_id = register(client, "example.co.uk", handle, handles=Handles(owner=handle))
    found = client.domains.find("EXAMPLE.co.uk")
    assert found.id == domain_id
    assert found.domain == DomainName("example", "co.uk")
    assert found.status == "ACT"
    assert found.expiration_date is not None and found.expiration_date.tzinfo is not None
    assert client.domains.get(domain_id) == found


def test_find_of_an_absent_domain_raises_domain_not_found(client: OpenproviderClient) -> None:
    with pytest.raises(DomainNotFound) as raised:
        client.domains.find("absent.com")
    assert raised.value.code is None


def test_get_of_an_unknown_id_is_code_320(client: OpenproviderClient) -> None:
    with pytest.raises(DomainNotFound) as raised:
        client.domains.get(99)
    assert raised.value.code == 320


def test_pages_walk_the_whole_list_in_order(client: OpenproviderClient, sandbox: SandboxAdmin) -> None:
    sandbox.seed(generate={"count": 7, "name": "bulk{n}.com", "expiration_step_seconds": -86400})
    pages = list(client.domains.pages(limit=3, order_by="expiration_date"))
    assert [len(page.items) for page in pages] == [3, 3, 1]
    assert {page.total for page in pages} == {7}
    expiries = [domain.expiration_date for page in pages for domain in page.items]
    assert expiries == sorted(expiries)
    assert [domain.domain.name for domain in pages[0].items] == ["bulk7", "bulk6", "bulk5"]


def test_pages_filter_and_refuse_unknown_filters(client: OpenproviderClient, sandbox: SandboxAdmin) -> None:
    sandbox.seed(domains=[{"name": "one.nl"}, {"name": "two.com"}, {"name": "three.nl", "status": "FAI"}])
    names = [
        d.domain.ascii for page in client.domains.pages(extension="nl", status="ACT") for d in page.items
    ]
    assert names == ["one.nl"]
    with pytest.raises(TypeError, match="statuz"):
        next(client.domains.pages(statuz="ACT"))


def test_create_returns_the_order_and_refuses_duplicates(client: OpenproviderClient, handle: str) -> None:
    created = client.domains.create("fresh.com", order(handle, autorenew="off"), period=2)
    assert created.status == "ACT" and created.id
    assert created.expiration_date is not None and created.activation_date is not None
    slow = client.domains.create("slow.eu", order(handle, handles=Handles(owner=handle, tech=handle)))
    assert slow.status == "REQ"
    with pytest.raises(PermanentError) as raised:
        client.domains.create("fresh.com", order(handle))
    assert raised.value.code == 346


def test_create_with_an_unknown_handle_is_permanent(client: OpenproviderClient) -> None:
    with pytest.raises(PermanentError) as raised:
        client.domains.create("orphan.com", order("XX999999-NL"))
    assert raised.value.code == 331


def test_idn_names_go_out_as_punycode(
    client: OpenproviderClient, handle: str, records: list[CallRecord]
) -> None:
    created = client.domains.create("bücher.com", order(handle, idn_script="GER"))
    sent = [r.request for r in records if r.path == "/v1beta/domains" and r.method == "POST"][-1]
    assert sent["domain"] == {"name": "xn--bcher-kva", "extension": "com"}
    assert sent["additional_data"] == {"idn_script": "GER"}
    assert client.domains.find("bücher.com").id == created.id


def test_transfer_needs_the_right_auth_code(
    client: OpenproviderClient, handle: str, sandbox: SandboxAdmin
) -> None:
    sandbox.seed(registry=[{"name": "elsewhere.com", "auth_code": "right-code"}])
    with pytest.raises(PermanentError) as raised:
        client.domains.transfer("elsewhere.com", order(handle), auth_code="wrong-code")
    assert raised.value.code == 318
    transfer = client.domains.transfer("elsewhere.com", order(handle), auth_code="right-code")
    assert transfer.status == "REQ"
    assert client.domains.find("elsewhere.com").id == transfer.id


def test_renew_moves_the_expiry_by_the_period(client: OpenproviderClient, handle: str) -> None:
    domain_id = register(client, "renewme.com", handle)
    before = client.domains.get(domain_id).expiration_date
    assert client.domains.renew(domain_id, period=2) == "ACT"
    after = client.domains.get(domain_id).expiration_date
    assert after.year == before.year + 2


def test_restore_only_from_soft_quarantine(client: OpenproviderClient, sandbox: SandboxAdmin) -> None:
    expired = (dt.datetime.now() - dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    seeded = sandbox.seed(
        domains=[{"name": "lapsed.com", "status": "DEL", "expiration_date": expired}, {"name": "healthy.com"}]
    )["domains"]
    lapsed = client.domains.get(seeded["lapsed.com"])
    assert lapsed.status == "DEL"
    assert lapsed.soft_quarantine_expiry_date is not None
    assert client.domains.restore(lapsed.id) in ("RRQ", "ACT")
    with pytest.raises(PermanentError) as raised:
        client.domains.restore(seeded["healthy.com"])
    assert raised.value.code == 376


def test_update_changes_only_what_is_given(client: OpenproviderClient, handle: str) -> None:
    domain_id = register(client, "toggle.com", handle)
    other = client.customers.create(contact(first_name="Piet", email="piet@example.nl"))
    client.domains.update(
        domain_id,
        autorenew="off",
        is_private_whois_enabled=True,
        is_locked=True,
        name_servers=[Nameserver.parse("ns3.example.org"), Nameserver.parse("ns4.example.org/2001:db8::4")],
        handles=Handles(admin=other),
    )
    domain = client.domains.get(domain_id)
    assert (domain.autorenew, domain.is_private_whois_enabled, domain.is_locked) == ("off", True, True)
    assert [ns.name for ns in domain.name_servers] == ["ns3.example.org", "ns4.example.org"]
    assert domain.name_servers[1].ip6 == "2001:db8::4"
    assert domain.handles.admin == other and domain.handles.owner == handle
    client.domains.update(domain_id, autorenew="default")
    assert client.domains.get(domain_id).is_locked is True
    with pytest.raises(ValueError, match="at least one field"):
        client.domains.update(domain_id)
    with pytest.raises(ValueError, match="autorenew"):
        client.domains.update(domain_id, autorenew="yes")


def test_delete_puts_the_domain_out_of_service(client: OpenproviderClient, handle: str) -> None:
    domain_id = register(client, "goner.com", handle)
    client.domains.delete(domain_id)
    assert client.domains.get(domain_id).status == "DEL"


def test_auth_code_read_and_reset(client: OpenproviderClient, handle: str, records: list[CallRecord]) -> None:
    domain_id = register(client, "movable.com", handle)
    code = client.domains.auth_code(domain_id)
    assert code.code and not code.sent_to_owner and code.type == "external"
    fresh = client.domains.reset_auth_code(domain_id)
    assert fresh.code and fresh.code != code.code
    assert client.domains.auth_code(domain_id).code == fresh.code
    logged = [r for r in records if "authcode" in r.path]
    assert logged and all(r.response["data"]["auth_code"] == MASK for r in logged)


def test_auth_code_mailed_by_the_registry(
    client: OpenproviderClient, handle: str, sandbox: SandboxAdmin
) -> None:
    seeded = sandbox.seed(domains=[{"name": "mailed.eu", "owner_handle": handle}])["domains"]
    code = client.domains.auth_code(seeded["mailed.eu"])
    assert code.code == "" and code.sent_to_owner


# Customers


def test_customer_create_get_find(client: OpenproviderClient) -> None:
    handle = client.customers.create(contact(company_name="Grachten BV"))
    customer = client.customers.get(handle)
    assert customer.handle == handle
    assert (customer.first_name, customer.last_name, customer.company_name) == (
        "Jan",
        "Jansen",
        "Grachten BV",
    )
    assert (customer.street, customer.number, customer.suffix) == ("Keizersgracht", "123", "a")
    assert (customer.phone.country_code, customer.phone.area_code, customer.phone.subscriber_number) == (
        "+31",
        "20",
        "1234567",
    )
    assert customer.identity_hash == contact(company_name="Grachten BV").identity_hash
    assert [c.handle for c in client.customers.find(email="jan@*")] == [handle]
    assert client.customers.find(last_name="Nobody") == []


def test_customer_update_changes_address_but_never_the_name(
    client: OpenproviderClient, handle: str, sandbox: SandboxAdmin
) -> None:
    client.customers.update(handle, contact(address1="Herengracht 1", email="new@example.nl"))
    customer = client.customers.get(handle)
    assert (customer.street, customer.number, customer.email) == ("Herengracht", "1", "new@example.nl")
    puts = sandbox.calls("update_customer")
    with pytest.raises(CustomerIdentityChanged, match="create a new handle"):
        client.customers.update(handle, contact(last_name="de Vries"))
    assert sandbox.calls("update_customer") == puts  # refused before anything was sent


def test_unknown_customer_is_permanent(client: OpenproviderClient) -> None:
    with pytest.raises(PermanentError) as raised:
        client.customers.get("XX999999-NL")
    assert raised.value.code == 176


# DNS and TLDs


def test_dns_templates_and_zone_from_template(client: OpenproviderClient) -> None:
    templates = client.dns.templates(with_records=True)
    assert [t.name for t in templates] == ["default", "parking"]
    assert templates[0].records and templates[0].records[0].type
    client.dns.create_zone("zoned.com", template_name="default")
    with pytest.raises(PermanentError) as raised:
        client.dns.create_zone("zoned.com", template_name="default")
    assert raised.value.code == 805


def test_a_zone_is_read_changed_and_deleted(client: OpenproviderClient) -> None:
    assert client.dns.zone("records.com") is None
    www = DnsRecord("www", "A", "192.0.2.1", ttl=3600, prio=0)
    mail = DnsRecord("", "MX", "mx.example.net", ttl=3600, prio=10)
    client.dns.create_zone("records.com", records=[www, mail])

    zone = client.dns.zone("records.com")
    assert zone is not None and zone.name == "records.com"
    assert [r for r in zone.records if r.type not in ("SOA", "NS")] == [www, mail]

    moved = DnsRecord("www", "A", "192.0.2.2", ttl=900, prio=0)
    client.dns.update_zone("records.com", update=[(www, moved)], remove=[mail],
                           add=[DnsRecord("", "TXT", "v=spf1 -all", ttl=3600)])
    shown = [(r.name, r.type, r.value, r.ttl) for r in client.dns.zone_records("records.com") if r.type not in ("SOA", "NS")]
    assert shown == [("www", "A", "192.0.2.2", 900), ("", "TXT", "v=spf1 -all", 3600)]

    client.dns.delete_zone("records.com")
    with pytest.raises(ZoneNotFound):
        client.dns.zone_records("records.com")


def test_registrant_verifications_are_read_and_restarted(client: OpenproviderClient, sandbox: SandboxAdmin) -> None:
    handle = client.customers.create(contact(email="owner@example.net"))
    client.domains.create("verified.org", order(handle))
    assert client.customers.email_verifications() == []
    sandbox.seed(verifications=[{"email": "owner@example.net", "expiration_date": "2030-01-20 10:00:00"}])

    [pending] = client.customers.email_verifications(domain="verified.org")
    assert (pending.domain, pending.email, pending.handle, pending.is_verified, pending.is_suspended) == (
        "verified.org", "owner@example.net", handle, False, False)
    assert pending.expiration_date == dt.datetime(2030, 1, 20, 10, 0, tzinfo=pending.expiration_date.tzinfo)
    client.customers.restart_email_verification("owner@example.net")
    with pytest.raises(PermanentError):
        client.customers.restart_email_verification("nobody@example.net")


def test_tld_facts(client: OpenproviderClient) -> None:
    uk = client.tlds.get("co.uk")
    assert uk.name == "co.uk"
    assert uk.supported_handles == ("owner",)
    assert (uk.min_period, uk.max_period) == (1, 10)
    com = client.tlds.get(".com")
    assert com.supported_handles == ("owner", "admin", "tech", "billing")
    assert com.soft_quarantine_period > 0 and com.quarantine_period > 0
    with pytest.raises(PermanentError) as raised:
        client.tlds.get("notsold")
    assert raised.value.code == 307


# Authentication


def test_one_login_serves_many_calls(client: OpenproviderClient, sandbox: SandboxAdmin) -> None:
    for _ in range(5):
        client.dns.templates()
    assert sandbox.calls("login") == 1


def test_ten_threads_hitting_an_expired_token_log_in_once(
    client: OpenproviderClient, sandbox: SandboxAdmin
) -> None:
    client.dns.templates()
    sandbox.expire_tokens()
    barrier = threading.Barrier(10)
    failures: list[BaseException] = []

    def work() -> None:
        barrier.wait()
        try:
            client.dns.templates()
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert sandbox.calls("login") == 2  # the first one, and one renewal for all ten threads
    assert sandbox.counters()["error_codes"].get("196", 0) <= 10


def test_a_token_refused_twice_raises_authentication_error(
    client: OpenproviderClient, sandbox: SandboxAdmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.dns.templates()
    sandbox.expire_tokens()
    original_login = client._login

    def login_then_expire() -> str:
        token = original_login()
        sandbox.expire_tokens()  # the fresh token dies before it is used
        return token

    monkeypatch.setattr(client, "_login", login_then_expire)
    with pytest.raises(TokenRejected) as raised:
        client.dns.templates()
    assert isinstance(raised.value, AuthenticationError) and raised.value.code == 196
    assert sandbox.calls("login") == 2


def test_bad_credentials_raise_authentication_error_after_one_login(sandbox: SandboxAdmin) -> None:
    with OpenproviderClient(sandbox.url, "sandbox", "wrong", token_store=TokenStore()) as client:
        with pytest.raises(AuthenticationError) as raised:
            client.dns.templates()
    assert not isinstance(raised.value, TokenRejected)
    assert raised.value.code == 196
    assert sandbox.calls("login") == 1


def test_the_login_is_recorded_without_the_password(
    client: OpenproviderClient, records: list[CallRecord]
) -> None:
    client.dns.templates()
    login = records[0]
    assert (login.method, login.path, login.status) == ("POST", "/v1beta/auth/login", 200)
    assert login.request == {"username": "sandbox", "password": MASK, "ip": "0.0.0.0"}
    assert login.response["data"]["token"] == MASK
    assert login.duration >= 0
    assert records[1].path.startswith("/v1beta/dns/templates?")


# Transient failures


def test_maintenance_is_transient_with_a_suggested_delay(
    client: OpenproviderClient, sandbox: SandboxAdmin
) -> None:
    client.dns.templates()
    sandbox.set_faults(maintenance=True, retry_after_seconds=42)
    with pytest.raises(TransientError) as raised:
        client.dns.templates()
    assert raised.value.retry_after == 42


def test_calls_limit_is_transient_code_50(client: OpenproviderClient, sandbox: SandboxAdmin) -> None:
    client.dns.templates()
    sandbox.set_faults(script=[{"fault": "rate_limit", "operation": "check_domain"}], retry_after_seconds=3)
    with pytest.raises(TransientError) as raised:
        client.domains.check(["busy.com"])
    assert (raised.value.code, raised.value.retry_after) == (50, 3)
    assert client.domains.check(["busy.com"])[0].status == "free"  # the script fired once


def test_bare_500_is_transient(client: OpenproviderClient, sandbox: SandboxAdmin) -> None:
    sandbox.set_faults(script=[{"fault": "error", "operation": "list_templates"}])
    with pytest.raises(TransientError) as raised:
        client.dns.templates()
    assert raised.value.code is None


def test_read_timeout_is_transient(sandbox: SandboxAdmin) -> None:
    sandbox.set_faults(script=[{"fault": "timeout", "operation": "list_templates"}], timeout_seconds=2.0)
    with OpenproviderClient(sandbox.url, *CREDENTIALS, read_timeout=0.5, token_store=TokenStore()) as client:
        with pytest.raises(TransientError, match="timed out"):
            client.dns.templates()


def test_connection_refused_is_transient() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with OpenproviderClient(url, *CREDENTIALS, connect_timeout=1, token_store=TokenStore()) as client:
        with pytest.raises(TransientError, match="failed"):
            client.dns.templates()


# Construction


def test_from_settings(sandbox: SandboxAdmin) -> None:
    settings = load_settings(
        environ={
            "OPBRIDGE_OP_URL": f"{sandbox.url}/v1beta",
            "OPBRIDGE_OP_USERNAME": "sandbox",
            "OPBRIDGE_OP_PASSWORD": "sandbox",
            "OPBRIDGE_OP_TIMEOUT_SECONDS": "5",
        }
    )
    with OpenproviderClient.from_settings(settings, token_store=TokenStore()) as client:
        assert client.base_url == sandbox.url
        assert client._timeout == (5.0, 5.0)
        assert client.dns.templates()


def test_constructor_refuses_a_bad_url_or_missing_credentials() -> None:
    with pytest.raises(ValueError, match="https://"):
        OpenproviderClient("api.openprovider.eu", "u", "p")
    with pytest.raises(ValueError, match="username and password"):
        OpenproviderClient("https://api.openprovider.eu", "", "p")


def test_name_servers_are_sent_in_order_with_addresses(
    client: OpenproviderClient, handle: str, records: list[CallRecord]
) -> None:
    register(client, "nsorder.com", handle)
    sent = [r.request for r in records if r.path == "/v1beta/domains" and r.method == "POST"][-1]
    assert sent["name_servers"] == [
        {"name": NAME_SERVERS[0].name, "seq_nr": 1},
        {"name": NAME_SERVERS[1].name, "ip": "192.0.2.2", "seq_nr": 2},
    ]
