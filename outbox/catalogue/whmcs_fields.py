"""The catalogue's registry data as WHMCS additional domain fields.

WHMCS reads ``$additionaldomainfields[".es"][] = [...]`` entries (docs.whmcs.com "Custom
Domain Fields"): ``Name`` is the key the value reaches the registrar module under, so it
is Openprovider's own field name and the module sends it on unchanged; ``DisplayName``
is what the customer reads. Fields that cannot be sent anywhere are left out: the
extension's orders are refused at intake instead (outbox.catalogue.registry_values).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from outbox.catalogue.entries import RegistryField, TldEntry
from outbox.catalogue.registry_values import TICKBOX_TYPES

DROPDOWN_TYPES = {"select", "dropdown", "radio", "enum"}


def whmcs_fields(entries: Iterable[TldEntry]) -> dict[str, list[dict[str, Any]]]:
    """By WHMCS extension (".es", ".com.au"), the fields of every TLD that needs any."""
    generated = {}
    for entry in entries:
        fields = [_whmcs_field(field) for field in entry.fields if field.target is not None]
        if fields:
            generated[f".{entry.name}"] = fields
    return generated


def _whmcs_field(field: RegistryField) -> dict[str, Any]:
    kind = field.type.lower()
    shown: dict[str, Any] = {"Name": field.name, "DisplayName": _plain(field.description or field.name),
                             "Required": field.required}
    if field.options and (kind in DROPDOWN_TYPES or kind not in TICKBOX_TYPES):
        shown["Type"] = "dropdown"
        # WHMCS splits the options at commas and each option at its bar: neither may appear inside one.
        shown["Options"] = ",".join(f"{_plain(value)}|{_plain(text or value)}" for value, text in field.options)
    elif kind in TICKBOX_TYPES:
        shown["Type"] = "tickbox"
    else:
        shown["Type"] = "text"
        shown["Size"] = 30
    return shown


def _plain(text: str) -> str:
    return " ".join(text.replace(",", " ").replace("|", "/").split())
