"""The listener under gunicorn, as deployed: SIGKILLed under load, and overloaded.

A SIGKILL takes the master and its workers at once, mid-request; whatever was
acknowledged (202) before is stored with its commands. Under ten times the clients that
already saturate it, /healthz still answers (its latency is recorded), memory stays
bounded, and again no acknowledged event is lost.
"""
from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time

import psutil

from outbox.db import make_engine
from tests.dispatch.harness import SECRET
from tests.listener.processes import gunicorn
from tests.reliability.figures import record
from tests.reliability.load import Load, outcome

ARGS = ["-m", "gunicorn", "--config", "python:listener.gunicorn_conf", "--bind", "127.0.0.1:{port}", "wsgi:app"]


def _env(database_url: str) -> dict[str, str]:
    return {"OPBRIDGE_DATABASE_URL": database_url, "OPBRIDGE_WEBHOOK_SECRETS": SECRET, "WEB_CONCURRENCY": "2",
            "OPBRIDGE_LOG_FORMAT": "text"}


def _lock_event(number: int) -> tuple[str, dict]:
    return "domain.lock_changed", {"domain_id": number + 1, "domain": f"k{number % 200}.com", "locked": number % 2 == 0}


def _processes(base_url: str) -> list[psutil.Process]:
    """The gunicorn master and workers serving ``base_url``: the session of the listening process."""
    port = int(base_url.rsplit(":", 1)[1])
    [pid] = {c.pid for c in psutil.net_connections("tcp")
             if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN and c.pid} or [None]
    session = os.getsid(pid)
    return [process for process in psutil.process_iter() if _session(process) == session]


def _session(process: psutil.Process) -> int | None:
    try:
        return os.getsid(process.pid)
    except OSError:
        return None


def test_a_listener_killed_under_load_loses_nothing(database_url, tmp_path, soak):  # noqa: ANN001
    kills, clients, seconds = (3, 16, 8) if soak else (1, 4, 2)
    with Load(None, clients, _lock_event) as load:
        for round_ in range(kills + 1):
            with gunicorn(ARGS, _env(database_url), tmp_path / f"gunicorn{round_}.log") as url:
                load.url = url
                time.sleep(seconds)
                if round_ < kills:
                    os.killpg(os.getsid(_processes(url)[0].pid), signal.SIGKILL)
                    load.url = None
    engine = make_engine(database_url)
    result = outcome(engine, load, drained=False)
    engine.dispose()
    tally = load.tally()
    record("listener SIGKILL under load", engine.dialect.name, kills=kills, clients=clients, **tally,
           lost=result["lost"], doubled=0)
    assert tally["acknowledged"] > 0 and tally["5xx"] == 0
    assert result["lost"] == 0


PROBE = """
import json, sys, time, requests
url, seconds = sys.argv[1], float(sys.argv[2])
latencies, end = [], time.monotonic() + seconds
with requests.Session() as http:
    while time.monotonic() < end:
        started = time.perf_counter()
        assert http.get(url + "/healthz", timeout=5).status_code == 200
        latencies.append(time.perf_counter() - started)
        time.sleep(0.1)
print(json.dumps(latencies))
"""


def test_an_overloaded_listener_stays_healthy(sqlite_unless_soak, tmp_path, soak):  # noqa: ANN001
    seconds = 30 if soak else 5
    with gunicorn(ARGS, _env(sqlite_unless_soak), tmp_path / "gunicorn.log") as url:
        with Load(url, 4, _lock_event) as saturating:  # enough to keep two workers busy
            time.sleep(2)
        sustainable = saturating.tally()["acknowledged"] / 2
        processes = _processes(url)
        memory_before = sum(process.memory_info().rss for process in processes)
        peak = [memory_before]
        with Load(url, 40, _lock_event) as overload:
            # The probe is a process of its own: a thread here would wait for the load's GIL.
            prober = subprocess.Popen([sys.executable, "-c", PROBE, url, str(seconds)], stdout=subprocess.PIPE, text=True)
            while prober.poll() is None:
                peak.append(sum(process.memory_info().rss for process in processes))
                time.sleep(0.2)
            latencies = json.loads(prober.stdout.read())
            prober.stdout.close()
    engine = make_engine(sqlite_unless_soak)
    result = outcome(engine, overload, drained=False)
    engine.dispose()
    tally = overload.tally()
    figures = dict(
        seconds=seconds, sustainable_per_s=round(sustainable), offered_clients=40, **tally,
        healthz_median_ms=round(statistics.median(latencies) * 1000, 1),
        healthz_p95_ms=round(statistics.quantiles(latencies, n=20)[-1] * 1000, 1),
        healthz_max_ms=round(max(latencies) * 1000, 1),
        rss_before_mb=memory_before // 2**20, rss_peak_mb=max(peak) // 2**20, lost=result["lost"],
    )
    record("overload, 10x the saturating clients", engine.dialect.name, **figures)
    assert tally["5xx"] == tally["503"] and result["lost"] == 0
    # Responsive, not a speed target (the 100 ms figure is measured in docs/reliability.md):
    # a shared CI machine must not fail this on a slow second.
    assert figures["healthz_max_ms"] < 2000
    assert max(peak) < memory_before + 200 * 2**20  # bounded: the queue of work is the database's, not memory
