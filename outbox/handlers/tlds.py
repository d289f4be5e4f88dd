"""What each extension supports (``GET /tlds/{ext}``), cached per process.

Which handle roles a TLD takes changes perhaps once a year, so one lookup a day per
extension is plenty; the official module caches the same answer for 24 hours.
"""
from __future__ import annotations

import threading
import time

from opclient import OpenproviderClient
from opclient.types import Tld

MAX_AGE_SECONDS = 24 * 3600.0

_cache: dict[tuple[str, str], tuple[float, Tld]] = {}
_lock = threading.Lock()


def tld_facts(client: OpenproviderClient, extension: str) -> Tld:
    key = (client.base_url, extension)
    with _lock:
        cached = _cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < MAX_AGE_SECONDS:
        return cached[1]
    facts = client.tlds.get(extension)
    with _lock:
        _cache[key] = (time.monotonic(), facts)
    return facts
