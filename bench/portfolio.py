"""Portfolio benchmarks: a bulk transfer in of 10,000 domains under a rate limit, and a
drift report over 100,000 domains.

Both sandboxes run as their own processes with 100 ms added to every API call.

* ``transfer``: the Openprovider sandbox limits calls to ``--limit`` a second (code 50
  beyond); opbridge paces at ``--rate`` calls a second (below the limit). The file's
  10,000 domains (handle owner, nameservers kept) are checked and queued
  (``check_rows`` + ``queue_rows``), then one worker process with ``--threads`` threads
  transfers them (``run_until_settled``). Reported: the time of each phase against the
  pace's own bound (the calls made divided by the rate), peak RSS of each process, the
  code-50 answers met (the pace must keep it at 0), and that each domain was transferred
  once with the nameservers it had.
* ``drift``: 100,000 domains in WHMCS and in the account (a few percent disagreeing), one
  ``run_drift`` in a process of its own: time and peak RSS (VmHWM).

    .venv/bin/python bench/portfolio.py transfer [--count 10000 --limit 100 --rate 80 --threads 16]
    .venv/bin/python bench/portfolio.py drift [--count 100000]
"""
from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import outbox.handlers  # noqa: E402,F401 - registers the handlers the worker runs
from core.settings import load_settings  # noqa: E402
from opclient import Contact  # noqa: E402
from opclient.contacts import customer_body  # noqa: E402
from outbox.db import make_engine, upgrade  # noqa: E402
from outbox.portfolio.drift_run import run_drift  # noqa: E402
from outbox.portfolio.transfer_batch import batch_counts, check_rows, queue_rows  # noqa: E402
from outbox.portfolio.transfer_file import read_rows  # noqa: E402
from outbox.portfolio.transfer_handler import CALLS  # noqa: E402
from outbox.services import OutboxServices  # noqa: E402
from outbox.store import Outbox  # noqa: E402
from outbox.worker import Worker  # noqa: E402
from report import machine, machine_and_command, peak_rss_kib, write_section  # noqa: E402
from sync import admin, sandbox  # noqa: E402
from whmcssandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET  # noqa: E402

TRANSFER_HEADING = "## Bulk transfer in"
DRIFT_HEADING = "## Portfolio drift"
LATENCY_MS = 100
CONTACT = {"first_name": "Jan", "last_name": "Smit", "email": "jan@example.nl", "address1": "Dorpsstraat 1",
           "city": "Utrecht", "postcode": "3511 AA", "country": "NL", "phone": "+31.301234567"}
FORK = multiprocessing.get_context("fork")


def settings_for(database_url: str, whmcs_url: str, op_url: str, **overrides: object) -> dict:
    """The settings as plain values: a child process loads them (Settings do not pickle)."""
    return dict(database_url=database_url, whmcs_url=whmcs_url, whmcs_identifier=DEFAULT_IDENTIFIER,
                whmcs_secret=DEFAULT_SECRET, op_url=op_url, op_username="sandbox", op_password="sandbox",
                log_level="WARNING", **overrides)


def in_child(function, *args):  # noqa: ANN001, ANN002, ANN201
    """Run in a process of its own, so the peak RSS it reports is its own."""
    with ProcessPoolExecutor(1, mp_context=FORK) as child:
        return child.submit(function, *args).result()


# -- transfer ---------------------------------------------------------------------------


def seed_registry(op_url: str, count: int) -> str:
    [handle] = admin(op_url, "POST", "/seed", json={"customers": [customer_body(Contact.from_dict(CONTACT))]})["customers"]
    for start in range(0, count, 2000):
        admin(op_url, "POST", "/seed", json={"registry": [
            {"name": f"move-{n:06d}.com", "auth_code": f"Bench-{n:06d}",
             "name_servers": [f"ns1.losing{n % 97}.example", f"ns2.losing{n % 97}.example"]}
            for n in range(start, min(count, start + 2000))]})
    return handle


def queue(values: dict, text: str) -> dict:
    settings = load_settings(environ={}, **values)
    engine = make_engine(settings.database_url)
    services, outbox = OutboxServices(settings, engine), Outbox.from_settings(engine, settings)
    started = time.perf_counter()
    rows = read_rows(text)
    check_rows(rows, services, engine, retry_failed=False)
    checked = time.perf_counter()
    problems = [row.record() for row in rows if not row.ok][:5]
    batch = queue_rows(rows, "bench", services, outbox) if not problems else None
    return {"check": checked - started, "queue": time.perf_counter() - checked, "problems": problems,
            "batch": batch, "peak_rss_mib": peak_rss_kib() / 1024}


def transfer_all(values: dict, threads: int) -> dict:
    settings = load_settings(environ={}, **values)
    engine = make_engine(settings.database_url, pool_size=threads + 2)
    services, outbox = OutboxServices(settings, engine), Outbox.from_settings(engine, settings)
    started = time.perf_counter()
    counts = Worker(outbox, threads=threads, poll_seconds=0.05, services=services).run_until_settled(timeout=7200)
    return {"seconds": time.perf_counter() - started, "counts": counts, "peak_rss_mib": peak_rss_kib() / 1024}


