"""``opbridge move-registrar`` against the WHMCS sandbox over HTTP: a dry run changes
nothing, a run moves exactly the domains of the source module (and TLDs), a second run
finds nothing left, and bad use is told in one sentence."""
from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
import requests
from click.testing import CliRunner, Result

from opbridge.cli import cli

from tests.support import serve_wsgi
from whmcsapi.client import WhmcsClient
from whmcssandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET
from whmcssandbox import create_app as create_whmcs


@pytest.fixture
def whmcs_url() -> Iterator[str]:
    with serve_wsgi(create_whmcs()) as url:
        requests.post(f"{url}/_sandbox/seed", timeout=10, json={"domains": [
            {"domain": "eerste.nl", "registrar": "openprovider", "status": "Active"},
            {"domain": "tweede.com", "registrar": "OpenProvider", "status": "Pending Transfer"},
            {"domain": "derde.nl", "registrar": "enom", "status": "Active"},
        ]}).raise_for_status()
        yield url


def opbridge(whmcs_url: str | None, *args: str) -> Result:
    """``opbridge move-registrar ARGS`` in this process (the WHMCS calls are real HTTP)."""
    env: dict[str, str | None] = {key: None for key in os.environ if key.startswith("OPBRIDGE_")}
    if whmcs_url:
        env |= {"OPBRIDGE_WHMCS_URL": whmcs_url, "OPBRIDGE_WHMCS_IDENTIFIER": DEFAULT_IDENTIFIER,
                "OPBRIDGE_WHMCS_SECRET": DEFAULT_SECRET}
    return CliRunner().invoke(cli, ["move-registrar", *args], env=env)


def registrars(whmcs_url: str) -> dict[str, str]:
    with WhmcsClient(whmcs_url, identifier=DEFAULT_IDENTIFIER, secret=DEFAULT_SECRET) as client:
        return {domain.domain: domain.registrar for domain in client.iter_clients_domains()}


def test_dry_run_then_by_tld_then_the_rest(whmcs_url: str) -> None:
    before = registrars(whmcs_url)
    planned = opbridge(whmcs_url, "--dry-run", "--json")
    assert planned.exit_code == 0, planned.output
    assert [(row["domain"], row["outcome"]) for row in json.loads(planned.stdout)] == [
        ("eerste.nl", "would move"), ("tweede.com", "would move")]
    assert registrars(whmcs_url) == before

    only_nl = opbridge(whmcs_url, "--tld", ".nl")
    assert only_nl.exit_code == 0 and only_nl.stdout.endswith("1 domain(s) moved from openprovider to opbridge.\n")
    assert registrars(whmcs_url) == {"eerste.nl": "opbridge", "tweede.com": "OpenProvider", "derde.nl": "enom"}

    rest = opbridge(whmcs_url)
    assert rest.exit_code == 0 and "tweede.com" in rest.stdout
    assert registrars(whmcs_url) == {"eerste.nl": "opbridge", "tweede.com": "opbridge", "derde.nl": "enom"}
    assert opbridge(whmcs_url).stdout.endswith("0 domain(s) moved from openprovider to opbridge.\n")


def test_bad_use_is_one_sentence(whmcs_url: str) -> None:
    same = opbridge(whmcs_url, "--from", "opbridge", "--to", "OPBRIDGE")
    assert same.exit_code == 2 and "--from and --to name the same registrar module." in same.stderr
    refused = opbridge(None)
    assert refused.exit_code == 1 and "OPBRIDGE_WHMCS_URL" in refused.stderr
