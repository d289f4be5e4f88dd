"""What a reliability scenario measured, for docs/reliability.md.

Each scenario prints one line of figures; with OPBRIDGE_RELIABILITY_FIGURES naming a file,
the line is appended there as JSON too, so a run's table can be written from the file.
"""
from __future__ import annotations

import json
import os
from typing import Any


def record(scenario: str, backend: str, **figures: Any) -> None:
    line = {"scenario": scenario, "backend": backend, **figures}
    print("figures", json.dumps(line))
    path = os.environ.get("OPBRIDGE_RELIABILITY_FIGURES")
    if path:
        with open(path, "a", encoding="utf-8") as output:
            output.write(json.dumps(line) + "\n")
