"""The update interval and the per-run maximum over consecutive runs on a FakeClock."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from outbox.models import MirroredDomain
from tests.sync.conftest import day

# The manual's example (7,000 domains at 200 a run, every 10 minutes) scaled down five
# times: the same 35 runs, each importing and selecting a fifth of the rows.
PORTFOLIO = 1400
PER_RUN = 40
RUN_EVERY = 10 * 60  # seconds


def agreeing_portfolio(count: int) -> tuple[dict, dict]:
    """WHMCS and Openprovider seeds that already agree, so runs only select and read."""
    whmcs, op = [], []
    for number in range(1, count + 1):
        name, expiry = f"portfolio-{number:05d}.com", 1 + number * 7 % 365
        whmcs.append({"domain": name, "expirydate": day(expiry), "nextduedate": day(expiry - 10)})
        op.append({"name": name, "expiration_date": f"{day(expiry)} 12:00:00"})
    return {"domains": whmcs}, {"domains": op}


def visited_now(harness) -> set[str]:  # noqa: ANN001
    with harness.engine.connect() as conn:
        return set(conn.scalars(select(MirroredDomain.name).where(MirroredDomain.last_synced_at == harness.clock.now)))


@pytest.mark.timeout(900)
def test_every_domain_is_visited_once_within_35_runs_and_not_again_before_the_interval(make_harness) -> None:
    # Enough lookup threads that 40 lookups beat paging through 1,400 domains: this test is
    # about which domains a run visits, and the in-process sandbox pays for every listed one.
    harness = make_harness(update_interval_days=3, max_domains_per_sync=PER_RUN, sync_concurrency=64)
    whmcs_seed, op_seed = agreeing_portfolio(PORTFOLIO)
    harness.whmcs.seed(whmcs_seed)
    harness.openprovider.seed(op_seed)

    runs: list[set[str]] = []
    for _ in range(PORTFOLIO // PER_RUN):
        run_id = harness.sync()
        runs.append(visited_now(harness))
        assert harness.run(run_id)["commands_enqueued"] == 0
        harness.clock.advance(RUN_EVERY)

    assert [len(visited) for visited in runs] == [PER_RUN] * 35
    assert len(set().union(*runs)) == PORTFOLIO  # all visited, so none twice
    assert runs[0] == {f"portfolio-{number:05d}.com" for number in range(1, PER_RUN + 1)}  # never-synced, id order

    harness.sync()
    assert visited_now(harness) == set()  # everyone was visited less than 3 days ago

    harness.clock.now = harness.clock.now - timedelta(seconds=RUN_EVERY) + timedelta(days=3)
    harness.sync()
    assert visited_now(harness) == runs[0]  # the longest unvisited come round first
