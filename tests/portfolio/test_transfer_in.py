"""`opbridge portfolio transfer-in` of 60 domains against the sandboxes, through rate limits
and faults, with a real worker killed by SIGKILL half-way and a second one finishing.

Asserted: every domain transferred at most once; each refusal, failure and pending
transfer shown as such; the nameservers each domain had (or the file's) kept; WHMCS
given the accepted ones as Pending Transfer on the right client; and no auth code in a
log line, CLI answer, dashboard page, API answer or database row.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import text

from opbridge.cli import cli
from opclient import Contact
from opclient.contacts import customer_body
from outbox.portfolio.transfer_batch import item_rows
from tests.sync.conftest import START
from tests.sync.test_cli import environment
from tests.sync.test_scheduler import wait_until

ROOT = Path(__file__).resolve().parents[2]
COUNT = 60
CONTACT = {"first_name": "Jan", "last_name": "Smit", "email": "jan@example.nl", "address1": "Dorpsstraat 1",
           "city": "Utrecht", "postcode": "3511 AA", "country": "NL", "phone": "+31.301234567"}
TOKEN = "transfer-token-0123456789"
LIMIT = dict(calls_per_window=60, window_seconds=1.0)
FAULTS = dict(seed=20, error_rate=0.04, timeout_rate=0.03, timeout_mode="drop", timeout_effect=True, **LIMIT)


def name(i: int) -> str:
    return f"moving{i:03d}.com"


def kind(i: int) -> str:
    return ("wrong_code", "locked", "too_young", "pending", "given", "default", "keep", "keep", "keep", "keep")[i % 10]


def auth_code(i: int) -> str:
    return f"Secret-{i:03d}-xq7"


def registry(i: int) -> dict:
    entry = {"name": name(i), "auth_code": auth_code(i),
             "name_servers": [f"ns1.losing{i}.example", f"ns2.losing{i}.example"]}
    if kind(i) == "locked":
        entry["is_locked"] = True
    if kind(i) == "too_young":
        entry["creation_date"] = (START - timedelta(days=10)).strftime("%Y-%m-%d %H:%M:%S")
    if kind(i) == "pending":
        entry["transfer_stays_pending"] = True
    return entry


def csv_file(tmp_path: Path, handle: str) -> Path:
    lines = [",".join(["domain", "auth_code", "client_id", "handle", "nameservers", *CONTACT])]
    for i in range(COUNT):
        code = "Wrong-code-000" if kind(i) == "wrong_code" else auth_code(i)
        servers = {"given": "ns1.given.example ns2.given.example", "default": "default"}.get(kind(i), "")
        client = str(i % 3 + 1) if i % 4 == 0 else ""
        owner = [handle, *[""] * len(CONTACT)] if i % 2 else ["", *CONTACT.values()]
        lines.append(",".join([name(i), code, client, owner[0], servers, *owner[1:]]))
    path = tmp_path / "moving.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def start_worker(env: dict) -> tuple[subprocess.Popen, Path]:
    log = Path(env["OPBRIDGE_TEST_LOG"])
    process = subprocess.Popen([sys.executable, "-m", "opbridge", "worker", "--threads", "4", "--grace", "5"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("ab"))
    return process, log


@pytest.mark.timeout(240)
@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)  # the long one: two backends
def test_bulk_transfer_in_survives_sigkill_and_limits_and_transfers_each_domain_once(
        make_harness, tmp_path) -> None:
    harness = make_harness(admin_tokens=TOKEN)
    op, whmcs = harness.openprovider, harness.whmcs
    whmcs.seed({"clients": [{"firstname": f"C{n}", "lastname": "Client", "email": f"c{n}@example.com"}
                            for n in (1, 2, 3)]})
    [handle] = op.seed({"customers": [customer_body(Contact.from_dict(CONTACT))],
                        "registry": [registry(i) for i in range(COUNT)]})["customers"]
    path = csv_file(tmp_path, handle)
    env = environment(harness.settings.database_url, whmcs.url, op.url) | {
        "OPBRIDGE_AT_REST_KEYS": Fernet.generate_key().decode(), "OPBRIDGE_TRANSFER_CALLS_PER_SECOND": "40",
        "OPBRIDGE_ADMIN_TOKENS": TOKEN, "OPBRIDGE_POLL_SECONDS": "1", "OPBRIDGE_LEASE_SECONDS": "10",
        "OPBRIDGE_OP_TIMEOUT_SECONDS": "3", "OPBRIDGE_RETRY_SCHEDULE": "1,1,2,2,3,3,5,5",
    }
    runner = CliRunner(env=env)
    op.admin("PUT", "/faults", json=LIMIT)

    dry = runner.invoke(cli, ["portfolio", "transfer-in", str(path)])
    assert dry.exit_code == 0, dry.output
    assert f"Dry run: {COUNT} domain(s) would be transferred" in dry.output
    assert "keeps ns1.losing6.example ns2.losing6.example" in dry.output
    assert op.counters()["succeeded"].get("transfer_domain", 0) == 0

    applied = runner.invoke(cli, ["portfolio", "transfer-in", str(path), "--apply"])
    assert applied.exit_code == 0 and f"Batch 1: {COUNT} transfer(s) queued" in applied.output

    op.admin("PUT", "/faults", json=FAULTS)
    worker_env = {**os.environ, **env, "PYTHONPATH": str(ROOT), "OPBRIDGE_TEST_LOG": str(tmp_path / "worker.log"),
                  "OPBRIDGE_LOG_FORMAT": "json", "OPBRIDGE_LOG_LEVEL": "DEBUG"}
    first, log = start_worker(worker_env)
    wait_until(lambda: sum(row["state"] != "queued" for row in item_rows(harness.engine, batch_id=1)) >= COUNT // 3, 120)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    halfway = item_rows(harness.engine, batch_id=1)
    assert any(row["state"] in ("queued", "sending", "retrying") for row in halfway)

    # Giving the file again resumes nothing twice: every domain is in batch 1 already.
    again = runner.invoke(cli, ["portfolio", "transfer-in", str(path), "--apply"])
    assert again.exit_code == 0 and "Nothing to queue" in again.output and "skipped: in batch 1" in again.output

    second, _ = start_worker(worker_env)
    try:
        wait_until(lambda: all(row["state"] not in ("queued", "sending", "retrying") and row["whmcs"] in ("", "done")
                             for row in item_rows(harness.engine, batch_id=1)), 150)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)

    op.admin("PUT", "/faults", json={})
    op.admin("POST", "/clock", json={"advance_seconds": 7200})
    status = runner.invoke(cli, ["portfolio", "status", "1", "--refresh", "--json"])
    states = {row["domain"]: row for row in json.loads(status.stdout)}
    expected = {"wrong_code": "refused", "locked": "refused", "too_young": "failed", "pending": "requested"}
    assert {n: states[name(n)]["state"] for n in range(COUNT)} == {
        n: expected.get(kind(n), "completed") for n in range(COUNT)}
    assert "318" in states[name(0)]["detail"] and "328" in states[name(1)]["detail"]

    counters = op.counters()
    transfers = {domain: counts.get("transfer_domain", 0) for domain, counts in counters["domains"].items()}
    assert max(transfers.values()) == 1, "a domain was transferred twice"
    assert sum(transfers.values()) == COUNT * 8 // 10  # wrong code and locked are refused
    assert counters["error_codes"].get("50", 0) == 0, "the pace met Openprovider's calls limit"
    assert counters["failed"], "the faults did hit"

    for i in range(COUNT):
        if kind(i) in ("wrong_code", "locked"):
            continue
        servers = [server["name"] for server in harness.op_domain(name(i))["name_servers"]]
        assert servers == {"given": ["ns1.given.example", "ns2.given.example"],
                           "default": list(harness.settings.default_nameservers)}.get(
            kind(i), [f"ns1.losing{i}.example", f"ns2.losing{i}.example"]), name(i)

    for i in range(0, COUNT, 4):
        row = whmcs.admin("GET", f"/domains/{name(i)}") if kind(i) not in ("wrong_code", "locked") else None
        if row is not None:
            assert (row["userid"], row["status"], row["registrar"]) == (i % 3 + 1, "Pending Transfer", "opbridge")
    assert whmcs.admin("GET", "/rejections") == []

    from listener import create_app
    from tests.support import serve_wsgi
    with serve_wsgi(create_app(harness.settings)) as url:
        page = requests.get(f"{url}/admin/portfolio/transfers/1", headers={"Authorization": f"Bearer {TOKEN}"},
                            timeout=10).text
        # What the registrar module's TransferSync tells WHMCS for them: the truth, from the account.
        outcomes = {i: requests.get(f"{url}/api/v1/registrar/domains/{name(i)}/sync?live=1", timeout=10,
                                    headers={"Authorization": f"Bearer {TOKEN}"}).json()["transfer"] for i in (2, 3, 6)}
    assert name(6) in page and "completed" in page and "refused" in page
    assert [(outcomes[i]["completed"], outcomes[i]["failed"]) for i in (2, 3, 6)] == [
        (False, True), (False, False), (True, False)]
    with harness.engine.connect() as conn:
        stored = " ".join(str(value) for table in ("events", "commands", "attempts") for row in
                          conn.execute(text(f"SELECT * FROM {table}")) for value in row)
    seen = " ".join([dry.output, applied.output, again.output, status.output, page, log.read_text(), stored])
    leaked = [auth_code(i) for i in range(COUNT) if auth_code(i) in seen]
    assert leaked == [], "auth codes were shown or stored in clear"