def transfer(args: argparse.Namespace) -> None:
    database = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    with sandbox("openprovider", 0) as op_url, sandbox("whmcs", 0) as whmcs_url:
        handle = in_child(seed_registry, op_url, args.count)
        text = "domain,auth_code,handle\n" + "".join(f"move-{n:06d}.com,Bench-{n:06d},{handle}\n"
                                                        for n in range(args.count))
        settings = settings_for(database, whmcs_url, op_url, at_rest_keys=Fernet.generate_key().decode(),
                                transfer_calls_per_second=args.rate, worker_threads=args.threads,
                                op_timeout_seconds=10, lease_seconds=60)
        upgrade(make_engine(database))
        admin(op_url, "PUT", "/faults", json={"latency_ms": LATENCY_MS, "calls_per_window": args.limit,
                                              "window_seconds": 1.0})
        admin(op_url, "DELETE", "/counters")
        queued = in_child(queue, settings, text)
        if queued["problems"]:
            raise SystemExit(f"the file did not check: {queued['problems']}")
        worked = in_child(transfer_all, settings, args.threads)
        counters = admin(op_url, "GET", "/counters")
        states = batch_counts(make_engine(database), queued["batch"])
        sample = {n: admin(op_url, "GET", f"/domains/move-{n:06d}.com")["domain"] for n in range(0, args.count, 997)}
    transfers = [counts.get("transfer_domain", 0) for counts in counters["domains"].values()]
    kept = all([server["name"] for server in domain["name_servers"]] ==
               [f"ns1.losing{n % 97}.example", f"ns2.losing{n % 97}.example"] for n, domain in sample.items())
    paced_calls = args.count * CALLS + -(-args.count // 15)
    bound = paced_calls / args.rate
    total = queued["check"] + queued["queue"] + worked["seconds"]
    lines = [
        TRANSFER_HEADING, "",
        f"{args.count:,} domains transferred in through `portfolio transfer-in` against the Openprovider sandbox with "
        f"{LATENCY_MS} ms per call and a limit of {args.limit} calls a second (code 50 beyond it); opbridge paced at "
        f"{args.rate:g} calls a second, one worker process of {args.threads} threads, database "
        f"{database.split(':')[0]}.", "",
        "| phase | time | peak RSS |", "|---|---|---|",
        f"| check the file ({-(-args.count // 15):,} checks of 15, one account listing) | {queued['check']:.1f} s | "
        f"{queued['peak_rss_mib']:.0f} MiB (with the queueing) |",
        f"| queue ({args.count:,} events and commands, auth codes sealed) | {queued['queue']:.1f} s | |",
        f"| transfer (worker) | {worked['seconds']:.1f} s | {worked['peak_rss_mib']:.0f} MiB |",
        f"| **total** | **{total:.1f} s** | |", "",
        f"- The pace's bound: {paced_calls:,} paced calls / {args.rate:g} per second = {bound:.1f} s; the total is "
        f"{total / bound:.2f}x the bound.",
        f"- Calls-limit (code 50) answers: **{counters['error_codes'].get('50', 0)}**; Openprovider calls in all: "
        f"{sum(counters['calls'].values()):,}.",
        f"- Domains transferred: {sum(transfers):,}, at most {max(transfers, default=0)} transfer a domain; states: "
        f"{states}; commands: {worked['counts']}.",
        f"- Nameservers kept on a sample of {len(sample)}: {'yes' if kept else 'NO'}.", "",
        *machine_and_command([machine()]),
    ]
    write_section(TRANSFER_HEADING, "\n".join(lines))
    print("\n".join(lines))


# -- drift ------------------------------------------------------------------------------


def seed_portfolio(whmcs_url: str, op_url: str, count: int) -> None:
    admin(whmcs_url, "POST", "/seed", json={"bulk": {"count": count, "prefix": "bulk", "tld": "com",
                                                     "registrar": "opbridge"}})
    admin(op_url, "POST", "/seed", json={"generate": {"count": count - count // 50, "name": "bulk-{n:05d}.com",
                                                      "expiration_step_seconds": 86400 * 3}})


def drift_once(values: dict) -> dict:
    settings = load_settings(environ={}, **values)
    engine = make_engine(settings.database_url)
    services, outbox = OutboxServices(settings, engine), Outbox.from_settings(engine, settings)
    started = time.perf_counter()
    report_id = run_drift(services, outbox, trigger="bench")
    seconds = time.perf_counter() - started
    from outbox.portfolio.drift_records import count_by_kind, load_report
    return {"seconds": seconds, "peak_rss_mib": peak_rss_kib() / 1024, "report": load_report(engine, report_id),
            "kinds": count_by_kind(engine, report_id)}


def drift(args: argparse.Namespace) -> None:
    database = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    with sandbox("openprovider", LATENCY_MS // 2) as op_url, sandbox("whmcs", LATENCY_MS // 2) as whmcs_url:
        in_child(seed_portfolio, whmcs_url, op_url, args.count)
        upgrade(make_engine(database))
        result = in_child(drift_once, settings_for(database, whmcs_url, op_url))
    report = result["report"]
    lines = [
        DRIFT_HEADING, "",
        f"One `portfolio drift` over {report['whmcs_domains']:,} WHMCS domains and {report['account_domains']:,} in the "
        f"account ({LATENCY_MS} ms per API call; WHMCS read 500 a page, the account 1,000), database "
        f"{database.split(':')[0]}, in a process of its own.", "",
        "| domains | findings | time | peak RSS |", "|---|---|---|---|",
        f"| {args.count:,} | {report['findings']:,} | {result['seconds']:.1f} s | {result['peak_rss_mib']:.0f} MiB |", "",
        f"Findings by kind: {result['kinds']}.", "",
        *machine_and_command([machine()]),
    ]
    write_section(DRIFT_HEADING, "\n".join(lines))
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("which", choices=("transfer", "drift"))
    parser.add_argument("--count", type=int)
    parser.add_argument("--limit", type=int, default=100, help="the sandbox's calls a second")
    parser.add_argument("--rate", type=float, default=80.0, help="opbridge's paced calls a second")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    args = parser.parse_args()
    args.count = args.count or (10_000 if args.which == "transfer" else 100_000)
    (transfer if args.which == "transfer" else drift)(args)


if __name__ == "__main__":
    main()
