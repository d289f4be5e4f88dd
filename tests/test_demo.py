"""The README's first command: `opbridge demo` runs the whole pipeline and says so."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import psutil
import requests

ZONED = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CES?T \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)"


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("OPBRIDGE_")}


def _assert_the_story(out: str) -> None:
    assert "invoice.paid (invoice-501-paid) -> HTTP 200 duplicate" in out
    assert "renew-demo.com: renewed once" in out and "autorenew off" in out
    assert "Openprovider error 311" in out
    expiry_section = out.split("expiry date updates")[1].split("due date updates")[0]
    assert "drift-demo.com" in expiry_section and "renew-demo.com" in expiry_section
    assert "Invoices moved: 1." in out
    assert "WHMCS sent 1 admin email(s)" in out
    assert "commands: 10 done, 1 dead, 0 pending" in out
    # Every one of the 11 commands is listed, the sync's writes too.
    listed = {int(number) for number in re.findall(r"^ {3}(\d+) +[a-z_]+ ", out, re.MULTILINE)}
    assert listed == set(range(1, 12))
    assert re.search(rf"shop-demo.com: ACT, expires {ZONED}", out)
    assert re.search(rf"renew-demo.com: renewed once to {ZONED}", out)


def test_demo_runs_the_whole_pipeline(tmp_path):  # noqa: ANN001
    result = subprocess.run([sys.executable, "-m", "opbridge", "demo"], cwd=tmp_path, env=_env(),
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    _assert_the_story(result.stdout)
    assert list(tmp_path.iterdir()) == []  # nothing left behind in the working folder


def _read_until(process: subprocess.Popen, pattern: str, timeout: float = 120) -> tuple[str, re.Match]:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return "".join(seen), match
    raise AssertionError(f"never printed {pattern!r}; printed:\n{''.join(seen)}")


def _listening_ports(pid: int) -> set[int]:
    return {c.laddr.port for c in psutil.Process(pid).net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN}


def _refused(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_demo_serve_keeps_everything_up_until_sigterm(tmp_path):  # noqa: ANN001
    process = subprocess.Popen([sys.executable, "-m", "opbridge", "demo", "--serve"], cwd=tmp_path, env=_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        story, dashboard = _read_until(process, r"dashboard +(http://127\.0\.0\.1:\d+/admin/)")
        _, token = _read_until(process, r"admin token +(\S+)")
        _assert_the_story(story)
        ports = _listening_ports(process.pid)
        assert len(ports) == 3  # the listener and both sandboxes
        bearer = {"Authorization": f"Bearer {token.group(1)}"}
        page = requests.get(dashboard.group(1), headers=bearer, timeout=10)
        assert page.status_code == 200 and "dead" in page.text.lower()
        _, sandboxes = _read_until(process, r"sandboxes +Openprovider (\S+) +WHMCS (\S+)")
        assert [requests.get(url, timeout=10).status_code for url in sandboxes.groups()] == [200, 200]
        _, database = _read_until(process, r"command line +OPBRIDGE_DATABASE_URL=(\S+) ")
        listed = subprocess.run([sys.executable, "-m", "opbridge", "commands", "show", "2"], cwd=tmp_path,
                                env=_env() | {"OPBRIDGE_DATABASE_URL": database.group(1)}, capture_output=True, text=True)
        assert listed.returncode == 0 and "taken-demo.nl" in listed.stdout and "dead" in listed.stdout
        # The sync moved drift-demo.com's WHMCS expiry to Openprovider's: the mirror shows what WHMCS holds now.
        api = dashboard.group(1).replace("/admin/", "/api/v1/domains/drift-demo.com")
        mirror = requests.get(api, headers=bearer, timeout=10).json()["mirror"]
        assert mirror["whmcs_expiry_date"] == mirror["op_expiration_date"]
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Stopped: the worker, the listener and both sandboxes are down" in out
    assert all(_refused(port) for port in ports)
    assert list(tmp_path.iterdir()) == []
