"""What the attempts log may keep of an Openprovider call: secrets masked, at any depth."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

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


@dataclasses.dataclass(frozen=True)
class CallRecord:
    """One HTTP exchange with Openprovider, safe to store.

    ``status`` is None when no response arrived (connection error, timeout); ``error``
    then says what happened instead.
    """

    method: str
    path: str
    status: int | None
    duration: float  # seconds
    request: Any = None
    response: Any = None
    error: str = ""

    @classmethod
    def build(cls, method: str, path: str, params: Any, **fields: Any) -> CallRecord:
        fields["request"] = redact(fields.get("request"))
        fields["response"] = redact(fields.get("response"))
        return cls(method=method, path=_with_query(path, redact(params)), **fields)

    def to_dict(self) -> dict[str, Any]:
        # Shallow: ``build`` already made the bodies this record's own redacted copies,
        # and a deep copy of a domain listing would cost more than redacting it.
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


def _with_query(path: str, params: Mapping[str, Any] | None) -> str:
    if not params:
        return path
    return f"{path}?{urlencode(params, doseq=True, safe='*')}"
