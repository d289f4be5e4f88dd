"""The module's PHPUnit contract test (tests/phpunit/, in the manner of the test WHMCS's sample
registrar module ships), run by Debian's phpunit: once with opbridge away, where every
function must still answer in a shape WHMCS publishes, and once against the real listener,
worker and sandbox, where every function must answer its published success shape.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.registrar.conftest import PHP, REPO, Opbridge, Whmcs
from tests.registrar.test_module import CONTACT, ON_MODULE, domain

PHPUNIT = shutil.which("phpunit")
CONFIG = REPO / "tests" / "phpunit" / "phpunit.xml"

pytestmark = pytest.mark.skipif(PHP is None or PHPUNIT is None, reason="phpunit is not installed (apt-get install phpunit)")


def phpunit(database: Path, **environment: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("OPBRIDGE_")}
    env |= {"OPBRIDGE_HARNESS_DB": str(database), **environment}
    done = subprocess.run([PHPUNIT, "-c", str(CONFIG)], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_with_opbridge_away_every_function_still_answers_a_published_shape(tmp_path: Path) -> None:
    output = phpunit(tmp_path / "whmcs.db")
    assert re.search(r"OK \(\d+ tests, \d+ assertions\)", output), output


def test_against_opbridge_every_function_answers_its_published_success_shape(opbridge: Opbridge, whmcs: Whmcs) -> None:
    assert whmcs.call("RegisterDomain", {**domain(11, "voorbeeld.nl"), **CONTACT}, patch={"11": ON_MODULE})[
        "result"] == {"success": True}
    assert opbridge.drain() == {"done": 1}
    output = phpunit(whmcs.database, OPBRIDGE_PHPUNIT_SETTINGS=json.dumps(whmcs.settings), OPBRIDGE_PHPUNIT_EXPECT="success")
    assert re.search(r"OK \(\d+ tests, \d+ assertions\)", output), output
