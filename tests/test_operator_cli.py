"""What a new operator met on the command line (issue 21): which database, which error."""
from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from opbridge.cli import cli
from outbox.db import make_engine, upgrade
from outbox.store import Outbox
from outbox.values import Failure, NewCommand

BEYOND_IDS = "99999999999999999999999"


def invoke(*args: str, env: dict[str, str | None]):  # noqa: ANN201
    return CliRunner(env={"OPBRIDGE_LOG_LEVEL": "WARNING", **env}).invoke(cli, list(args))


@pytest.fixture
def store(tmp_path):  # noqa: ANN001, ANN201
    url = f"sqlite:///{tmp_path}/first-hour.db"
    engine = make_engine(url)
    upgrade(engine)
    yield {"OPBRIDGE_DATABASE_URL": url}, Outbox(engine)
    engine.dispose()


@pytest.mark.parametrize("args", [("commands", "list"), ("commands", "show", "2"), ("commands", "replay", "2"),
                                  ("purge",), ("sync", "report")])
def test_a_verb_that_reads_creates_no_database_and_names_the_one_it_looked_for(tmp_path, monkeypatch, args) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    result = invoke(*args, env={"OPBRIDGE_DATABASE_URL": None, "OPBRIDGE_CONFIG": None})
    assert result.exit_code == 1
    assert f"Error: There is no database at sqlite:///opbridge.db ({tmp_path}/opbridge.db)" in result.output
    assert "OPBRIDGE_DATABASE_URL" in result.output
    assert not (tmp_path / "opbridge.db").exists()


def test_doctor_names_the_database_and_creates_none(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    result = invoke("doctor", env={"OPBRIDGE_DATABASE_URL": None, "OPBRIDGE_CONFIG": None})
    [line] = [line for line in result.output.splitlines() if line.startswith("database")]
    assert "fail" in line and f"sqlite:///opbridge.db ({tmp_path}/opbridge.db) does not exist" in line
    assert not (tmp_path / "opbridge.db").exists()


def test_doctor_masks_the_password_of_the_database_it_names() -> None:
    result = invoke("doctor", env={"OPBRIDGE_DATABASE_URL": "postgresql+psycopg://opbridge:s3cret@127.0.0.1:1/none"})
    [line] = [line for line in result.output.splitlines() if line.startswith("database")]
    assert "s3cret" not in result.output and "Connection refused" in line


def test_an_id_beyond_the_id_columns_is_no_command_not_an_outage(store) -> None:  # noqa: ANN001
    env, _ = store
    shown = invoke("commands", "show", BEYOND_IDS, env=env)
    replayed = invoke("commands", "replay", BEYOND_IDS, env=env)
    assert shown.exit_code == 1 and f"There is no command with id {BEYOND_IDS}" in shown.output
    assert replayed.exit_code == 1 and f"{BEYOND_IDS} does not exist" in replayed.output
    assert "not reachable" not in shown.output + replayed.output


def test_commands_show_prints_each_tries_calls_and_a_success_as_a_note(store) -> None:  # noqa: ANN001
    env, outbox = store
    [command_id] = outbox.enqueue(None, [NewCommand("set_lock", "a.com", {})]).command_ids
    [command] = outbox.claim("t")
    calls = [{"method": "PUT", "path": "/v1beta/domains/12", "status": 200, "duration": 0.0423}]
    outbox.complete(command, "Locked.", calls)
    result = invoke("commands", "show", str(command_id), env=env)
    assert result.exit_code == 0
    assert "Calls of try 1 (done):" in result.output
    [call] = [line for line in result.output.splitlines() if line.startswith("PUT ")]
    assert call.split() == ["PUT", "/v1beta/domains/12", "200", "42"]
    [attempt] = [line for line in result.output.splitlines() if line.lstrip().startswith("1 ")]
    header = next(line for line in result.output.splitlines() if line.startswith("NUMBER"))
    assert attempt.rstrip().endswith("Locked.") and header.split()[-1] == "NOTE"


def test_discard_sets_dead_commands_aside_with_a_reason(store) -> None:  # noqa: ANN001
    env, outbox = store
    first, second, running = outbox.enqueue(None, [NewCommand("set_lock", f"{name}.com", {}) for name in "abc"]).command_ids
    for command in outbox.claim("t", 3):
        if command.id != running:
            outbox.fail(command, Failure("Openprovider error 366: prohibited", "366", transient=False))
    usage = invoke("commands", "discard", str(first), env=env)
    assert usage.exit_code == 2 and "--reason" in usage.output
    one = invoke("commands", "discard", str(first), str(running), "--reason", "Cancelled by the customer.", env=env)
    assert one.exit_code == 1 and "Discarded 1 command(s)." in one.output and f"{running} is running" in one.output
    rest = invoke("commands", "discard", "--all-dead", "--domain", "B.com", "--reason", "Test order.", env=env)
    assert rest.exit_code == 0 and "Discarded 1 command(s)." in rest.output
    shown = invoke("commands", "show", str(first), env=env).output
    assert "discarded" in shown and "Cancelled by the customer." in shown
    assert outbox.counts()["discarded"] == 2


def test_a_misspelt_toml_setting_is_one_sentence(tmp_path) -> None:  # noqa: ANN001
    config = tmp_path / "opbridge.toml"
    config.write_text('webhook_secret = "whsec_x"\n')
    # Through the variable --config sets: the option would set it for the rest of this process.
    result = invoke("commands", "list", env={"OPBRIDGE_CONFIG": str(config)})
    assert result.output.strip().endswith("unknown setting: webhook_secret; did you mean webhook_secrets?")


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_two_upgrades_at_once_both_succeed(fresh_database, kind) -> None:  # noqa: ANN001
    url = fresh_database(kind)
    env = {"OPBRIDGE_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    both = [subprocess.Popen([sys.executable, "-m", "opbridge", "db", "upgrade"], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outcomes = [(process.wait(timeout=120), process.stderr.read()) for process in both]
    assert outcomes == [(0, ""), (0, "")]
