"""500 commands over 100 domains through 500s, timeouts, rate limits and a token expiry."""
from __future__ import annotations

from tests.dispatch.harness import drain, enqueue, make_worker, paid_renewal, test_settings

DOMAINS = 100
NEW_NAMESERVERS = ["ns1.moved.example", "ns2.moved.example"]
FAULTS = dict(
    seed=11, error_rate=0.3, timeout_rate=0.1, rate_limit_rate=0.05, timeout_seconds=1.5, retry_after_seconds=1,
    operations=["list_domains", "update_domain", "renew_domain"],
)


def toggles(name: str) -> list[tuple[str, dict]]:
    target = {"domain_id": 7, "domain": name}
    return [
        ("domain.autorenew_changed", {**target, "autorenew": False}),
        ("domain.lock_changed", {**target, "locked": True}),
        ("domain.id_protection_changed", {**target, "enabled": True}),
        ("domain.nameservers_changed", {**target, "nameservers": NEW_NAMESERVERS}),
    ]


def test_every_command_ends_done_through_the_faults(database_url, sandbox, engine) -> None:  # noqa: ANN001
    sandbox.seed(generate={"count": DOMAINS, "name": "load{n}.com", "expiration_date": "2027-06-01 12:00:00"})
    settings = test_settings(database_url, sandbox.url, op_timeout_seconds=1)
    worker = make_worker(engine, settings, threads=16, schedule=(0.05,) * 60)
    worker.services.openprovider.tlds.get("com")  # log in now: the count below starts with a valid token
    for number in range(1, DOMAINS + 1):
        name = f"load{number}.com"
        enqueue(worker.outbox, "invoice.paid", paid_renewal(name, None, invoice_id=number))
        for event_type, data in toggles(name):
            enqueue(worker.outbox, event_type, data)
    sandbox.reset_counters()
    sandbox.set_faults(**FAULTS)
    sandbox.expire_tokens(after_calls=400)
    assert drain(worker, timeout=120) == {"pending": 0, "running": 0, "done": 500, "dead": 0, "discarded": 0}
    counters = sandbox.counters()
    assert counters["failed"]["update_domain"] > 50 and counters["error_codes"]["rate_limit"] > 10  # the faults did hit
    assert counters["calls"]["login"] <= 1 + 1  # one token expiry, plus at most the first login
    assert counters["succeeded"]["renew_domain"] == DOMAINS  # exactly once, through timeouts that took effect
    for number in range(1, DOMAINS + 1):
        domain = sandbox.domain(f"load{number}.com")
        assert domain["expiration_date"].startswith("2028-06-01")
        assert (domain["autorenew"], domain["is_locked"], domain["is_private_whois_enabled"]) == ("off", True, True)
        assert [ns["name"] for ns in domain["name_servers"]] == NEW_NAMESERVERS
