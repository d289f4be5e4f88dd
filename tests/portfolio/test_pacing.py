"""The shared pace: reservations from many threads start no faster than the rate, on every backend."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

from outbox.db import make_engine, upgrade
from outbox.portfolio.pacing import reserve


def test_reservations_from_many_threads_are_spaced_by_the_rate(database_url) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    now = datetime(2026, 12, 1, 12, 0, 0)
    waits: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(5):
            wait = reserve(engine, "test-pace", 2, per_second=10.0, clock=lambda: now)
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    # Twenty reservations of two calls at ten a second: one every 0.2 s, none shared.
    assert sorted(round(wait, 3) for wait in waits) == [round(0.2 * n, 3) for n in range(20)]
    assert reserve(make_engine(database_url), "test-pace", 1, 10.0, clock=lambda: now + timedelta(seconds=60)) == 0
