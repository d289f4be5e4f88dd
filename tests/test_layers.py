"""The house's layers (docs/architecture.md), read from every import in the source.

core is the base and imports no other part; the clients import only core; the outbox
imports the clients; the listener imports the outbox; the application (opbridge) may
import anything, and nothing imports it. Imports inside functions count as well.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {
    "core": set(),
    "opclient": {"core"},
    "whmcsapi": {"core"},
    "opsandbox": set(),
    # WHMCS's published domain and invoice statuses: one list for the client and the simulator.
    "whmcssandbox": {"whmcsapi"},
    "outbox": {"core", "opclient", "whmcsapi"},
    "listener": {"core", "opclient", "whmcsapi", "outbox"},
    "opbridge": {"core", "opclient", "whmcsapi", "opsandbox", "whmcssandbox", "outbox", "listener"},
}
# Inside the outbox, the queue's own modules stay below the work it carries.
QUEUE = ("outbox.models", "outbox.db", "outbox.values", "outbox.store", "outbox.registry", "outbox.failures",
         "outbox.notify", "outbox.redaction", "outbox.leader", "outbox.calllog", "outbox.sealing", "outbox.circuit",
         "outbox.circuits", "outbox.workers", "outbox.event_log", "outbox.mirror", "outbox.migrations")
WORK = ("outbox.handlers", "outbox.sync", "outbox.catalogue", "outbox.portfolio", "outbox.worker", "outbox.scheduler",
        "outbox.services")


def imports(package: str) -> Iterator[tuple[str, str]]:
    """(importing module, imported module) for every absolute import in ``package``."""
    for path in sorted((ROOT / package).rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                yield from ((module, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield module, node.module


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_import_runs_up_or_sideways(package: str) -> None:
    wrong = sorted(
        f"{importer} imports {imported}" for importer, imported in imports(package)
        if (top := imported.split(".")[0]) in ALLOWED and top != package and top not in ALLOWED[package]
    )
    assert wrong == [], f"{package} may import only {sorted(ALLOWED[package]) or 'nothing of the project'}"


def test_only_the_application_has_a_command_line() -> None:
    wrong = sorted(f"{importer} imports {imported}" for package in ALLOWED if package != "opbridge"
                   for importer, imported in imports(package) if imported.split(".")[0] == "click")
    assert wrong == [], "command-line code belongs under opbridge/commands/"


def test_the_queue_stays_below_the_work_it_carries() -> None:
    wrong = sorted(f"{importer} imports {imported}" for importer, imported in imports("outbox")
                   if _within(importer, QUEUE) and _within(imported, WORK))
    assert wrong == []


def test_the_rules_see_every_package() -> None:
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert packages == set(ALLOWED), "a new top-level package needs its place in ALLOWED and docs/architecture.md"
