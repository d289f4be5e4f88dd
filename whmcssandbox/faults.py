"""Injected latency and HTTP 500s, from a seeded generator so a test run repeats exactly."""
from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any


class Faults:
    def __init__(self, latency_ms: int = 0, error_rate: float = 0.0, seed: int = 0) -> None:
        self.latency_ms = 0
        self.error_rate = 0.0
        self.seed = 0
        self.configure(latency_ms=latency_ms, error_rate=error_rate, seed=seed)

    def configure(self, **changes: Any) -> None:
        """Change any of latency_ms, error_rate, seed; the sequence restarts from the seed."""
        unknown = set(changes) - {"latency_ms", "error_rate", "seed"}
        if unknown:
            raise ValueError(f"unknown fault setting: {sorted(unknown)[0]}")
        latency_ms = int(changes.get("latency_ms", self.latency_ms))
        error_rate = float(changes.get("error_rate", self.error_rate))
        if latency_ms < 0:
            raise ValueError("latency_ms must be 0 or more")
        if not 0.0 <= error_rate <= 1.0:
            raise ValueError("error_rate must be between 0 and 1")
        self.latency_ms = latency_ms
        self.error_rate = error_rate
        self.seed = int(changes.get("seed", self.seed))
        self._random = random.Random(self.seed)

    def should_fail(self) -> bool:
        """Draw once per call, even at rate 0, so changing the rate keeps the sequence aligned."""
        return self._random.random() < self.error_rate

    def as_dict(self) -> Mapping[str, Any]:
        return {"latency_ms": self.latency_ms, "error_rate": self.error_rate, "seed": self.seed}
