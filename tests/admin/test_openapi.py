"""/api/v1/openapi.json: a valid OpenAPI 3.1 document that the live app keeps to.

schemathesis generates requests from the document (valid ones and invalid ones) and
sends them to the app over HTTP, with every check it has: no 5xx, every status code
and body as documented, invalid input refused and valid input accepted.
"""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
import requests
from openapi_spec_validator import validate

from listener.openapi import _sections
from outbox.values import Failure, NewCommand, NewEvent
from tests.admin.conftest import TOKEN

# Blueprints served outside the JSON interface: the dashboard's HTML pages.
UNDESCRIBED = ("dashboard.", "static")


def described_paths(admin) -> dict:  # noqa: ANN001
    answer = requests.get(f"{admin.base}/api/v1/openapi.json", timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    return answer.json()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_description_is_valid_openapi_and_covers_every_route(admin):  # noqa: ANN001
    document = described_paths(admin)
    validate(document)
    assert document["openapi"] == "3.1.0"
    described = {(path, method) for path, operations in document["paths"].items() for method in operations}
    for rule in admin.app.url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0]
        if rule.endpoint.startswith(UNDESCRIBED) or blueprint == "openapi":
            continue
        assert blueprint in _sections, f"blueprint {blueprint} is not described (listener.openapi.describe_blueprint)"
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in described, f"{method} {path} is not described (listener.openapi.operation)"
    assert {"/hooks/whmcs", "/healthz", "/readyz", "/metrics", "/api/v1/commands/{command_id}"} <= set(document["paths"])
    errors = document["paths"]["/api/v1/commands/replay"]["post"]["responses"]
    assert {"200", "400", "401", "403", "422", "503"} <= set(errors)
    assert errors["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def seed(admin) -> None:  # noqa: ANN001
    """Something behind the documented example ids, so generated requests also reach found records."""
    outbox = admin.outbox
    outbox.enqueue(NewEvent("evt_0001", "domain.lock_changed", '{"data": {"epp_code": "x"}}'),
                   [NewCommand("set_lock", "example.com", {"locked": True})])
    [claimed] = outbox.claim("seed", 1)
    outbox.fail(claimed, Failure("Openprovider error 331: invalid owner handle", "331", transient=False))
    requests.post(f"{admin.sandbox_url}/_sandbox/seed", json={
        "domains": [{"name": "example.com", "status": "ACT", "auth_code": "Example-Code-1"}],
    }, timeout=10).raise_for_status()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_live_app_keeps_to_its_description(admin, tmp_path):  # noqa: ANN001
    seed(admin)
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", f"{admin.base}/api/v1/openapi.json", "--url", admin.base,
         "--checks", "all", "--header", f"Authorization: Bearer {TOKEN}", "--max-examples", "20", "--seed", "1",
         # The outcome of an open command is waited for, up to 20 s by design: that path's
         # answers are checked in tests/registrar/test_truth.py instead of waited for here.
         "--workers", "1", "--no-color", "--exclude-path", "/api/v1/events/{webhook_id}/outcome"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    generated, passed = map(int, re.search(r"(\d+) generated, (\d+) passed", run.stdout).groups())
    assert generated == passed >= 300, run.stdout[-3000:]
