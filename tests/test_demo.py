"""The README's first command: `opbridge demo` runs the whole pipeline and says so."""
from __future__ import annotations

import os
import subprocess
import sys


def test_demo_runs_the_whole_pipeline(tmp_path):  # noqa: ANN001
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPBRIDGE_")}
    result = subprocess.run([sys.executable, "-m", "opbridge", "demo"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "invoice.paid (invoice-501-paid) -> HTTP 200 duplicate" in out
    assert "renew-demo.com: renewed once" in out and "autorenew off" in out
    assert "Openprovider error 311" in out
    expiry_section = out.split("expiry date updates")[1].split("due date updates")[0]
    assert "drift-demo.com" in expiry_section and "renew-demo.com" in expiry_section
    assert "Invoices moved: 1." in out
    assert "WHMCS sent 1 admin email(s)" in out
    assert "commands: 10 done, 1 dead, 0 pending" in out
    assert list(tmp_path.iterdir()) == []  # nothing left behind in the working folder
