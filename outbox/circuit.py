"""A circuit per remote service, opened when the service refuses our credentials.

Retrying a refused login soon only gets the address blocked (Openprovider blocks IPs
after too many failed logins), so while a circuit is open no command for that service
runs: each is handed back with its attempt refunded, due when the pause ends.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from prometheus_client import Counter, Gauge

log = logging.getLogger("opbridge.circuit")

CIRCUIT_OPEN = Gauge("opbridge_circuit_open", "1 while calls to the service are paused", ["service"])
CIRCUIT_OPENINGS = Counter("opbridge_circuit_openings_total", "Times calls to the service were paused", ["service"])


class Circuit:
    def __init__(self, service: str, pause_seconds: float, clock: Callable[[], float] = time.monotonic,
                 on_open: Callable[[float, str, str | None], None] | None = None) -> None:
        self.service = service
        self.pause_seconds = pause_seconds
        self.clock = clock
        # Told (pause, reason, code) once per opening: where the fleet and the dashboard learn of it.
        self.on_open = on_open
        self._until = 0.0
        self._lock = threading.Lock()

    def remaining(self) -> float:
        """Seconds until calls may resume; 0 when closed."""
        left = self._until - self.clock()
        if left <= 0:
            CIRCUIT_OPEN.labels(self.service).set(0)
            return 0.0
        return left

    def close(self) -> None:
        """Resume calls now: an operator or a worker with other settings closed it for the fleet."""
        with self._lock:
            self._until = 0.0
        CIRCUIT_OPEN.labels(self.service).set(0)

    def open(self, reason: str, code: str | None = None) -> float:
        """Pause the service (logged once per opening); returns the pause in seconds."""
        with self._lock:
            if self.remaining() > 0:
                return self.remaining()
            self._until = self.clock() + self.pause_seconds
        if self.on_open is not None:  # first: the gauge says open once the fleet can know it too
            self.on_open(self.pause_seconds, reason, code)
        CIRCUIT_OPEN.labels(self.service).set(1)
        CIRCUIT_OPENINGS.labels(self.service).inc()
        log.error(
            "calls paused: the service refused our credentials",
            extra={"service": self.service, "pause_seconds": self.pause_seconds, "reason": reason},
        )
        return self.pause_seconds
