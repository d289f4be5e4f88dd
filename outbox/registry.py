"""How handlers are found: one plain function per command type, registered by name.

A handler gets a ``Context`` and either returns (done, with an optional note for the
attempts log) or raises. ``TransientFailure`` and ``PermanentFailure`` say what to do
directly; client errors are classified in ``outbox.failures``; anything else counts as
transient, because a bug or a blip should be retried and seen, not dropped.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from outbox.store import Outbox

from outbox.values import Claimed


class HandlerFailure(Exception):
    code: str | None = None
    transient = True

    def __init__(self, message: str, code: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code or self.code
        self.retry_after = retry_after


class TransientFailure(HandlerFailure):
    """Try again later, on the retry schedule."""


class PermanentFailure(HandlerFailure):
    """Trying again cannot help: the command goes dead with this reason."""

    transient = False


@dataclasses.dataclass
class Context:
    """What a handler may use: its command, durable state, services, and a call log."""

    command: Claimed
    outbox: Outbox
    services: Any = None
    calls: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    @property
    def payload(self) -> dict[str, Any]:
        return self.command.payload

    @property
    def state(self) -> dict[str, Any]:
        return self.command.state

    def save_state(self, **changes: Any) -> None:
        """Persist notes before a call whose effect must not be repeated on a retry."""
        self.command.state.update(changes)
        if not self.outbox.save_state(self.command, self.command.state):
            raise TransientFailure("The lease on this command was lost before the call.", "lease_lost")


Handler = Callable[[Context], str | None]


@dataclasses.dataclass(frozen=True)
class Registration:
    handler: Handler
    # The remote service the handler calls: its circuit pauses the handler when open.
    service: str | None


class Registry:
    def __init__(self) -> None:
        self._entries: dict[str, Registration] = {}

    def register(self, name: str, service: str | None = None) -> Callable[[Handler], Handler]:
        def add(handler: Handler) -> Handler:
            if name in self._entries:
                raise ValueError(f"a handler for {name!r} is already registered")
            self._entries[name] = Registration(handler, service)
            return handler

        return add

    def get(self, name: str) -> Registration | None:
        return self._entries.get(name)

    def names(self) -> list[str]:
        return sorted(self._entries)

    def types_of(self, service: str) -> list[str]:
        """The command types a pause of ``service`` holds back (a missing setting's circuit: those calling no one service)."""
        calls = None if service == "configuration" else service
        return sorted(name for name, entry in self._entries.items() if entry.service == calls)


registry = Registry()
