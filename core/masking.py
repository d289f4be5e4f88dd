"""Secrets masked at any depth of a JSON-like value: one rule for logs, call records and pages."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MASK = "***"

# Compared after lower-casing and dropping "_" and "-", so auth_code, authCode and
# Auth-Code are one name. auth_code_type is not here: its value ("external") is harmless.
SECRET_KEYS = frozenset(
    {
        "password",
        "pw",
        "token",
        "authorization",
        "authcode",
        "internalauthcode",
        "epp",
        "eppcode",
        "transfersecret",
    }
)


def is_secret_key(key: object) -> bool:
    return isinstance(key, str) and key.lower().replace("_", "").replace("-", "") in SECRET_KEYS


def redact(value: Any) -> Any:
    """A copy of a JSON-like value with every secret-named field's value masked."""
    if isinstance(value, Mapping):
        return {key: _masked(key, item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(item) for item in value]
    return value


def _masked(key: object, item: Any) -> Any:
    if is_secret_key(key) and item not in (None, ""):  # an empty code is worth seeing as empty
        return MASK
    return redact(item)
