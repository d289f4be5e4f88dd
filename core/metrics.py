"""What opbridge counts for Prometheus, in one place: every metric a process records itself.

The queue's own state (commands by status and type, the oldest runnable command, the
last sync) is read from the database at scrape time instead (listener.metrics), so any
listener answers for the whole fleet.

Under gunicorn every worker process counts on its own; with PROMETHEUS_MULTIPROC_DIR set
(listener.gunicorn_conf sets it) each writes its values to files there and a scrape adds
them up, whichever worker answers it (prometheus_client's multiprocess mode).
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, MutableMapping
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
OWN_DIRECTORY_PREFIX = "opbridge-metrics-"

# Remote calls take from a few milliseconds to a timeout of tens of seconds.
CALL_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
# Work waits from milliseconds (an idle worker) to hours (a backlog, a paused circuit).
LAG_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600)
SYNC_BUCKETS = (1, 5, 15, 60, 300, 900, 1800, 3600, 7200)

EVENTS_ACCEPTED = Counter("opbridge_events_accepted_total", "Signed events stored (duplicates: already stored)",
                          ["type", "duplicate"])
EVENTS_REFUSED = Counter("opbridge_events_refused_total", "Events refused at the hook endpoint, by error code",
                         ["type", "reason"])
ATTEMPTS = Counter("opbridge_attempts_total", "Tries of commands finished by this worker", ["type", "outcome"])
DISPATCH_LAG = Histogram("opbridge_dispatch_lag_seconds", "From when a command could run to when a worker started it",
                         ["type"], buckets=LAG_BUCKETS)
OPENPROVIDER_CALLS = Histogram("opbridge_openprovider_call_seconds", "Openprovider API calls, by method and path",
                               ["operation"], buckets=CALL_BUCKETS)
WHMCS_CALLS = Histogram("opbridge_whmcs_call_seconds", "WHMCS API calls, by action", ["operation"], buckets=CALL_BUCKETS)
SYNC_RUNS = Histogram("opbridge_sync_run_seconds", "Pull-sync runs, by how they ended", ["status"], buckets=SYNC_BUCKETS)
SYNC_DOMAINS_CHECKED = Counter("opbridge_sync_domains_checked_total", "Domains the pull-sync read from Openprovider")
SYNC_CHANGES = Counter("opbridge_sync_changes_total", "Changes the pull-sync decided")



def prepare_multiprocess_directory(environ: MutableMapping[str, str]) -> None:
    """Before gunicorn starts (prometheus_client picks its mode on import): PROMETHEUS_MULTIPROC_DIR
    set, existing and empty, as prometheus_client requires; a temporary one unless given."""
    if not environ.get(MULTIPROC_DIR):
        environ[MULTIPROC_DIR] = tempfile.mkdtemp(prefix=OWN_DIRECTORY_PREFIX)
    directory = Path(environ[MULTIPROC_DIR])
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):  # counts of an earlier run would add to this one's
        stale.unlink()


def is_own_directory(directory: str | None) -> bool:
    """Whether ``directory`` is one prepare_multiprocess_directory made, to remove at exit."""
    return bool(directory) and Path(directory).parent == Path(tempfile.gettempdir()) \
        and Path(directory).name.startswith(OWN_DIRECTORY_PREFIX)


class _ThisProcess:
    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def scrape_registry(*collectors: Collector) -> CollectorRegistry:
    """This process's metrics (every process's under multiprocess mode), and ``collectors``."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_DIR):
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    for collector in collectors:
        registry.register(collector)
    return registry
