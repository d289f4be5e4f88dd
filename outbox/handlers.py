"""Command handlers: one plain function per command type, registered by name.

A handler gets a ``Context`` and either returns (done, with an optional note for the
attempts log) or raises ``TransientFailure`` / ``PermanentFailure``. Anything else it
raises is treated as transient: a bug or a blip should be retried and seen, not dropped.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from outbox.store import Claimed, Outbox


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


class Registry:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(self, name: str) -> Callable[[Handler], Handler]:
        def add(handler: Handler) -> Handler:
            if name in self._handlers:
                raise ValueError(f"a handler for {name!r} is already registered")
            self._handlers[name] = handler
            return handler

        return add

    def get(self, name: str) -> Handler | None:
        return self._handlers.get(name)

    def names(self) -> list[str]:
        return sorted(self._handlers)


registry = Registry()


@registry.register("noop")
def noop(context: Context) -> str | None:
    """Does nothing: for tests and benchmarks of the queue itself."""
    return None
