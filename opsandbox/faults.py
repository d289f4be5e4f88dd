"""Injected trouble: latency, bare 500s, rate limits, timeouts and maintenance.

Random faults are drawn from a generator seeded by ``(seed, request, n)``, where ``n``
counts earlier identical requests (same method, path, query and body). The third
``renew`` of one domain therefore meets the same fate in every run, however the
client's worker threads interleave their calls.
"""
from __future__ import annotations

import random
import socket
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields

from flask import Response, jsonify

FAULT_KINDS = ("error", "rate_limit", "timeout")
TIMEOUT_MODES = ("sleep", "drop")


@dataclass
class FaultSettings:
    seed: int = 0
    latency_ms: int = 0
    latency_jitter_ms: int = 0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 5.0
    timeout_mode: str = "sleep"
    # Whether a timed-out call is carried out first: the hard case for a client,
    # which cannot tell whether its request took effect.
    timeout_effect: bool = True
    retry_after_seconds: int = 1
    maintenance: bool = False
    # A real limiter: more than this many calls per window answer code 50 (0 = off).
    calls_per_window: int = 0
    window_seconds: float = 1.0
    # Random faults hit only these operations (snake_case operation ids); empty = all.
    operations: list[str] = field(default_factory=list)
    # One-shot faults, used up in order: {"fault", "operation"?, "domain"?, "times"?}.
    script: list[dict] = field(default_factory=list)

    @classmethod
    def from_json(cls, payload: dict) -> FaultSettings:
        defaults = cls()
        known = {f.name for f in fields(cls)}
        for key, value in payload.items():
            if key not in known:
                raise ValueError(f"unknown fault setting {key!r}")
            _check_type(key, value, getattr(defaults, key))
        settings = cls(**payload)
        settings.script = [_checked_script_entry(entry) for entry in settings.script]
        if settings.timeout_mode not in TIMEOUT_MODES:
            raise ValueError(f"timeout_mode must be one of {', '.join(TIMEOUT_MODES)}")
        return settings


def _check_type(key: str, value: object, default: object) -> None:
    expected = (int, float) if isinstance(default, float) else type(default)
    if isinstance(value, bool) != isinstance(default, bool) or not isinstance(value, expected):
        raise ValueError(f"fault setting {key!r} must be of type {type(default).__name__}")


def _checked_script_entry(entry: object) -> dict:
    if not isinstance(entry, dict) or entry.get("fault") not in FAULT_KINDS:
        raise ValueError(f"each script entry needs a fault in {', '.join(FAULT_KINDS)}")
    unknown = set(entry) - {"fault", "operation", "domain", "times"}
    if unknown:
        raise ValueError(f"unknown script keys: {', '.join(sorted(unknown))}")
    return {"times": 1, **entry}


@dataclass(frozen=True)
class Decision:
    latency_seconds: float = 0.0
    fault: str | None = None  # one of FAULT_KINDS, "maintenance", or None


class Faults:
    """The current settings and what they decide per request; callers hold the state lock."""

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self.settings = settings or FaultSettings()
        self._occurrences: Counter[str] = Counter()
        self._window: deque[float] = deque()

    def configure(self, settings: FaultSettings) -> None:
        self.settings = settings
        self._occurrences.clear()
        self._window.clear()

    def decide(self, operation: str, domain: str, request_key: Callable[[], str]) -> Decision:
        fault_roll, jitter_roll = self._rolls(request_key)
        fault = (self._maintenance() or self._over_limit() or self._scripted(operation, domain)
                 or self._random(operation, fault_roll))
        return Decision(self._latency(jitter_roll), fault)

    def _rolls(self, request_key: Callable[[], str]) -> tuple[float, float]:
        """The fault and jitter dice, thrown only when a setting reads them.

        Seeding a generator costs more than the rest of a decision; skipping the
        occurrence count too is safe, since only ``configure`` can turn dice on, and it
        starts the counts afresh.
        """
        settings = self.settings
        if not (settings.error_rate or settings.rate_limit_rate or settings.timeout_rate
                or settings.latency_jitter_ms):
            return 1.0, 0.0
        key = request_key()
        occurrence = self._occurrences[key]
        self._occurrences[key] += 1
        rng = random.Random(f"{settings.seed}|{key}|{occurrence}")
        return rng.random(), rng.random()

    def _maintenance(self) -> str | None:
        return "maintenance" if self.settings.maintenance else None

    def _over_limit(self) -> str | None:
        limit = self.settings.calls_per_window
        if not limit:
            return None
        now = time.monotonic()
        while self._window and now - self._window[0] >= self.settings.window_seconds:
            self._window.popleft()
        if len(self._window) >= limit:
            return "rate_limit"
        self._window.append(now)
        return None

    def _scripted(self, operation: str, domain: str) -> str | None:
        for entry in self.settings.script:
            if entry.get("operation", operation) == operation and entry.get("domain", domain) == domain:
                entry["times"] -= 1
                if entry["times"] <= 0:
                    self.settings.script.remove(entry)
                return entry["fault"]
        return None

    def _random(self, operation: str, roll: float) -> str | None:
        settings = self.settings
        if settings.operations and operation not in settings.operations:
            return None
        for kind, rate in (("error", settings.error_rate), ("rate_limit", settings.rate_limit_rate),
                           ("timeout", settings.timeout_rate)):
            if roll < rate:
                return kind
            roll -= rate
        return None

    def _latency(self, roll: float) -> float:
        return (self.settings.latency_ms + roll * self.settings.latency_jitter_ms) / 1000

    def snapshot(self) -> dict:
        return asdict(self.settings)


def fault_response(fault: str, settings: FaultSettings) -> Response:
    """The answer for a fault decided before the operation runs."""
    retry_after = {"Retry-After": str(settings.retry_after_seconds)}
    if fault == "maintenance":
        # The reference knows no maintenance error code, only the envelope's flag: a 503
        # without a code is what a client must treat as "try again later".
        body = jsonify(desc="The API is in maintenance mode", data="", maintenance=True)
        return Response(body.get_data(), 503, retry_after, mimetype="application/json")
    if fault == "rate_limit":
        body = jsonify(code=50, desc="Calls limit has been reached", data="")
        return Response(body.get_data(), 500, retry_after, mimetype="application/json")
    if fault == "timeout":
        return Response("Gateway Timeout", 504, mimetype="text/plain")
    # A bare 500 from a proxy in front of the API: not JSON, no Openprovider code.
    return Response("<html><body><h1>500 Internal Server Error</h1></body></html>", 500,
                    mimetype="text/html")


def dropped_connection(environ: dict) -> Response:
    """A response that hangs up before a byte of it is sent."""

    def hang_up():  # noqa: ANN202
        # Both servers the sandbox runs under expose the socket; without the shutdown a
        # keep-alive connection would stay open and the client would wait, not fail.
        connection = environ.get("werkzeug.socket") or environ.get("gunicorn.socket")
        if connection is not None:
            connection.shutdown(socket.SHUT_RDWR)
        raise ConnectionAbortedError("the sandbox drops this connection")
        yield b""  # pragma: no cover - makes this a generator

    return Response(hang_up())
