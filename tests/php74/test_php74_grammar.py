"""The two files WHMCS loads by itself (the module's entry and the hook file), and the version
guard they load, parse on PHP 7.4 and name nothing newer, checked with php-parser from the npm registry targeting 7.4
(tests/php74/check.js; `npm ci` in tests/php74 installs it, as .ci/run does), since this
machine's php is 8.2. php -l on every PHP file is in tests/registrar/test_module.py.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NODE = shutil.which("node")
PHP = shutil.which("php")
MODULE = REPO / "whmcs" / "modules" / "registrars" / "opbridge"
# The two files WHMCS loads by itself, the one the admin's additionalfields.php loads on the
# cart pages, and what they load before and on the too-old path.
LOADED_ON_ANY_PHP = (MODULE / "opbridge.php", REPO / "whmcs" / "includes" / "hooks" / "opbridge.php",
                     MODULE / "lib" / "additionalfields.php", MODULE / "lib" / "php_version.php",
                     MODULE / "lib" / "php_too_old.php")

pytestmark = pytest.mark.skipif(NODE is None or not (HERE / "node_modules" / "php-parser").is_dir(),
                                reason="php-parser is not installed: run `npm ci` in tests/php74")


def check(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NODE, str(HERE / "check.js"), *map(str, files)], capture_output=True, text=True,
                          timeout=60, check=False)


def test_the_files_whmcs_loads_parse_on_php_74_and_name_nothing_newer() -> None:
    done = check(*LOADED_ON_ANY_PHP)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.mark.parametrize(("code", "problem"), [
    ('$size = match ($a) { 1 => "one", default => "many" };', "Match statements are not allowed before PHP 8"),
    ("function f(int|string $a): void {}", "a union type needs PHP 8"),
    ("function f(mixed $a) {}", "the type mixed needs PHP 8"),
    ("class A { public function __construct(private int $a) {} }", "the promoted parameter $a needs PHP 8"),
    ('$a = str_starts_with("ab", "a");', "the function str_starts_with() needs PHP 8"),
    ("$a = $b?->c;", "does not parse on PHP 7.4"),
])
def test_php_8_code_is_refused(tmp_path: Path, code: str, problem: str) -> None:
    source = tmp_path / "newer.php"
    source.write_text(f"<?php\ndeclare(strict_types=1);\n{code}\n")
    done = check(source)
    assert done.returncode == 1 and problem in done.stdout, done.stdout + done.stderr
    # The same file is PHP 8 the machine's php accepts: the check, not the file, is at stake.
    if PHP is not None:
        assert subprocess.run([PHP, "-l", str(source)], capture_output=True, check=False).returncode == 0
