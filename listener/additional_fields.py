"""The intake rule for additional domain fields: an event with a filled field Openprovider
has no key for is refused (422 ``unmappable_additional_field``), so nothing is stored and
WHMCS shows the reason, rather than a registration that silently lacks the registry's data.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from listener.errors import Refusal
from outbox.additional_fields import Unmappable, unmappable

# Where each event type keeps its domain items, and which of them order a name.
ITEM_LISTS = {"order.accepted": ("domains", "action"), "invoice.paid": ("items", "kind")}
SINGLE_ITEMS = {"domain.registration_requested": "register", "domain.transfer_requested": "transfer"}


def refuse_unmappable(event_type: str, data: dict[str, Any]) -> None:
    refused = dict(_ordered_items(event_type, data))
    if not refused:
        return
    first = next(iter(refused.values()))
    raise Refusal(422, "unmappable_additional_field", first.sentence,
                  {path: [found.sentence] for path, found in refused.items()})


def _ordered_items(event_type: str, data: dict[str, Any]) -> Iterator[tuple[str, Unmappable]]:
    """(details path, field) for every unmappable field of a registration or transfer."""
    if event_type in SINGLE_ITEMS:
        items = [("data", data, SINGLE_ITEMS[event_type])]
    elif event_type in ITEM_LISTS:
        key, action_key = ITEM_LISTS[event_type]
        items = [(f"data.{key}[{index}]", item, item[action_key]) for index, item in enumerate(data[key])
                 if item[action_key] in ("register", "transfer")]
    else:
        return
    for path, item, action in items:
        for found in unmappable(item.get("additional_fields") or {}, action):
            yield f"{path}.additional_fields.{found.label}", found
