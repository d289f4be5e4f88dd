"""The version guard of the two files WHMCS loads: on a PHP older than opbridge needs they load
nothing newer and say what is needed. This machine runs PHP 8.2, so the harnesses fake the
version the guard sees (OPBRIDGE_HARNESS_PHP_VERSION_ID, read by tests/hook/whmcs_functions.php
into the OPBRIDGE_TEST_PHP_VERSION_ID constant that lib/php_version.php honours).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.registrar.conftest import MODULE_HARNESS

PHP = shutil.which("php")
HERE = Path(__file__).resolve().parent
SENTENCE = ("opbridge needs PHP 8.1 or later; this WHMCS runs PHP 7.4.33, so opbridge does nothing. "
            "Upgrade PHP (WHMCS 8.8 and later run on PHP 8.1), or remove opbridge's files.")
GUARD_FILES = ["modules/registrars/opbridge/lib/php_version.php", "modules/registrars/opbridge/lib/php_too_old.php"]
# Not offered below the version: WHMCS asks GetNameservers and GetRegistrarLock for the domain
# page instead, and the admin's custom buttons (AdminCustomButtonArray answers none) are gone.
NOT_OFFERED_WHEN_TOO_OLD = {"GetDomainInformation", "OpbridgeStatus", "SyncNow", "DNSSECKeys", "DNSSEC"}

pytestmark = pytest.mark.skipif(PHP is None, reason="php-cli is not installed")


def run(script: Path, tmp_path: Path, version_id: int | None, *args: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("OPBRIDGE_")}
    env |= {"OPBRIDGE_HARNESS_DB": str(tmp_path / "whmcs.db"), "OPBRIDGE_HARNESS_ROOT": str(tmp_path),
            "OPBRIDGE_HOOK_URL": "http://127.0.0.1:9/hooks/whmcs", "TMPDIR": str(tmp_path)}
    if version_id is not None:
        env["OPBRIDGE_HARNESS_PHP_VERSION_ID"] = str(version_id)
    done = subprocess.run([PHP, str(script), *args], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["php_errors"] == []
    return report


def test_below_the_version_nothing_newer_loads_and_the_same_functions_answer_what_is_needed(tmp_path: Path) -> None:
    current = run(HERE / "loaded.php", tmp_path, None)
    old = run(HERE / "loaded.php", tmp_path, 70433)
    assert sorted(old["loaded"]) == sorted(["includes/hooks/opbridge.php", "modules/registrars/opbridge/opbridge.php",
                                            *GUARD_FILES])
    assert len(current["loaded"]) > len(old["loaded"]) and current["hooks"]
    assert set(old["functions"]) == set(current["functions"]) - NOT_OFFERED_WHEN_TOO_OLD
    lists = {"AdminCustomButtonArray", "ClientAreaCustomButtonArray", "ClientAreaAllowedFunctions", "DomainSuggestionOptions"}
    for function in sorted(set(old["functions"]) - lists - {"MetaData", "getConfigArray", "config_validate"}):
        answer = run(MODULE_HARNESS, tmp_path, 70433, function, json.dumps({"domainid": 14, "sld": "bestaand", "tld": "nl"}))
        assert answer["result"] == {"error": SENTENCE}, function
    meta = run(MODULE_HARNESS, tmp_path, 70433, "MetaData", "{}")["result"]
    assert meta["DisplayName"] == "opbridge (needs PHP 8.1)"
    refused = run(MODULE_HARNESS, tmp_path, 70433, "config_validate", "{}")
    assert refused["exception"] == f"WHMCS\\Exception\\Module\\InvalidConfiguration: {SENTENCE}"
    for function in sorted(lists):
        assert run(MODULE_HARNESS, tmp_path, 70433, function, "{}")["result"] == [], function


def test_below_the_version_the_hook_file_registers_nothing_and_says_so_once(tmp_path: Path) -> None:
    first = run(HERE / "loaded.php", tmp_path, 70433)
    assert first["hooks"] == []
    assert first["activity_log"] == [{"message": SENTENCE, "clientid": 0}]
    # Every later page of the same PHP: silent.
    assert run(HERE / "loaded.php", tmp_path, 70433)["activity_log"] == []
    assert run(HERE / "loaded.php", tmp_path, 80100)["hooks"]
