"""What the request handlers share, built once per app by the factory."""
from __future__ import annotations

import dataclasses
from typing import Any

from flask import current_app
from sqlalchemy import Engine

from listener.group_commit import GroupCommit
from listener.signing import Keyring
from outbox.store import Outbox


@dataclasses.dataclass(frozen=True)
class Services:
    settings: Any
    engine: Engine
    outbox: Outbox
    group_commit: GroupCommit  # how the hook endpoint enqueues, so concurrent events share commits
    keyring: Keyring
    schema_head: str
    clients: Any  # outbox.services.Services: the Openprovider client for the synchronous lookups


def services() -> Services:
    return current_app.extensions["opbridge"]
