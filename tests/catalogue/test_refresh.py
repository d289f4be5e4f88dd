"""The catalogue refresh against the sandbox over HTTP, on every backend; the CLI verbs."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from typing import Any

from opclient import OpenproviderClient
from outbox.catalogue import all_entries, entry_for, refresh_catalogue


def client_for(sandbox: Any) -> OpenproviderClient:
    return OpenproviderClient(sandbox.url, "sandbox", "sandbox")


def test_refresh_reads_every_tld_with_prices_facts_and_where_its_registry_data_goes(sandbox, engine) -> None:  # noqa: ANN001
    sandbox.seed(tlds={"ru": {"customer_fields": [{"name": "passport_issued_by", "type": "text", "required": True,
                                                    "description": "Issuer of the passport"}]}})
    with client_for(sandbox) as client:
        summary = refresh_catalogue(client, engine, page_size=4)
    names = [entry.name for entry in all_entries(engine)]
    assert summary.added == len(names) and "com.au" in names and "ru" in names
    es = entry_for(engine, ".ES")
    assert es.prices["create"] == Decimal("8.00") and es.currency == "EUR" and es.epp_required
    assert [(f.name, f.target, f.required) for f in es.fields] == [("social_security_number", "customer", True)]
    us = entry_for(engine, "us")
    assert {f.name: f.target for f in us.fields} == {"nexus_category": "extension", "applicant_purpose": "extension"}
    assert ("C31", "Foreign entity doing business in the US") in us.fields[0].options
    au = entry_for(engine, "com.au")
    assert (au.min_period, au.max_period) == (2, 2)
    assert {f.name: f.target for f in au.fields} == {"eligibility_type": "domain", "company_registration_number": "domain"}
    assert entry_for(engine, "it").prices["transfer"] is None  # .it cannot be transferred in here
    assert [f.name for f in entry_for(engine, "ru").unmappable] == ["passport_issued_by"]
    assert entry_for(engine, "eu").handles == ("owner", "tech")


def test_a_second_refresh_keeps_what_did_not_change_and_drops_what_left(sandbox, engine) -> None:  # noqa: ANN001
    with client_for(sandbox) as client:
        refresh_catalogue(client, engine)
        before = {entry.name: entry.changed_at for entry in all_entries(engine)}
        sandbox.state.tlds.pop("be")
        sandbox.seed(tlds={"nl": {"prices": {"create": 4.5, "renew": 7.25, "transfer": 4.5, "restore": 60.0,
                                             "soft_restore": 4.5}}})
        summary = refresh_catalogue(client, engine)
    assert (summary.changed, summary.removed, summary.added) == (1, 1, 0)
    after = {entry.name: entry for entry in all_entries(engine)}
    assert "be" not in after
    assert after["nl"].prices["renew"] == Decimal("7.25") and after["nl"].prices["trade"] is None
    assert after["nl"].changed_at > before["nl"] and after["com"].changed_at == before["com"]


def opbridge(url: str, sandbox_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPBRIDGE_")} | {
        "OPBRIDGE_DATABASE_URL": url, "OPBRIDGE_OP_URL": sandbox_url, "OPBRIDGE_OP_USERNAME": "sandbox",
        "OPBRIDGE_OP_PASSWORD": "sandbox"}
    return subprocess.run([sys.executable, "-m", "opbridge", *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_cli_refreshes_lists_and_shows(sandbox, tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path}/tlds.db"
    refreshed = opbridge(url, sandbox.url, "tlds", "refresh")
    assert refreshed.returncode == 0 and "added" in refreshed.stdout, refreshed.stderr
    table = opbridge(url, sandbox.url, "tlds", "list", "--search", "au").stdout
    assert "com.au" in table and "eligibility_type" in table and ".nl" not in table
    shown = json.loads(opbridge(url, sandbox.url, "tlds", "show", ".us", "--json").stdout)
    assert shown["prices"]["renew"] == "9.50" and shown["registry_fields"][0]["target"] == "extension"
    text = opbridge(url, sandbox.url, "tlds", "show", "es").stdout
    assert "social_security_number (text, required) -> customer" in text
    missing = opbridge(url, sandbox.url, "tlds", "show", "nope")
    assert missing.returncode == 1 and "The catalogue has no TLD 'nope'" in missing.stderr


def test_the_worker_refreshes_only_when_the_catalogue_is_older_than_its_period(sandbox, engine) -> None:  # noqa: ANN001
    from outbox.catalogue.schedule import refresh_if_due
    from outbox.services import OutboxServices
    from tests.dispatch.harness import test_settings

    services = OutboxServices(test_settings(str(engine.url.render_as_string(hide_password=False)), sandbox.url), engine)
    before = sandbox.succeeded("list_tlds")
    assert refresh_if_due(services, hours=24) is True
    listed = sandbox.succeeded("list_tlds")
    assert listed == before + 1  # one page
    assert refresh_if_due(services, hours=24) is False
    assert sandbox.succeeded("list_tlds") == listed
    assert len(all_entries(engine)) == len(sandbox.state.tlds)
