"""The store's reads behind the dashboard: time ranges, tries per minute, circuit openings."""
from __future__ import annotations

from datetime import timedelta

import pytest

from outbox.store import Outbox, first_id_written

from outbox.store.schema import attempts

from outbox.values import Failure, NewCommand


@pytest.fixture
def outbox(engine, clock) -> Outbox:  # noqa: ANN001
    return Outbox(engine, (1,), clock=clock)


def run_one(outbox: Outbox, clock, domain: str, failure: Failure | None) -> int:  # noqa: ANN001
    [command_id] = outbox.enqueue(None, [NewCommand("set_lock", domain, {})]).command_ids
    [claimed] = outbox.claim("w", 1)
    clock.advance(30)
    if failure is None:
        outbox.complete(claimed)
    else:
        outbox.fail(claimed, failure)
    return command_id


def test_tries_per_minute_and_time_ranges(outbox, clock, engine):  # noqa: ANN001
    start = clock.now
    refused = Failure("refused", transient=False)
    # 150 tries 30 s apart, one in three a failure; the last hour's minutes hold the last 118.
    ids = [run_one(outbox, clock, f"d{i}.com", refused if i % 3 == 0 else None) for i in range(150)]
    minutes = outbox.tries_per_minute(60)
    assert len(minutes) == 60 and minutes[-1].start == clock.now.replace(second=0)
    assert minutes[0].start == minutes[-1].start - timedelta(minutes=59)
    assert sum(m.done for m in minutes) + sum(m.failed for m in minutes) == 118
    assert sum(m.failed for m in minutes) == 40 - 1
    assert [m.done + m.failed for m in minutes] == [2] * 59 + [0]
    assert [(m.done, m.failed) for m in minutes[:3]] == [(1, 1), (2, 0), (1, 1)]
    with engine.connect() as conn:
        assert first_id_written(conn, attempts, attempts.c.started_at, start) == 1
        assert first_id_written(conn, attempts, attempts.c.started_at, start + timedelta(minutes=60)) == 121
        assert first_id_written(conn, attempts, attempts.c.started_at, clock.now + timedelta(days=1)) == 151
    window = outbox.list_commands(created_from=start + timedelta(minutes=60), created_before=start + timedelta(minutes=70),
                                  limit=1000)
    assert [c["id"] for c in window] == list(reversed(ids[120:140]))
    page = outbox.list_commands(created_from=start + timedelta(minutes=60), after_id=130, limit=5)
    assert [c["id"] for c in page] == [129, 128, 127, 126, 125]
    assert outbox.counts_by_type(("pending", "running", "dead")) == {"set_lock": {"pending": 0, "running": 0, "dead": 50}}
    assert outbox.counts_by_type(("done",)) == {"set_lock": {"done": 100}}

