"""The small parts: the read strategy, report escaping, period keys and the sync lock."""
from __future__ import annotations

from datetime import datetime

import pytest

from outbox.db import make_engine
from outbox.leader import exclusive
from outbox.scheduler import period_key
from outbox.sync.reading import use_listing
from outbox.sync.report import render_html, render_text

RUN = {"id": 4, "trigger": "schedule", "started_at": datetime(2026, 3, 2, 10), "domains_checked": 1,
       "dry_run": False, "message": None}


@pytest.mark.parametrize(("batch", "account", "listing"), [
    (200, 7000, True),     # 7 pages beat 25 rounds of 8 lookups
    (10, 7000, False),     # 2 rounds of lookups beat 7 pages
    (10_000, 10_000, True),
    (3, 3, True),          # one page holds the whole account
])
def test_the_read_takes_whichever_needs_fewer_round_trips(batch: int, account: int, listing: bool) -> None:
    assert use_listing(batch, account, concurrency=8) is listing


def test_report_values_are_escaped_in_html() -> None:
    row = {"domain": "x.com", "whmcs_domain_id": 1, "kind": "error", "old_value": None, "new_value": None,
           "comment": "<script>alert('x')</script> & \"more\"", "invoices": None}
    mail = render_html(RUN, [row], admin_url="https://whmcs.example/admin?a=1&b=2")
    assert "<script>" not in mail
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;more&quot;" in mail
    assert 'href="https://whmcs.example/admin?a=1&amp;b=2/clientsdomains.php?id=1"' in mail
    assert "<script>" in render_text(RUN, [row])  # the text part is escaped only where it is embedded


def test_a_large_section_is_cut_in_the_mail_and_points_to_the_full_report() -> None:
    rows = [{"domain": f"d{n}.com", "whmcs_domain_id": n, "kind": "expiry_date", "old_value": "2026-01-01",
             "new_value": "2027-01-01", "comment": None, "invoices": None} for n in range(250)]
    mail = render_html(RUN, rows)
    assert "d199.com" in mail and "d200.com</td>" not in mail
    assert "and 50 more: run `opbridge sync report 4`" in mail


def test_period_keys_round_to_the_nearest_tick() -> None:
    assert period_key(600.0, 60) == period_key(599.2, 60) == period_key(629.9, 60) == "60s:10"
    assert period_key(630.1, 60) == "60s:11"


def test_only_one_holder_of_the_sync_lock_at_a_time(database_url: str) -> None:
    first, second = make_engine(database_url), make_engine(database_url)
    try:
        with exclusive(first, "sync") as held:
            assert held
            with exclusive(second, "sync") as also_held:
                assert not also_held
            with exclusive(second, "other") as other:
                assert other
        with exclusive(second, "sync") as held_after_release:
            assert held_after_release
    finally:
        first.dispose()
        second.dispose()


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_two_databases_on_one_server_each_hold_their_own_lock(kind: str, fresh_database) -> None:  # noqa: ANN001
    # One server often holds several installations' databases; MariaDB's named locks are server-wide.
    first, second = make_engine(fresh_database(kind)), make_engine(fresh_database(kind))
    try:
        with exclusive(first, "sync") as held, exclusive(second, "sync") as also_held:
            assert held and also_held
    finally:
        first.dispose()
        second.dispose()
