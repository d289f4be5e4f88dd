"""What the request handlers share, built once per app by the factory."""
from __future__ import annotations

import dataclasses

from flask import current_app
from sqlalchemy import Engine

from core.settings import Settings
from listener.group_commit import GroupCommit
from listener.signing import Keyring
from outbox.services import OutboxServices
from outbox.store import Outbox


@dataclasses.dataclass(frozen=True)
class ListenerServices:
    settings: Settings
    engine: Engine
    outbox: Outbox
    group_commit: GroupCommit  # how the hook endpoint enqueues, so concurrent events share commits
    keyring: Keyring
    schema_head: str
    clients: OutboxServices  # the Openprovider client for the synchronous lookups


def services() -> ListenerServices:
    return current_app.extensions["opbridge"]
