"""The operator's verbs over the store: list, show, replay (with filters) and purge."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from outbox.db import make_engine, upgrade
from outbox.store import Outbox
from outbox.values import Failure, NewCommand


@pytest.fixture
def store(tmp_path):  # noqa: ANN001, ANN201
    url = f"sqlite:///{tmp_path}/cli.db"
    engine = make_engine(url)
    upgrade(engine)
    outbox = Outbox(engine)
    ids = outbox.enqueue(None, [NewCommand("renew_domain", f"d{i}.com", {"n": i}) for i in range(3)]).command_ids
    for command in outbox.claim("t", 3):
        if command.id != ids[2]:
            outbox.fail(command, Failure("Openprovider error 366: prohibited", "366", transient=False))
        else:
            outbox.complete(command)
    yield url, outbox, ids
    engine.dispose()


def opbridge(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPBRIDGE_")} | {"OPBRIDGE_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "opbridge", *args], capture_output=True, text=True, env=env, timeout=60)


def test_list_show_replay_and_purge(store):  # noqa: ANN001
    url, outbox, (first, second, done) = store
    listed = json.loads(opbridge(url, "commands", "list", "--status", "dead", "--json").stdout)
    assert sorted(row["id"] for row in listed) == [first, second]
    table = opbridge(url, "commands", "list").stdout.splitlines()
    assert table[0].split()[:4] == ["ID", "TYPE", "AGGREGATE_KEY", "STATUS"] and len(table) == 4
    shown = opbridge(url, "commands", "show", str(first))
    assert shown.returncode == 0 and "366" in shown.stdout and "dead" in shown.stdout
    assert opbridge(url, "commands", "show", "4242").returncode == 1

    replayed = opbridge(url, "commands", "replay", "--status", "dead", "--domain", "d1.com")
    assert replayed.returncode == 0 and "Replayed 1 command(s)." in replayed.stdout
    assert outbox.get_command(second)["status"] == "pending"
    assert outbox.get_command(first)["status"] == "dead"

    partly = opbridge(url, "commands", "replay", str(first), str(second))
    assert partly.returncode == 1 and f"Error: Not replayed: {second} is pending;" in partly.stderr
    assert outbox.get_command(first)["status"] == "pending"

    usage = opbridge(url, "commands", "replay")
    assert usage.returncode == 2

    purged = opbridge(url, "purge", "--older-than", "1")
    assert purged.returncode == 0 and "Purged 0" in purged.stdout
    assert outbox.get_command(done)["status"] == "done"


def test_list_pages_by_id(store):  # noqa: ANN001
    url, _, (first, second, done) = store
    page = json.loads(opbridge(url, "commands", "list", "--limit", "2", "--json").stdout)
    assert [row["id"] for row in page] == [done, second]
    rest = json.loads(opbridge(url, "commands", "list", "--limit", "2", "--before", str(page[-1]["id"]), "--json").stdout)
    assert [row["id"] for row in rest] == [first]
    refused = opbridge(url, "commands", "list", "--before", "0")
    assert refused.returncode == 2 and "--before" in refused.stderr
