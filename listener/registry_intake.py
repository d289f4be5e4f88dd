"""Registry data checked at intake: an order whose additional fields Openprovider cannot
take is refused with a 422 naming the field, before anything is stored or paid for.

The checks are the handler's own (outbox.catalogue.registry_values), against the
catalogue the listener reads from the database; an extension the catalogue does not
hold yet is checked against Openprovider's request definitions alone.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from listener.errors import Refusal
from listener.services import services
from opclient.names import InvalidDomainName, split_domain
from outbox.catalogue import entry_for
from outbox.catalogue.registry_values import InvalidRegistryData, registry_values

ORDER_KINDS = {"register": False, "transfer": True}  # kind -> is a transfer


def check_registry_data(event_type: str, data: dict[str, Any]) -> None:
    problems: dict[str, Any] = {}
    named = []
    for path, item, transfer in _orders(event_type, data):
        try:
            extension = split_domain(item["domain"]).extension
        except InvalidDomainName:
            continue  # the handler says what is wrong with the name itself
        try:
            registry_values(entry_for(services().engine, extension), item.get("additional_fields") or {},
                            transfer=transfer)
        except InvalidRegistryData as error:
            _place(problems, path, {"additional_fields": {name: [text] for name, text in error.problems.items()}})
            named.append(f"{item['domain']} ({error})")
    if problems:
        raise Refusal(422, "invalid_registry_data",
                      f"The registry data of {'; '.join(named)} cannot be sent to Openprovider; nothing was stored.",
                      {"data": problems})


def _orders(event_type: str, data: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], dict[str, Any], bool]]:
    if event_type in ("domain.registration_requested", "domain.transfer_requested"):
        yield (), data, event_type == "domain.transfer_requested"
    elif event_type == "order.accepted":
        for index, item in enumerate(data.get("domains") or ()):
            yield ("domains", index), item, item.get("action") == "transfer"
    elif event_type == "invoice.paid":
        for index, item in enumerate(data.get("items") or ()):
            if item.get("kind") in ORDER_KINDS:
                yield ("items", index), item, ORDER_KINDS[item["kind"]]


def _place(problems: dict[Any, Any], path: tuple[Any, ...], value: dict[str, Any]) -> None:
    for step in path:
        problems = problems.setdefault(step, {})
    problems.update(value)
