"""``check`` and ``dns-templates`` against the sandbox, settings from the environment."""
from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from opbridge.commands.openprovider import check, dns_templates
from tests.opsandbox.harness import CREDENTIALS, SandboxAdmin


@pytest.fixture
def environment(sandbox: SandboxAdmin) -> dict[str, str]:
    username, password = CREDENTIALS
    return {
        "OPBRIDGE_CONFIG": "",
        "OPBRIDGE_OP_URL": sandbox.url,
        "OPBRIDGE_OP_USERNAME": username,
        "OPBRIDGE_OP_PASSWORD": password,
    }


def run(command: click.Command, args: list[str], environment: dict[str, str]):  # noqa: ANN201
    return CliRunner().invoke(command, args, env=environment)


def test_check_prints_a_table(environment: dict[str, str], sandbox: SandboxAdmin) -> None:
    sandbox.seed(domains=[{"name": "taken.com"}])
    result = run(check, ["free.com", "taken.com"], environment)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["DOMAIN", "STATUS", "PRICE", "CURRENCY", "REASON"]
    assert lines[1].split()[:4] == ["free.com", "free", "9.5", "EUR"]
    assert lines[2].split()[:2] == ["taken.com", "active"]


def test_check_prints_json(environment: dict[str, str]) -> None:
    result = run(check, ["free.com", "--json"], environment)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"domain": "free.com", "status": "free", "price": "9.5", "currency": "EUR", "reason": ""}
    ]


def test_dns_templates_table_and_json(environment: dict[str, str]) -> None:
    table = run(dns_templates, [], environment)
    assert table.exit_code == 0, table.output
    assert [line.split()[1] for line in table.stdout.splitlines()[1:]] == ["default", "parking"]
    as_json = run(dns_templates, ["--json"], environment)
    assert [row["name"] for row in json.loads(as_json.stdout)] == ["default", "parking"]


@pytest.mark.parametrize(
    ("args", "change", "message"),
    [
        (["example.com"], {"OPBRIDGE_OP_USERNAME": ""}, "OPBRIDGE_OP_USERNAME is required"),
        (["example.com"], {"OPBRIDGE_OP_PASSWORD": "wrong"}, "refused the login"),
        (
            ["example.com"],
            {"OPBRIDGE_OP_TIMEOUT_SECONDS": "soon"},
            "OPBRIDGE_OP_TIMEOUT_SECONDS must be a whole number",
        ),
        (["not a domain"], {}, "not a valid domain name"),
    ],
)
def test_failures_exit_1_with_one_sentence(
    environment: dict[str, str], args: list[str], change: dict[str, str], message: str
) -> None:
    result = run(check, args, {**environment, **change})
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
