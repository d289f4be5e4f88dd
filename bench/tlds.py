"""TLD catalogue benchmark: a refresh of 1,500 TLDs, and GetTldPricing for all of them.

The Openprovider sandbox runs as its own process (``--latency-ms``, 0 by default) with
1,500 extra TLDs seeded, a third of them declaring registry data (two domain fields or a
customer field). Measured:
  * ``opbridge tlds refresh``'s work (``refresh_catalogue``) into a fresh SQLite database,
    in a process of its own so that its peak RSS (VmHWM) is its own: wall time, API calls;
  * GetTldPricing: opbridge's listener under gunicorn answers ``/api/v1/registrar/tld-pricing``
    and php-cli runs the registrar module's ``opbridge_GetTldPricing`` once
    (bench/tld_pricing.php): wall time, items, PHP's peak memory, the PHP process's peak
    RSS, and the listener's answer size.
The figures go to the ``## TLD catalogue`` section of docs/benchmarks.md.

    .venv/bin/python bench/tlds.py [--tlds 1500] [--latency-ms 0]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from opclient import OpenproviderClient  # noqa: E402
from outbox.catalogue import refresh_catalogue  # noqa: E402
from outbox.db import make_engine, upgrade  # noqa: E402
from report import machine, machine_and_command, peak_rss_kib, write_section  # noqa: E402
from sync import admin, free_port, sandbox  # noqa: E402

HEADING = "## TLD catalogue"
TOKEN = "bench-token-0123456789abcdef"


def extra_tlds(count: int) -> dict[str, dict]:
    """``count`` extensions; every third declares registry data."""
    tlds = {}
    for number in range(count):
        overrides: dict = {"prices": {"create": 5 + number % 40, "renew": 6 + number % 40, "transfer": 5 + number % 40,
                                      "restore": 60.0, "soft_restore": 9.5, "trade": 9.5}}
        if number % 3 == 1:
            overrides["domain_fields"] = [
                {"name": "intended_use", "type": "text", "required": True, "description": "Intended use"},
                {"name": "legal_type", "type": "select", "required": False, "description": "Legal type",
                 "options": [{"value": "IND", "description": "Individual"}, {"value": "ORG", "description": "Company"}]}]
        elif number % 3 == 2:
            overrides["customer_fields"] = [{"name": "social_security_number", "type": "text", "required": True,
                                             "description": "National ID"}]
        tlds[f"bench{number:04d}"] = overrides
    return tlds


def refresh_child(op_url: str, database_url: str) -> None:
    """In its own process: one refresh, then its figures as JSON on stdout."""
    engine = make_engine(database_url)
    upgrade(engine)
    started = time.perf_counter()
    with OpenproviderClient(op_url, "sandbox", "sandbox") as client:
        summary = refresh_catalogue(client, engine)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "tlds": summary.total, "peak_rss_kib": peak_rss_kib()}))


def measure_refresh(op_url: str, database_url: str) -> dict:
    admin(op_url, "DELETE", "/counters")
    done = subprocess.run([sys.executable, __file__, "--refresh-child", op_url, database_url], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"refresh: {figures}", file=sys.stderr)
    figures["api_calls"] = sum(admin(op_url, "GET", "/counters")["calls"].values())
    return figures


def measure_pricing(database_url: str) -> dict:
    port = free_port()
    env = {**os.environ, "OPBRIDGE_DATABASE_URL": database_url, "OPBRIDGE_ADMIN_TOKENS": TOKEN,
           "OPBRIDGE_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1", "--threads", "4"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=5).ok:
                    break
            except requests.RequestException:
                pass  # not up yet, or too busy to answer within the probe's timeout
            if time.monotonic() > deadline:
                raise RuntimeError("the listener did not start")
            time.sleep(0.3)
        size = len(requests.get(f"{base}/api/v1/registrar/tld-pricing", timeout=60,
                                headers={"Authorization": f"Bearer {TOKEN}"}).content)
        settings = json.dumps({"AdminURL": base, "AdminToken": TOKEN, "Timeout": "30"})
        php = subprocess.run(["php", str(ROOT / "bench" / "tld_pricing.php"), settings], capture_output=True,
                             text=True, check=True)
        figures = json.loads(php.stdout)
        figures["answer_bytes"] = size
        return figures
    finally:
        server.terminate()
        server.wait(timeout=30)


def section(args: argparse.Namespace, refresh: dict, pricing: dict) -> str:
    return "\n".join([
        HEADING, "",
        f"A catalogue refresh of {refresh['tlds']:,} TLDs ({args.tlds:,} seeded beside the sandbox's own; every "
        "third declares registry data) from the Openprovider sandbox in its own process "
        f"({args.latency_ms} ms added per call), into a fresh SQLite database; then GetTldPricing for all of them, "
        "php-cli running the registrar module against the listener under gunicorn.", "",
        "| measure | value |", "|---|---|",
        f"| refresh: wall time | {refresh['seconds']:.1f} s |",
        f"| refresh: Openprovider calls (1 listing page per 500 TLDs, 2 additional-data reads per TLD) | "
        f"{refresh['api_calls']:,} |",
        f"| refresh: opbridge peak RSS (VmHWM of the refreshing process) | {refresh['peak_rss_kib'] / 1024:.0f} MiB |",
        f"| GetTldPricing: ImportItems | {pricing['items']:,} |",
        f"| GetTldPricing: wall time in php-cli (one HTTP read and the items) | {pricing['seconds']:.2f} s |",
        f"| GetTldPricing: PHP peak memory (memory_get_peak_usage(true)) | {pricing['php_peak_bytes'] / 2**20:.1f} MiB |",
        f"| GetTldPricing: php-cli peak RSS (VmHWM) | {pricing['peak_rss_kib'] / 1024:.0f} MiB |",
        f"| GetTldPricing: listener answer | {pricing['answer_bytes'] / 1024:.0f} KiB |",
        "",
        "PHP's default `memory_limit` (128 MiB) is far above what the import needs: no memory bump and no "
        "separate cron, unlike the official module's price download.", "",
        *machine_and_command([machine()]),
    ])


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--refresh-child":
        refresh_child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tlds", type=int, default=1500)
    parser.add_argument("--latency-ms", type=int, default=0)
    args = parser.parse_args()
    if shutil.which("php") is None:
        sys.exit("php-cli is needed for GetTldPricing")
    workdir = Path(tempfile.mkdtemp(prefix="opbridge-tlds-bench-"))
    database_url = f"sqlite:///{workdir}/catalogue.db"
    try:
        with sandbox("openprovider", args.latency_ms) as op_url:
            admin(op_url, "POST", "/seed", json={"tlds": extra_tlds(args.tlds)})
            refresh = measure_refresh(op_url, database_url)
        pricing = measure_pricing(database_url)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if pricing["error"] or pricing["items"] != refresh["tlds"]:
        sys.exit(f"GetTldPricing answered {pricing}")
    write_section(HEADING, section(args, refresh, pricing) + "\n")
    print(section(args, refresh, pricing))


if __name__ == "__main__":
    main()
