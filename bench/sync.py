"""Pull-sync benchmark: one full reconciliation of 10,000 domains, 5 % of them drifted.

Both sandboxes run as their own processes with latency added to every API call (50 ms
each way: 100 ms per call). Measured in one run, on one machine:
  * opbridge: ``run_sync`` (update interval 0, no maximum), reading Openprovider by paged
    listing, plus draining the write commands it enqueued with a Worker;
  * the reference, the official module's way: for each domain one Openprovider lookup,
    then its WHMCS write when it differs, one domain after the other. It is measured on
    a sample (the drifted domains of the sample are drifted again first) and extrapolated
    to the whole portfolio, because it would take most of an hour.
Every drifted domain is checked in the WHMCS sandbox afterwards. The figures go to the
``## Pull-sync`` section of docs/benchmarks.md.

With ``--scale 10000,100000`` it runs only opbridge's way, once per portfolio size, each
in a process of its own so that its peak RSS (VmHWM) is its own, and writes time, API
calls, peak RSS and each size's ratio to the first to ``## Pull-sync at scale``.

    .venv/bin/python bench/sync.py
    .venv/bin/python bench/sync.py --scale 10000,100000
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import multiprocessing
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import outbox.handlers  # noqa: E402,F401 - registers the handlers the drain runs
from core.settings import load_settings  # noqa: E402
from opclient import DomainNotFound, OpenproviderClient  # noqa: E402
from outbox.db import make_engine, upgrade  # noqa: E402
from outbox.services import OutboxServices  # noqa: E402
from outbox.store import Outbox  # noqa: E402
from outbox.sync import run_sync  # noqa: E402
from outbox.sync.decisions import Rules, WhmcsSide, decide  # noqa: E402
from outbox.sync.importer import PAGE_SIZE as IMPORT_PAGE_SIZE  # noqa: E402
from outbox.sync.reading import openprovider_side  # noqa: E402
from outbox.worker import Worker  # noqa: E402
from whmcsapi import WhmcsClient  # noqa: E402
from whmcssandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET  # noqa: E402
from report import machine, peak_rss_kib, write_section  # noqa: E402

HEADING = "## Pull-sync"
SCALE_HEADING = "## Pull-sync at scale"
OFFSET = 10


# -- the portfolio ------------------------------------------------------------------


def portfolio(count: int, drift_every: int, today: date) -> tuple[dict, dict, dict[str, dict]]:
    """Seeds for both sandboxes and, per drifted domain, what WHMCS must hold afterwards.

    Drift alternates between an expiry (and due date) a few days off and a wrong status.
    """
    whmcs, op, expected = [], [], {}
    for number in range(1, count + 1):
        name = f"bench-{number:06d}.com"
        expiry = today + timedelta(days=30 + number * 7 % 330)
        drifted = number % drift_every == 0
        off_by = 1 + number % 20 if drifted and number % (2 * drift_every) else 0
        status = "Expired" if drifted and not off_by else "Active"
        whmcs_expiry = expiry - timedelta(days=off_by)
        whmcs.append({"domain": name, "expirydate": whmcs_expiry.isoformat(), "status": status,
                      "nextduedate": (whmcs_expiry - timedelta(days=OFFSET)).isoformat(),
                      "donotrenew": number % 10 == 0, "idprotection": number % 4 == 0})
        op.append({"name": name, "expiration_date": f"{expiry.isoformat()} 12:00:00",
                   "autorenew": "off" if number % 10 == 0 else "default", "is_private_whois_enabled": number % 4 == 0})
        if drifted:
            expected[name] = {"seeded": whmcs[-1], "expirydate": expiry.isoformat(), "status": "Active",
                              "nextduedate": (expiry - timedelta(days=OFFSET)).isoformat()}
    return {"domains": whmcs}, {"domains": op}, expected


def seed(whmcs_url: str, op_url: str, count: int, drift_every: int) -> dict[str, dict]:
    """Seed both sandboxes from a child process; return what the drifted domains must hold.

    The seeds of 100,000 domains and their JSON weigh about 150 MiB: built here, they would
    count in this process's peak RSS, which is reported as opbridge's own."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as child:
        return child.submit(_seeded, whmcs_url, op_url, count, drift_every, date.today()).result()


