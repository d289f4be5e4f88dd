"""The contract between the parts holds end to end: every event type the registrar module
or the hook file can send has a schema and a command mapping, and every command type the
listener, the pull-sync or any other part can enqueue has a registered handler.

Adding a registrar action touches all of these (docs/architecture.md, "Adding a registrar
action"); a part forgotten fails here rather than as a command that dies with
``unknown_type`` on a customer's domain.
"""
from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import outbox.handlers  # noqa: F401 - registers every handler
from listener.commands import COMMANDS_FOR, ITEM_COMMANDS
from listener.event_schemas import EVENT_DATA
from outbox.registry import registry

ROOT = Path(__file__).resolve().parents[1]
PHP_EVENT_TYPE = re.compile(r"'((?:order|invoice|domain)\.[a-z_]+)'")
# The calls that name a command type as their first argument (or ``type=``).
COMMAND_BUILDERS = {"NewCommand", "_command", "_item_command", "_module_order"}
# Parameters that carry a type chosen elsewhere: the literal calls and ITEM_COMMANDS name them all.
PASSED_THROUGH = {("listener.commands", "type"), ("listener.commands", "command_type")}
# Registered for tests and benchmarks of the queue itself (outbox.handlers.noop): nothing in opbridge enqueues it.
QUEUE_ONLY = {"noop"}


def php_event_types() -> set[str]:
    return {found for path in (ROOT / "whmcs").rglob("*.php") for found in PHP_EVENT_TYPE.findall(path.read_text())}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _type_argument(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "type":
            return keyword.value
    return call.args[0] if call.args else None


def enqueued_command_types() -> tuple[set[str], set[tuple[str, str]]]:
    """The command types named where commands are built, and the names that could not be
    read as a constant (module, name)."""
    types, unresolved = set(ITEM_COMMANDS.values()), set()
    for package in ("listener", "outbox", "opbridge"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            module = _module_name(path)
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in COMMAND_BUILDERS):
                    continue
                argument = _type_argument(node)
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    types.add(argument.value)
                elif isinstance(argument, ast.Name):
                    value = vars(importlib.import_module(module)).get(argument.id)
                    if isinstance(value, str):
                        types.add(value)
                    else:
                        unresolved.add((module, argument.id))
    return types, unresolved


def test_every_event_type_the_module_or_hook_can_send_has_a_schema_and_a_mapping() -> None:
    sent = php_event_types()
    assert len(sent) >= 10, "the scan of whmcs/ found too few event types: has the PHP side changed how it names them?"
    assert sent - set(EVENT_DATA) == set(), "event types the PHP side sends that the listener has no schema for"
    assert set(EVENT_DATA) == set(COMMANDS_FOR), "every schema needs a command mapping, and the other way round"


def test_every_command_type_anything_enqueues_has_a_registered_handler() -> None:
    types, unresolved = enqueued_command_types()
    assert unresolved <= PASSED_THROUGH, f"command types this test cannot read: {sorted(unresolved - PASSED_THROUGH)}"
    assert {"register_domain", "run_sync", "update_whmcs_domain"} & types, "the scan found none of the known types"
    assert types - set(registry.names()) == set(), "command types enqueued with no handler registered"


def test_every_registered_handler_has_something_that_enqueues_it() -> None:
    types, _ = enqueued_command_types()
    assert set(registry.names()) - types == QUEUE_ONLY, "handlers no part of opbridge ever enqueues"
