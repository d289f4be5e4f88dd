"""Flask's JSON with opbridge's times: ISO 8601 with an offset instead of RFC 822 strings."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask.json.provider import DefaultJSONProvider

from core.times import iso


def _default(value: Any) -> Any:
    if isinstance(value, date):  # datetimes too: they are dates
        return iso(value)
    return DefaultJSONProvider.default(value)


class IsoJSONProvider(DefaultJSONProvider):
    default = staticmethod(_default)
