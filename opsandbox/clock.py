"""The sandbox's notion of now, and dates in the form Openprovider writes them."""
from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
NEVER_DELETED = "0000-00-00 00:00:00"


class Clock:
    """Virtual time that can jump ahead; optionally keeps ticking with real time.

    A ticking clock lets a long-running sandbox move domains along by itself; a frozen
    one (``ticking=False``) makes every date in a test exact.
    """

    def __init__(self, start: datetime | None = None, ticking: bool = True) -> None:
        self._lock = threading.Lock()
        self._ticking = ticking
        self._base = (start or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        self._base_monotonic = time.monotonic()

    def now(self) -> datetime:
        with self._lock:
            if not self._ticking:
                return self._base
            elapsed = time.monotonic() - self._base_monotonic
            return self._base + timedelta(seconds=int(elapsed))

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._base += delta
        return self.now()

    def set(self, moment: datetime) -> datetime:
        with self._lock:
            self._base = moment.astimezone(UTC)
            self._base_monotonic = time.monotonic()
        return self.now()


def format_date(moment: datetime | None) -> str:
    """Openprovider's ``YYYY-MM-DD HH:MM:SS`` in Europe/Amsterdam; unset is ``""``."""
    if moment is None:
        return ""
    return moment.astimezone(AMSTERDAM).strftime(DATE_FORMAT)


def parse_date(text: str) -> datetime:
    """Read ``YYYY-MM-DD[ HH:MM:SS]`` as Amsterdam time (how Openprovider's dates are meant)."""
    for pattern in (DATE_FORMAT, "%Y-%m-%d"):
        try:
            naive = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return naive.replace(tzinfo=AMSTERDAM).astimezone(UTC)
    raise ValueError(f"not a date of the form YYYY-MM-DD HH:MM:SS: {text!r}")


def add_years(moment: datetime, years: int) -> datetime:
    """Same Amsterdam wall-clock time ``years`` later; 29 February falls back to the 28th.

    Counted on the local calendar so the rendered dates move by whole years exactly.
    """
    local = moment.astimezone(AMSTERDAM)
    try:
        moved = local.replace(year=local.year + years)
    except ValueError:
        moved = local.replace(year=local.year + years, day=28)
    return moved.astimezone(UTC)
