"""/metrics and the alert rules, checked by Prometheus' own promtool on real output.

promtool comes with Debian's prometheus package (.ci/run installs it).
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

import outbox.handlers  # noqa: F401 - the worker below runs a requested sync
from opsandbox import create_app as create_sandbox
from outbox.db import make_engine, upgrade
from outbox.store import Outbox
from outbox.values import NewCommand
from outbox.worker import Worker
from tests.admin.conftest import WEBHOOK_SECRET, api
from tests.dispatch.harness import enqueue
from tests.listener.conftest import signed_headers
from tests.listener.events import SAMPLES, envelope, sample
from tests.listener.processes import gunicorn, stop
from tests.support import free_port, serve_wsgi

PROMTOOL = shutil.which("promtool")
pytestmark = pytest.mark.skipif(PROMTOOL is None, reason="promtool is missing: apt-get install prometheus")
HERE = Path(__file__).parent
ALERTS = HERE.parents[1] / "docs" / "alerts.yml"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(scraped: dict, name: str, **labels: str) -> float:
    return scraped.get((name, tuple(sorted(labels.items()))), 0.0)


def post_event(base: str, document: dict, **headers: str) -> requests.Response:
    body = json.dumps(document).encode()
    return requests.post(f"{base}/hooks/whmcs", data=body, headers={**signed_headers(body, WEBHOOK_SECRET), **headers},
                         timeout=10)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_metrics_count_what_happened_and_pass_promtool(admin):  # noqa: ANN001
    before = samples(requests.get(f"{admin.base}/metrics", timeout=10).text)
    lock = sample("domain.lock_changed")
    body = json.dumps(lock).encode()
    headers = signed_headers(body, WEBHOOK_SECRET)
    for _ in range(2):
        requests.post(f"{admin.base}/hooks/whmcs", data=body, headers=headers, timeout=10).raise_for_status()
    assert post_event(admin.base, lock, **{"webhook-signature": "v1,AAAA"}).status_code == 401
    assert post_event(admin.base, envelope("domain.renamed", {})).status_code == 422
    assert api(admin, "POST", "/sync/runs").status_code == 202
    Worker(admin.outbox, threads=2, poll_seconds=0.05, services=admin.clients).run_until_idle()

    answer = requests.get(f"{admin.base}/metrics", timeout=10)
    assert answer.headers["Content-Type"].count("charset") == 1, answer.headers["Content-Type"]
    check = subprocess.run([PROMTOOL, "check", "metrics"], input=answer.text, capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    after = samples(answer.text)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("opbridge_events_accepted_total", type="domain.lock_changed", duplicate="false") == 1
    assert grew("opbridge_events_accepted_total", type="domain.lock_changed", duplicate="true") == 1
    assert grew("opbridge_events_refused_total", type="unknown", reason="bad_signature") == 1
    assert grew("opbridge_events_refused_total", type="unknown", reason="unknown_event_type") == 1
    assert value(after, "opbridge_commands", status="done", type="run_sync") == 1
    assert grew("opbridge_attempts_total", type="run_sync", outcome="done") == 1
    assert grew("opbridge_dispatch_lag_seconds_count", type="run_sync") == 1
    assert grew("opbridge_sync_run_seconds_count", status="finished") == 1
    assert grew("opbridge_sync_domains_checked_total") == 1
    assert grew("opbridge_openprovider_call_seconds_count", operation="POST /auth/login") >= 1
    assert grew("opbridge_whmcs_call_seconds_count", operation="GetClientsDomains") >= 1
    assert value(after, "opbridge_pending_lag_seconds") >= 0
    assert value(after, "opbridge_last_sync_started_timestamp") > 0


def test_alert_rules_pass_promtool_and_fire_on_what_they_watch():
    check = subprocess.run([PROMTOOL, "check", "rules", str(ALERTS)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    rules = subprocess.run([PROMTOOL, "test", "rules", "alerts_test.yml"], cwd=HERE, capture_output=True, text=True,
                           timeout=60)
    assert rules.returncode == 0, rules.stdout + rules.stderr
    for anchor in ("dead-commands", "dispatch-lag", "circuit-open", "sync-stopped"):
        assert f"runbook_url: docs/operations.md#{anchor}" in ALERTS.read_text()
        heading = anchor.replace("-", " ").capitalize()
        assert f"\n## {heading}\n" in (ALERTS.parent / "operations.md").read_text()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_gunicorn_workers_add_up_to_one_count(tmp_path, database_url):  # noqa: ANN001
    """Each worker process counts its own events; any worker's scrape shows the sum of all."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()  # what `opbridge serve` prepares (core.metrics.prepare_multiprocess_directory)
    env = {"OPBRIDGE_DATABASE_URL": database_url, "OPBRIDGE_WEBHOOK_SECRETS": WEBHOOK_SECRET,
           "WEB_CONCURRENCY": "2", "WEB_THREADS": "4", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    args = ["-m", "gunicorn", "--config", "python:listener.gunicorn_conf", "--bind", "127.0.0.1:{port}", "wsgi:app"]
    with gunicorn(args, env, tmp_path / "gunicorn.log") as base:
        sent = 0
        # New connections until both workers have counted some (the kernel picks the worker).
        while sent < 10 or len({path.stem.rpartition("_")[2] for path in metrics_dir.glob("counter_*.db")}) < 2:
            assert sent < 400, "one gunicorn worker took every connection"
            assert post_event(base, sample("domain.lock_changed")).status_code == 202
            sent += 1
        totals = set()
        for _ in range(8):
            scraped = samples(requests.get(f"{base}/metrics", timeout=10).text)
            totals.add(value(scraped, "opbridge_events_accepted_total", type="domain.lock_changed", duplicate="false"))
    assert totals == {sent}


def test_a_worker_serves_its_own_metrics(tmp_path):
    """`opbridge worker --metrics-port`: its tries, lag, calls and circuits, as a real process."""
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    engine = make_engine(url)
    upgrade(engine)
    outbox = Outbox(engine, (1,))
    enqueue(outbox, "domain.lock_changed", SAMPLES["domain.lock_changed"]["data"])  # set_lock
    outbox.enqueue(None, [NewCommand("no_such_type", "b.example", {})])  # dead at once
    engine.dispose()
    port = free_port()
    with serve_wsgi(create_sandbox()) as sandbox_url:
        env = {
            "OPBRIDGE_DATABASE_URL": url, "OPBRIDGE_OP_URL": sandbox_url, "OPBRIDGE_OP_USERNAME": "sandbox",
            "OPBRIDGE_OP_PASSWORD": "refused-by-the-sandbox",  # the first call opens the circuit
            "OPBRIDGE_WHMCS_URL": "http://127.0.0.1:9", "OPBRIDGE_WHMCS_IDENTIFIER": "whmcs-identifier",
            "OPBRIDGE_WHMCS_SECRET": "whmcs-secret",
            "OPBRIDGE_SYNC_EVERY_SECONDS": "3600",
        }
        process = subprocess.Popen([sys.executable, "-m", "opbridge", "worker", "--grace", "1", "--metrics-port", str(port)],
                                   cwd=HERE.parents[1], env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None and time.monotonic() < deadline, "the worker's metrics never showed both tries"
                with contextlib.suppress(requests.ConnectionError):
                    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
                    scraped = samples(text)
                    if value(scraped, "opbridge_attempts_total", type="no_such_type", outcome="dead") and \
                            value(scraped, "opbridge_circuit_open", service="openprovider"):
                        break
                time.sleep(0.2)
        finally:
            stop(process)
    assert process.returncode == 0
    check = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert value(scraped, "opbridge_attempts_total", type="set_lock", outcome="paused") >= 1
    assert value(scraped, "opbridge_dispatch_lag_seconds_count", type="set_lock") >= 1
    assert value(scraped, "opbridge_openprovider_call_seconds_count", operation="POST /auth/login") >= 1
