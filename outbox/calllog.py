"""The calls a handler makes, collected for its attempts row.

Clients are shared by all dispatcher threads, so each thread's calls go to the list of
the command it is running, found through a context variable the worker sets.
"""
from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from core.metrics import OPENPROVIDER_CALLS, WHMCS_CALLS
from opclient.calls import CallRecord
from outbox.redaction import redact
from whmcsapi.calls import CallRecord as WhmcsCallRecord

_current: ContextVar[list[Any] | None] = ContextVar("opbridge_calls", default=None)


@contextlib.contextmanager
def collecting(calls: list[Any]) -> Iterator[None]:
    token = _current.set(calls)
    try:
        yield
    finally:
        _current.reset(token)


def count(call: Any) -> None:
    """A client's ``on_call`` hook that only counts the call, by operation, for ``/metrics``."""
    if isinstance(call, CallRecord):
        OPENPROVIDER_CALLS.labels(call.operation).observe(call.duration)
    elif isinstance(call, WhmcsCallRecord):
        WHMCS_CALLS.labels(call.action).observe((call.duration_ms or 0.0) / 1000)


def record(call: Any) -> None:
    """A client's ``on_call`` hook: count the call, and keep its (already redacted) record if
    a command is running."""
    count(call)
    calls = _current.get()
    if calls is not None:
        calls.append(_stored(call))


def _stored(call: Any) -> Any:
    if isinstance(call, CallRecord):
        return call.to_dict()  # without a second deep copy of bodies it already owns
    # Other clients redact by their own names; the stored record also passes the rule
    # every surface reads with.
    return redact(dataclasses.asdict(call) if dataclasses.is_dataclass(call) else call)
