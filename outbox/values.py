"""The values the outbox takes and hands out, importable without the store."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import Any


def utcnow() -> datetime:
    """Naive UTC: every timestamp column holds UTC without a zone, on every backend."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclasses.dataclass(frozen=True)
class NewEvent:
    webhook_id: str
    type: str
    body: str
    key_id: str | None = None


@dataclasses.dataclass(frozen=True)
class NewCommand:
    type: str
    aggregate_key: str
    payload: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Enqueued:
    event_id: int | None
    command_ids: list[int]
    duplicate: bool = False


@dataclasses.dataclass(frozen=True)
class Claimed:
    """A command a worker holds the lease on."""

    id: int
    type: str
    aggregate_key: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    state: dict[str, Any]
    lease_owner: str
    claimed_at: datetime
    runnable_since: datetime | None = None  # when it became due: the start of its dispatch lag


@dataclasses.dataclass(frozen=True)
class Failure:
    """Why a try failed; ``transient`` failures are retried on the schedule."""

    message: str
    code: str | None = None
    transient: bool = True
    retry_after: float | None = None


@dataclasses.dataclass(frozen=True)
class MinuteOfTries:
    start: datetime
    done: int
    failed: int


# A success the worker has yet to record: the command, the handler's note, its calls.
Finished = tuple[Claimed, "str | None", "list[Any] | None"]
