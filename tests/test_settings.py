"""Settings: defaults, TOML, environment precedence, and one-sentence errors."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from core.settings import ConfigError, load_settings, require

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_defaults_follow_the_design():
    settings = load_settings(environ={})
    assert settings.database_url == "sqlite:///opbridge.db"
    assert (settings.next_due_date_offset, settings.update_interval_days, settings.max_domains_per_sync) == (10, 3, 200)
    assert settings.send_empty_reports is True and settings.worker_threads == 8
    assert settings.retry_schedule == (10, 60, 300, 900, 3600, 10800, 21600, 43200, 86400, 86400)


def test_environment_wins_over_the_toml_file(tmp_path):
    path = tmp_path / "opbridge.toml"
    path.write_text('worker_threads = 4\nnext_due_date_offset = 14\nreuse_handles = false\n')
    settings = load_settings(str(path), {"OPBRIDGE_WORKER_THREADS": "16"})
    assert settings.worker_threads == 16
    assert settings.next_due_date_offset == 14
    assert settings.reuse_handles is False


def test_config_file_from_environment(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('retry_schedule = [1, 2, 3]\n')
    assert load_settings(environ={"OPBRIDGE_CONFIG": str(path)}).retry_schedule == (1, 2, 3)


@pytest.mark.parametrize(
    "environ, sentence",
    [
        ({"OPBRIDGE_NEXT_DUE_DATE_OFFSET": "ten"}, "OPBRIDGE_NEXT_DUE_DATE_OFFSET must be a whole number, not 'ten'."),
        ({"OPBRIDGE_WORKER_THREADS": "0"}, "OPBRIDGE_WORKER_THREADS must be at least 1 and at most 256, not 0."),
        ({"OPBRIDGE_SEND_EMPTY_REPORTS": "maybe"}, "OPBRIDGE_SEND_EMPTY_REPORTS must be true or false, not 'maybe'."),
        ({"OPBRIDGE_DATABASE_URL": "oracle://x"}, "OPBRIDGE_DATABASE_URL must be a sqlite://"),
        ({"OPBRIDGE_WEBHOOK_SECRETS": "plain"}, "OPBRIDGE_WEBHOOK_SECRETS each secret must look like whsec_<base64>."),
        ({"OPBRIDGE_EXPIRY_SOURCE": "soon"}, "OPBRIDGE_EXPIRY_SOURCE must be one of expiration_date, renewal_date"),
        ({"OPBRIDGE_DEFAULT_NAMESERVERS": "ns1.example"}, "OPBRIDGE_DEFAULT_NAMESERVERS must list at least two"),
    ],
)
def test_bad_values_name_the_setting(environ, sentence):
    with pytest.raises(ConfigError) as error:
        load_settings(environ=environ)
    assert str(error.value).startswith(sentence)


def test_unknown_key_in_file_is_refused(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('worker_thread = 4\n')
    with pytest.raises(ConfigError, match="unknown setting: worker_thread"):
        load_settings(str(path), {})


def test_secrets_never_show_in_repr():
    settings = load_settings(environ={"OPBRIDGE_WEBHOOK_SECRETS": SECRET, "OPBRIDGE_OP_PASSWORD": "hunter2"})
    text = repr(settings)
    assert SECRET not in text and "hunter2" not in text and "webhook_secrets=***" in text


def test_require_names_the_missing_setting():
    with pytest.raises(ConfigError, match="OPBRIDGE_WEBHOOK_SECRETS is required"):
        require(load_settings(environ={}), "webhook_secrets")


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OPBRIDGE_")} | env
    return subprocess.run([sys.executable, "-m", "opbridge", *args], capture_output=True, text=True, env=environ, timeout=60)


@pytest.mark.parametrize(
    "args, env, sentence",
    [
        (("commands", "list"), {"OPBRIDGE_DATABASE_URL": "nosuchdb://x"}, "OPBRIDGE_DATABASE_URL must be"),
        (("commands", "list"), {"OPBRIDGE_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/x"},
         "The database is not reachable"),
        (("worker",), {"OPBRIDGE_NEXT_DUE_DATE_OFFSET": "1.5"}, "OPBRIDGE_NEXT_DUE_DATE_OFFSET must be a whole number"),
        (("serve",), {}, "OPBRIDGE_WEBHOOK_SECRETS is required"),
    ],
)
def test_cli_config_errors_are_one_sentence_and_exit_1(tmp_path, args, env, sentence):
    result = run_cli(*args, OPBRIDGE_CONFIG="", **{"OPBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"} | env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and sentence in lines[0] and "Traceback" not in result.stderr
