"""``opbridge move-registrar`` against the WHMCS sandbox over HTTP: a dry run changes
nothing, a run moves exactly the domains of the source module (and TLDs), a second run
finds nothing left, and bad use is told in one sentence."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from tests.support import serve_wsgi
from whmcsapi.client import WhmcsClient
from whmcsapi.sandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET
from whmcsapi.sandbox import create_app as create_whmcs


@pytest.fixture
def whmcs_url() -> Iterator[str]:
    with serve_wsgi(create_whmcs()) as url:
        requests.post(f"{url}/_sandbox/seed", timeout=10, json={"domains": [
            {"domain": "eerste.nl", "registrar": "openprovider", "status": "Active"},
            {"domain": "tweede.com", "registrar": "OpenProvider", "status": "Pending Transfer"},
            {"domain": "derde.nl", "registrar": "enom", "status": "Active"},
        ]}).raise_for_status()
        yield url


def opbridge(whmcs_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("OPBRIDGE_")} | {
        "OPBRIDGE_WHMCS_URL": whmcs_url, "OPBRIDGE_WHMCS_IDENTIFIER": DEFAULT_IDENTIFIER,
        "OPBRIDGE_WHMCS_SECRET": DEFAULT_SECRET}
    return subprocess.run([sys.executable, "-m", "opbridge", "move-registrar", *args],
                          capture_output=True, text=True, env=env, timeout=60)


def registrars(whmcs_url: str) -> dict[str, str]:
    with WhmcsClient(whmcs_url, identifier=DEFAULT_IDENTIFIER, secret=DEFAULT_SECRET) as client:
        return {domain.domain: domain.registrar for domain in client.iter_clients_domains()}


def test_dry_run_then_by_tld_then_the_rest(whmcs_url: str) -> None:
    before = registrars(whmcs_url)
    planned = opbridge(whmcs_url, "--dry-run", "--json")
    assert planned.returncode == 0, planned.stderr
    assert [(row["domain"], row["outcome"]) for row in json.loads(planned.stdout)] == [
        ("eerste.nl", "would move"), ("tweede.com", "would move")]
    assert registrars(whmcs_url) == before

    only_nl = opbridge(whmcs_url, "--tld", ".nl")
    assert only_nl.returncode == 0 and only_nl.stdout.endswith("1 domain(s) moved from openprovider to opbridge.\n")
    assert registrars(whmcs_url) == {"eerste.nl": "opbridge", "tweede.com": "OpenProvider", "derde.nl": "enom"}

    rest = opbridge(whmcs_url)
    assert rest.returncode == 0 and "tweede.com" in rest.stdout
    assert registrars(whmcs_url) == {"eerste.nl": "opbridge", "tweede.com": "opbridge", "derde.nl": "enom"}
    assert opbridge(whmcs_url).stdout.endswith("0 domain(s) moved from openprovider to opbridge.\n")


def test_bad_use_is_one_sentence(whmcs_url: str) -> None:
    same = opbridge(whmcs_url, "--from", "opbridge", "--to", "OPBRIDGE")
    assert same.returncode == 2 and "--from and --to name the same registrar module." in same.stderr
    refused = subprocess.run([sys.executable, "-m", "opbridge", "move-registrar"], capture_output=True, text=True,
                             env={k: v for k, v in os.environ.items() if not k.startswith("OPBRIDGE_")}, timeout=60)
    assert refused.returncode == 1 and "OPBRIDGE_WHMCS_URL" in refused.stderr