def _seeded(whmcs_url: str, op_url: str, count: int, drift_every: int, today: date) -> dict[str, dict]:
    whmcs_seed, op_seed, expected = portfolio(count, drift_every, today)
    admin(whmcs_url, "POST", "/seed", json=whmcs_seed)
    admin(op_url, "POST", "/seed", json=op_seed)
    return expected


# -- the sandboxes ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def sandbox(kind: str, latency_ms: int) -> Iterator[str]:
    port = free_port()
    extra = ["--no-check-responses"] if kind == "openprovider" else []
    process = subprocess.Popen(
        [sys.executable, "-m", "opbridge", "sandbox", kind, "--port", str(port), "--latency-ms", str(latency_ms), *extra],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{url}/_sandbox/counters", timeout=5).ok:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"the {kind} sandbox did not start")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def admin(url: str, method: str, path: str, **kwargs) -> object:  # noqa: ANN003
    answer = requests.request(method, f"{url}/_sandbox{path}", timeout=600, **kwargs)
    answer.raise_for_status()
    return answer.json()


def calls_made(whmcs_url: str, op_url: str) -> tuple[int, int]:
    whmcs = sum(admin(whmcs_url, "GET", "/counters")["calls"].values())
    op = sum(admin(op_url, "GET", "/counters")["calls"].values())
    return whmcs, op


def reset_counters(*urls: str) -> None:
    for url in urls:
        admin(url, "DELETE", "/counters")


# -- the two ways -------------------------------------------------------------------


def opbridge_way(settings, engine) -> dict:  # noqa: ANN001
    services = OutboxServices(settings, engine)
    outbox = Outbox.from_settings(engine, settings)
    started = time.perf_counter()
    run_id = run_sync(services, outbox, trigger="bench")
    decided = time.perf_counter()
    Worker(outbox, threads=settings.worker_threads, poll_seconds=0.05, services=services).run_until_idle()
    finished = time.perf_counter()
    left = [c for c in outbox.list_commands(limit=10) if c["status"] != "done"]
    return {"run_id": run_id, "read_decide": decided - started, "total": finished - started, "unfinished": left}


def reference_way(settings, names: list[str], whmcs_rows: dict[str, WhmcsSide]) -> float:  # noqa: ANN001
    """The official module's loop: look each domain up, write WHMCS when it differs, next."""
    op = OpenproviderClient.from_settings(settings)
    whmcs = WhmcsClient.from_settings(settings)
    rules = Rules(settings.next_due_date_offset, settings.due_date_max_difference_days)
    now = datetime.now(UTC)
    started = time.perf_counter()
    for name in names:
        try:
            found = openprovider_side(op.domains.find(name), settings.expiry_source)
        except DomainNotFound:
            found = None
        decision = decide(name, whmcs_rows[name], found, rules, now)
        if decision.whmcs_update:
            whmcs.update_client_domain(whmcs_rows[name].domain_id, **decision.whmcs_update)
    return time.perf_counter() - started


def whmcs_domains(settings) -> dict[str, WhmcsSide]:  # noqa: ANN001
    """WHMCS's rows, which the module reads from its own database, for the reference loop."""
    return {
        row.domain: WhmcsSide(row.id, row.client_id, row.status, row.expiry_date, row.next_due_date,
                              row.do_not_renew, row.id_protection)
        for row in WhmcsClient.from_settings(settings).iter_clients_domains(page_size=500)
    }


def redrift(settings, expected: dict[str, dict], names: list[str]) -> None:  # noqa: ANN001
    whmcs = WhmcsClient.from_settings(settings)
    rows = {row.domain: row.id for row in whmcs.iter_clients_domains(page_size=500)}
    for name in names:
        seeded = expected[name]["seeded"]
        whmcs.update_client_domain(rows[name], status=seeded["status"],
                                   expiry_date=date.fromisoformat(seeded["expirydate"]),
                                   next_due_date=date.fromisoformat(seeded["nextduedate"]))


def verify(whmcs_url: str, expected: dict[str, dict]) -> list[str]:
    wrong = []
    for name, wanted in expected.items():
        held = admin(whmcs_url, "GET", f"/domains/{name}")
        if any(held[field] != wanted[field] for field in ("expirydate", "nextduedate", "status")):
            wrong.append(name)
    return wrong


# -- the report ---------------------------------------------------------------------


def section(args, ours: dict, ours_calls: tuple[int, int], reference_seconds: float, sample: int,
            reference_calls: tuple[int, int], wrong: list[str], drifted: int) -> str:  # noqa: ANN001
    per_domain = reference_seconds / sample
    extrapolated = per_domain * args.domains
    speedup = extrapolated / ours["total"]
    ref_whmcs, ref_op = reference_calls
    scale = args.domains / sample
    return f"""{HEADING}

`bench/sync.py --domains {args.domains} --sample {sample}`, {date.today()}. Machine: {machine()}.
Both sandboxes run as separate processes with {args.latency_ms} ms added to every API call
({args.latency_ms // 2} ms each way; the Openprovider sandbox without its spec check of answers). {args.domains} domains
are seeded in both, {drifted} of them drifted (every {args.drift_every}th: half with an expiry and due date
1-20 days off, half with status Expired while Openprovider says ACT). Database: SQLite.

| way | seconds | WHMCS calls | Openprovider calls |
|---|---|---|---|
| opbridge: import, read (paged listing, 1000 a page), decide, enqueue | {ours['read_decide']:.1f} | | |
| opbridge: the above plus draining the write commands ({args.threads} worker threads) | {ours['total']:.1f} | {ours_calls[0]} | {ours_calls[1]} |
| official module's way, one lookup per domain, sequential (measured on {sample} domains) | {reference_seconds:.1f} | {ref_whmcs} | {ref_op} |
| official module's way, extrapolated to {args.domains} domains | {extrapolated:.0f} | {ref_whmcs * scale:.0f} | {ref_op * scale:.0f} |

Speed-up: **{speedup:.0f}x** (target at least 30x). Drifted domains not corrected in the WHMCS sandbox
afterwards: {len(wrong)} of {drifted} (should be 0). The reference reads WHMCS from its own database, as the
module does, so its WHMCS calls are its writes only; it is extrapolated linearly ({per_domain * 1000:.0f} ms a domain)
because it is one call after the other by construction. opbridge's WHMCS calls are the domain import
(500 a page), the writes and the report mail; its Openprovider calls are the login and the listing pages.
"""


def at_scale(args: argparse.Namespace, sizes: list[int]) -> None:
    runs = []
    for size in sizes:
        answer = subprocess.run(
            [sys.executable, __file__, "--domains", str(size), "--opbridge-only", "--latency-ms", str(args.latency_ms),
             "--threads", str(args.threads), "--drift-every", str(args.drift_every)],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )
        runs.append(json.loads(answer.stdout.strip().splitlines()[-1]))
        print(runs[-1], flush=True)
    first = runs[0]
    rows = [f"| {run['domains']:,} | {run['seconds']:.1f} | {run['seconds'] / first['seconds']:.1f}x for "
            f"{run['domains'] / first['domains']:.0f}x the domains | {latency_bound(args, run):.1f} "
            f"| {run['whmcs_calls']:,} | {run['op_calls']:,} "
            f"| {run['peak_rss_mib']:.0f} MiB | {run['wrong']} of {run['drifted']:,} |" for run in runs]
    text = "\n".join([
        SCALE_HEADING, "",
        f"`bench/sync.py --scale {args.scale}`, {date.today()}. opbridge's way only (import, paged read, decide, "
        f"enqueue, and {args.threads} worker threads draining the writes), against both sandboxes with "
        f"{args.latency_ms} ms per API call, every {args.drift_every}th domain drifted; each size in a process of its "
        "own, whose peak RSS is its VmHWM (the sandboxes are seeded from a child process, outside it). "
        "Database: SQLite. Machine: " + machine() + ".", "",
        "| domains | seconds | time ratio | of which API latency | WHMCS calls | Openprovider calls | peak RSS "
        "| drifted left wrong |",
        "|---:|---:|---|---:|---:|---:|---:|---|", *rows, "",
        "\"Of which API latency\" is the time the added latency alone takes: the import's WHMCS pages "
        f"({IMPORT_PAGE_SIZE} domains a page) and the Openprovider login and listing pages one after the other, and "
        f"every other WHMCS call (the writes, the invoice checks, the report) {args.threads} at a time. "
        "The rest is CPU, shared by opbridge and both sandboxes on the same cores.", "",
    ])
    print(text)
    if not args.no_write:
        write_section(SCALE_HEADING, text)


def latency_bound(args: argparse.Namespace, run: dict) -> float:
    """Seconds the added latency alone costs a run: the listing pages in sequence, the rest in parallel."""
    pages = math.ceil(run["domains"] / IMPORT_PAGE_SIZE)
    in_sequence = pages + run["op_calls"]
    in_parallel = run["whmcs_calls"] - pages
    return (in_sequence + in_parallel / args.threads) * args.latency_ms / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=10_000)
    parser.add_argument("--drift-every", type=int, default=20, help="every Nth domain is drifted (20: 5 %%)")
    parser.add_argument("--sample", type=int, default=300, help="domains the per-domain reference is timed on")
    parser.add_argument("--latency-ms", type=int, default=100, help="added to every API call (both ways together)")
    parser.add_argument("--threads", type=int, default=8, help="worker threads draining the writes")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--scale", help="comma-separated portfolio sizes: opbridge's way only, each in its own process")
    parser.add_argument("--opbridge-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale:
        at_scale(args, [int(size) for size in args.scale.split(",")])
        return

    with sandbox("whmcs", args.latency_ms) as whmcs_url, sandbox("openprovider", args.latency_ms) as op_url, \
            tempfile.TemporaryDirectory(prefix="opbridge-bench-sync-") as scratch:
        expected = seed(whmcs_url, op_url, args.domains, args.drift_every)
        settings = load_settings(
            environ={}, database_url=f"sqlite:///{scratch}/sync.db", whmcs_url=whmcs_url,
            whmcs_identifier=DEFAULT_IDENTIFIER, whmcs_secret=DEFAULT_SECRET, op_url=op_url,
            op_username="sandbox", op_password="sandbox", update_interval_days=0, max_domains_per_sync=0,
            send_empty_reports=True, next_due_date_offset=OFFSET, worker_threads=args.threads,
        )
        engine = make_engine(settings.database_url, pool_size=args.threads + 4)
        upgrade(engine)
        try:
            reset_counters(whmcs_url, op_url)
            ours = opbridge_way(settings, engine)
            ours_calls = calls_made(whmcs_url, op_url)
            wrong = verify(whmcs_url, expected)

            if args.opbridge_only:
                print(json.dumps(dict(domains=args.domains, seconds=ours["total"], whmcs_calls=ours_calls[0],
                                      op_calls=ours_calls[1], wrong=len(wrong), drifted=len(expected),
                                      peak_rss_mib=peak_rss_kib() / 1024)))
                return
            sample = [f"bench-{number:06d}.com" for number in range(1, args.sample + 1)]
            redrift(settings, expected, [name for name in sample if name in expected])
            rows = whmcs_domains(settings)
            reset_counters(whmcs_url, op_url)
            reference_seconds = reference_way(settings, sample, rows)
            reference_calls = calls_made(whmcs_url, op_url)
        finally:
            engine.dispose()
    if ours["unfinished"]:
        print("unfinished commands:", ours["unfinished"], file=sys.stderr)
    text = section(args, ours, ours_calls, reference_seconds, len(sample), reference_calls, wrong, len(expected))
    print(text)
    if not args.no_write:
        write_section(HEADING, text)


if __name__ == "__main__":
    main()
