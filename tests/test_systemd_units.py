"""docs/systemd: units systemd accepts, hardened, that stop later than opbridge's own grace."""
from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[1] / "docs" / "systemd"
INSTALLED = "/opt/opbridge/venv/bin/opbridge"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)  # systemd repeats some keys
    parser.optionxform = str
    parser.read_string((UNITS / name).read_text())
    return parser


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_both_units(tmp_path):
    opbridge = str(Path(sys.executable).with_name("opbridge"))  # verify checks that ExecStart exists
    for path in UNITS.glob("*.service"):
        (tmp_path / path.name).write_text(path.read_text().replace(INSTALLED, opbridge))
    result = subprocess.run(["systemd-analyze", "verify", *map(str, sorted(tmp_path.glob("*.service")))],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


@pytest.mark.parametrize("name, verb", [("opbridge-serve.service", "serve"), ("opbridge-worker.service", "worker")])
def test_each_unit_runs_its_verb_hardened_with_a_settings_file(name, verb):
    service = unit(name)["Service"]
    assert service["ExecStart"].split()[:2] == [INSTALLED, verb]
    assert service["KillSignal"] == "SIGTERM" and service["Restart"] == "on-failure"
    assert service["EnvironmentFile"] == "/etc/opbridge/opbridge.env"
    assert service.get("User") == "opbridge" or service.get("DynamicUser") == "yes"
    assert service["ProtectSystem"] == "strict" and service["NoNewPrivileges"] == "yes"
    assert service["CapabilityBoundingSet"] == ""


def test_systemd_waits_longer_than_the_worker_and_gunicorn_take_to_stop():
    from listener import gunicorn_conf

    worker = unit("opbridge-worker.service")["Service"]
    grace = float(re.search(r"--grace (\d+)", worker["ExecStart"]).group(1))
    assert int(worker["TimeoutStopSec"]) > grace
    serve = unit("opbridge-serve.service")["Service"]
    assert int(serve["TimeoutStopSec"]) > gunicorn_conf.graceful_timeout
