"""WHMCS additional-field values as the registry data Openprovider takes, each where it
goes: the domain's ``additional_data``, the owner handle's ``additional_data``, or its
``extension_additional_data`` for the extension.

A value is matched to the extension's declared field by the field's name (the name the
generated WHMCS field carries) or by its WHMCS label in snake case ("Intended Use" ->
``intended_use``). A label no declared field has is sent only when Openprovider's domain
request has a property of that name; anything else is refused with the field named,
never sent under a key of our making. Required fields, dropdown options and fields that
cannot be sent anywhere are checked the same way at intake and in the handler.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from opclient.registry_data import CUSTOMER, DOMAIN, DOMAIN_CREATE_DATA, DOMAIN_TRANSFER_DATA, EXTENSION
from outbox.catalogue.entries import RegistryField, TldEntry

TICKED = {"on", "yes", "true", "1"}
TICKBOX_TYPES = {"checkbox", "tickbox", "boolean"}


class InvalidRegistryData(ValueError):
    """Values a registration cannot carry; ``problems`` maps each field to its sentence."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in problems.items()))


@dataclasses.dataclass(frozen=True)
class RegistryValues:
    domain: dict[str, str] = dataclasses.field(default_factory=dict)
    customer: dict[str, str] = dataclasses.field(default_factory=dict)
    extension: dict[str, str] = dataclasses.field(default_factory=dict)


def snake_case(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(label).lower()).strip("_")


def registry_values(entry: TldEntry | None, fields: Mapping[str, Any], *, transfer: bool = False) -> RegistryValues:
    """The values of ``fields`` (WHMCS's ``additionalfields``) for an order under ``entry``
    (None: an extension the catalogue does not hold yet); raises InvalidRegistryData."""
    declared = {field.name: field for field in entry.fields} if entry else {}
    domain_keys = DOMAIN_TRANSFER_DATA if transfer else DOMAIN_CREATE_DATA
    values = RegistryValues()
    problems: dict[str, str] = {}
    given: set[str] = set()
    for label, raw in fields.items():
        text = "" if raw is None else str(raw).strip()
        if not text:
            continue
        key = label if label in declared else snake_case(label)
        field = declared.get(key)
        if field is None and key not in domain_keys:
            problems[label] = _unknown(key, entry)
            continue
        target = field.target if field else DOMAIN
        if field is not None and field.target == DOMAIN and transfer and key not in domain_keys:
            continue  # a registration's field the transfer request has no place for
        value = _value(field, key, text)
        problem = _problem(field, key, value)
        if problem:
            problems[label] = problem
            continue
        given.add(key)
        {DOMAIN: values.domain, CUSTOMER: values.customer, EXTENSION: values.extension}[target][key] = value
    for field in declared.values():
        if field.required and field.name not in given and field.name not in problems and _asked(field, transfer):
            problems[field.name] = (f"{_label(field)} is required for .{entry.name}" if field.target
                                    else _nowhere(field, entry))
    if problems:
        raise InvalidRegistryData(problems)
    return values


def _asked(field: RegistryField, transfer: bool) -> bool:
    return not (transfer and field.target == DOMAIN and field.name not in DOMAIN_TRANSFER_DATA)


def _value(field: RegistryField | None, key: str, text: str) -> str:
    if (field is not None and field.type.lower() in TICKBOX_TYPES) or key.endswith("_acceptance"):
        return "1" if text.lower() in TICKED else "0"
    return text


def _problem(field: RegistryField | None, key: str, value: str) -> str | None:
    if field is None:
        return None
    if field.target is None:
        return f"Openprovider declares {key} but none of its requests has a place for it, so it cannot be sent"
    allowed = [option for option, _ in field.options]
    if allowed and value not in allowed:
        return f"{_label(field)} must be one of {', '.join(allowed)}, not {value!r}"
    return None


def _unknown(key: str, entry: TldEntry | None) -> str:
    where = f".{entry.name} takes" if entry else "Openprovider's domain request has"
    return f"{key} is not registry data {where}, so it cannot be sent"


def _nowhere(field: RegistryField, entry: TldEntry) -> str:
    return (f".{entry.name} requires {field.name}, which none of Openprovider's requests has a place for: "
            "such orders cannot be carried out")


def _label(field: RegistryField) -> str:
    return field.description or field.name
