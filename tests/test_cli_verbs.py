"""The command line as a new user meets it: one error style, JSON objects, helpful refusals."""
from __future__ import annotations

import base64
import json

import pytest
from click.testing import CliRunner

from opbridge.cli import cli
from opsandbox import create_app as create_sandbox
from core.settings import load_settings
from outbox.db import make_engine, upgrade
from outbox.store import Outbox
from outbox.values import NewCommand
from outbox.sync import records
from tests.opsandbox.harness import SandboxAdmin
from tests.support import serve_wsgi


def invoke(*args: str, env: dict[str, str] | None = None):  # noqa: ANN201
    return CliRunner(env={"OPBRIDGE_LOG_LEVEL": "WARNING", **(env or {})}).invoke(cli, list(args))


@pytest.fixture
def store(tmp_path):  # noqa: ANN001, ANN201
    url = f"sqlite:///{tmp_path}/verbs.db"
    engine = make_engine(url)
    upgrade(engine)
    yield {"OPBRIDGE_DATABASE_URL": url}, Outbox(engine)
    engine.dispose()


def test_worker_refuses_to_start_without_the_openprovider_login(store) -> None:  # noqa: ANN001
    env, _ = store
    result = invoke("worker", env=env)
    assert result.exit_code == 1
    assert result.output.strip() == "Error: OPBRIDGE_OP_USERNAME is required for this command but is not set."


def test_one_error_prefix_for_refusals_and_usage_errors(store) -> None:  # noqa: ANN001
    env, _ = store
    missing = invoke("commands", "show", "4242", env=env)
    usage = invoke("commands", "replay", env=env)
    assert (missing.exit_code, usage.exit_code) == (1, 2)
    assert missing.output.startswith("Error: There is no command with id 4242 in sqlite:")
    assert "\nError: Give command ids or --status" in usage.output
    assert "opbridge:" not in missing.output + usage.output


def test_domain_filters_take_any_case_and_either_idn_form(store) -> None:  # noqa: ANN001
    env, outbox = store
    outbox.enqueue(None, [NewCommand("set_lock", "xn--bcher-kva.example", {}), NewCommand("set_lock", "a.com", {})])
    for typed in ("BÜCHER.Example", "xn--bcher-kva.EXAMPLE.", "bücher.example"):
        listed = json.loads(invoke("commands", "list", "--domain", typed, "--json", env=env).output)
        assert [row["aggregate_key"] for row in listed] == ["xn--bcher-kva.example"], typed
    bad = invoke("commands", "list", "--domain", "not a domain", env=env)
    assert bad.exit_code == 2 and "'not a domain' is not a valid domain name" in bad.output


def test_replay_says_why_each_command_was_not_replayed(store) -> None:  # noqa: ANN001
    env, outbox = store
    first, second = outbox.enqueue(None, [NewCommand("set_lock", "a.com", {}), NewCommand("set_lock", "b.com", {})]).command_ids
    outbox.claim("t", 1)
    result = invoke("commands", "replay", str(first), str(second), "4242", env=env)
    assert result.exit_code == 1
    assert (f"Error: Not replayed: {first} is running, {second} is pending, 4242 does not exist; "
            "only dead or done commands can be replayed.") in result.output


def test_doctor_reports_an_unreachable_database_in_one_line() -> None:
    result = invoke("doctor", env={"OPBRIDGE_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if line.startswith("database")]
    assert "OperationalError: " in line and "Connection refused" in line
    assert "sqlalche.me" not in result.output and "[SQL" not in result.output
    assert len(result.output.splitlines()) == 1 + 7  # the header and one line per check


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and result.output.startswith("opbridge, version ")


def test_a_sync_that_cannot_start_leaves_no_run_to_report(store) -> None:  # noqa: ANN001
    env, outbox = store
    dry = invoke("sync", "run", "--dry-run", env=env)
    assert dry.exit_code == 1 and dry.output.startswith("Error: OPBRIDGE_WHMCS_URL is required")
    assert records.load_run(outbox.engine) is None
    assert invoke("sync", "report", env=env).exit_code == 1


def test_the_report_of_a_failed_run_exits_1(store) -> None:  # noqa: ANN001
    env, outbox = store
    run_id = records.start_run(outbox.engine, trigger="cli", dry_run=True, period_key=None, now=outbox.clock())
    records.finish_run(outbox.engine, run_id, outbox.clock(), status=records.FAILED, message="WhmcsError: refused")
    for args in (("sync", "report"), ("sync", "report", "--json")):
        result = invoke(*args, env=env)
        assert result.exit_code == 1 and f"Error: Sync run #{run_id} failed: WhmcsError: refused" in result.output


def test_a_misspelled_variable_is_named_with_the_setting_meant(caplog) -> None:  # noqa: ANN001
    load_settings(environ={"OPBRIDGE_WEBHOOK_SECRET": "x", "OPBRIDGE_TEST_POSTGRES_URL": "y", "OPBRIDGE_LOG_LVL": "z"})
    assert [record.getMessage() for record in caplog.records] == [
        "OPBRIDGE_LOG_LVL is not a setting and is ignored; did you mean OPBRIDGE_LOG_LEVEL?",
        "OPBRIDGE_WEBHOOK_SECRET is not a setting and is ignored; did you mean OPBRIDGE_WEBHOOK_SECRETS?",
    ]


@pytest.mark.parametrize(("kind", "setting"), [(None, "webhook_secrets"), ("webhook", "webhook_secrets"),
                                                ("admin-token", "admin_tokens"), ("at-rest-key", "at_rest_keys")])
def test_secrets_new_makes_what_the_settings_take(kind, setting) -> None:  # noqa: ANN001
    made = {invoke("secrets", "new", *([kind] if kind else [])).output.strip() for _ in range(2)}
    assert len(made) == 2  # fresh each time
    for secret in made:
        assert getattr(load_settings(environ={}, **{setting: secret}), setting) == (secret,)
    if setting == "webhook_secrets":
        assert all(len(base64.b64decode(secret[len("whsec_"):])) == 32 for secret in made)


def test_authcode_is_the_verb_that_shows_a_code() -> None:
    with serve_wsgi(create_sandbox()) as url:
        SandboxAdmin(url).seed(domains=[{"name": "kept.com", "status": "ACT", "auth_code": "Secret-Code-9"}])
        env = {"OPBRIDGE_OP_URL": url, "OPBRIDGE_OP_USERNAME": "sandbox", "OPBRIDGE_OP_PASSWORD": "sandbox"}
        shown = invoke("authcode", "KEPT.com", env=env)
        missing = invoke("authcode", "absent.com", env=env)
    assert (shown.exit_code, shown.output) == (0, "Secret-Code-9\n")
    assert missing.exit_code == 1 and missing.output.startswith("Error: ")
