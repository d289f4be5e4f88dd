"""Bounded concurrency for the sync's remote reads."""
from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_bounded(work: Callable[[T], R], items: Iterable[T], concurrency: int) -> list[R]:
    """``[work(item) for item in items]`` with at most ``concurrency`` calls in flight.

    Each call runs in a copy of the caller's context, so the call log the run collects
    (``outbox.calllog``) also sees calls made from the pool's threads.
    """
    items = list(items)
    if concurrency <= 1 or len(items) <= 1:
        return [work(item) for item in items]
    context = contextvars.copy_context()
    with ThreadPoolExecutor(min(concurrency, len(items)), thread_name_prefix="sync-read") as pool:
        return list(pool.map(lambda item: context.copy().run(work, item), items))
