"""A DNS save refused at once when another save built from the same read of WHMCS's DNS
page already changes one of its records to something else.

Two browser tabs showing the same page, both saved: the second save's rows carry the
same read (``recid``: the record as read, and when) as the first's. Any ``save_dns``
command of the domain queued since that read, and not dead, that changes the same record
to a different end makes this one a 422 with a sentence, shown by WHMCS as the save's
error; nothing is queued. The ``save_dns`` handler checks again against the zone itself,
which also catches a change made in Openprovider's control panel.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from listener.errors import Refusal
from outbox.host_records import APEX, Change
from outbox.models import DEAD
from outbox.store import Outbox

EARLIER_SAVES = 50  # the most recent saves of the domain looked at


def refuse_conflicting_save(outbox: Outbox, data: dict[str, Any]) -> None:
    changes = [Change.from_payload(change) for change in data["changes"]]
    read_times = [change.read_at for change in changes if change.original is not None and change.read_at]
    if not read_times:
        return
    since = datetime.fromtimestamp(min(read_times), UTC).replace(tzinfo=None)
    earlier = outbox.list_commands(type="save_dns", aggregate_key=data["domain"], created_from=since,
                                   limit=EARLIER_SAVES)
    for command in earlier:
        if command["status"] == DEAD:
            continue
        for queued in map(Change.from_payload, command["payload"].get("changes", [])):
            clash = next((change for change in changes if change.conflicts_with(queued)), None)
            if clash is not None:
                raise Refusal(422, "dns_conflict", _sentence(data["domain"], clash, command["id"]))


def _sentence(domain: str, change: Change, command_id: int) -> str:
    original = change.original
    return (f"The {original.type} record {original.name or APEX} {original.value} of {domain} was changed by another "
            f"save made from the same page (opbridge command {command_id}) after this page was read: reload the DNS "
            "page and save again.")
