"""Requests checked against Openprovider's own OpenAPI 2.0 document.

The document never sets ``required`` or ``additionalProperties`` and uses only
``type``/``format``/``properties``/``items``/``$ref``, so a small walker that treats every
object as closed does what a strict validator should: a misspelled field, a field from
another request definition or a string where an integer belongs is refused.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from werkzeug.datastructures import MultiDict

SPEC_PATH = Path(__file__).with_name("swagger.json")
INT32 = range(-(2**31), 2**31)
QUERY_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
FLASK_VARIABLE = re.compile(r"<(?:\w+:)?(\w+)>")


class Violation(Exception):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


SCALARS = {
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "integer": _is_integer,
    "number": lambda value: _is_integer(value) or isinstance(value, float),
}


@dataclass(frozen=True)
class Operation:
    """One documented method on one path, with what it accepts."""

    operation_id: str
    parameters: dict[str, dict]
    body_schema: dict | None
    response_schema: dict
    definitions: dict

    def parse_path(self, values: dict[str, str]) -> dict:
        return {name: self._scalar_from_text(name, text) for name, text in values.items()}

    def parse_query(self, args: MultiDict) -> dict:
        parsed = {}
        for name in args:
            parameter = self.parameters.get(name)
            if parameter is None or parameter["in"] != "query":
                raise Violation(name, "unknown query parameter")
            texts = args.getlist(name)
            if parameter.get("type") == "array":
                parsed[name] = [self._item_from_text(parameter, name, text) for text in texts]
            elif len(texts) > 1:
                raise Violation(name, "given more than once")
            else:
                parsed[name] = self._scalar_from_text(name, texts[0])
        return parsed

    def parse_body(self, body: object) -> dict:
        if self.body_schema is None:
            return {}
        return _checked(self.body_schema, body, "body", self.definitions)

    def check_response(self, envelope: object) -> None:
        """Raise a Violation if a success answer strays from the documented shape."""
        _checked(self.response_schema, envelope, "response", self.definitions)

    def _scalar_from_text(self, name: str, text: str) -> object:
        return _from_text(self.parameters[name].get("type", "string"), name, text)

    @staticmethod
    def _item_from_text(parameter: dict, name: str, text: str) -> object:
        return _from_text(parameter["items"].get("type", "string"), name, text)


def _from_text(kind: str, where: str, text: str) -> object:
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", text):
            raise Violation(where, f"expected an integer, got {text!r}")
        return int(text)
    if kind == "boolean":
        if text not in QUERY_BOOLEANS:
            raise Violation(where, f"expected true or false, got {text!r}")
        return QUERY_BOOLEANS[text]
    return text


def _checked(schema: dict, value: object, where: str, definitions: dict) -> object:
    """``value`` with nulls dropped (proto3 JSON reads null as unset), or a Violation."""
    if "$ref" in schema:
        schema = definitions[schema["$ref"].rsplit("/", 1)[-1]]
    kind = schema.get("type", "object")
    if kind == "object":
        return _checked_object(schema, value, where, definitions)
    if kind == "array":
        if not isinstance(value, list):
            raise Violation(where, "expected an array")
        return [_checked(schema["items"], item, f"{where}[{index}]", definitions)
                for index, item in enumerate(value)]
    if not SCALARS[kind](value):
        raise Violation(where, f"expected {kind}, got {type(value).__name__}")
    if kind == "integer" and schema.get("format") == "int32" and value not in INT32:
        raise Violation(where, "integer out of int32 range")
    return value


def _checked_object(schema: dict, value: object, where: str, definitions: dict) -> dict:
    if not isinstance(value, dict):
        raise Violation(where, "expected an object")
    properties = schema.get("properties", {})
    checked = {}
    for key, item in value.items():
        if key not in properties:
            raise Violation(f"{where}.{key}", "unknown field")
        if item is not None:
            checked[key] = _checked(properties[key], item, f"{where}.{key}", definitions)
    return checked


class Spec:
    """The operations of the document, found by method and Flask URL rule."""

    def __init__(self, document: dict) -> None:
        definitions = document["definitions"]
        self._operations = {
            (method.upper(), path): _operation(entry, definitions)
            for path, methods in document["paths"].items()
            for method, entry in methods.items()
            if method != "parameters"
        }

    def operation(self, method: str, flask_rule: str) -> Operation | None:
        return self._operations.get((method, _spec_path(flask_rule)))


@functools.lru_cache(maxsize=256)  # asked on every call, for a few dozen rules
def _spec_path(flask_rule: str) -> str:
    return FLASK_VARIABLE.sub(r"{\1}", flask_rule)


def _operation(entry: dict, definitions: dict) -> Operation:
    parameters = {p["name"]: p for p in entry.get("parameters", []) if p["in"] != "body"}
    bodies = [p["schema"] for p in entry.get("parameters", []) if p["in"] == "body"]
    return Operation(entry["operationId"], parameters, bodies[0] if bodies else None,
                     entry["responses"]["200"]["schema"], definitions)


@functools.cache
def load_spec(path: Path = SPEC_PATH) -> Spec:
    with path.open(encoding="utf-8") as handle:
        return Spec(json.load(handle))
