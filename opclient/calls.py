"""What the attempts log may keep of an Openprovider call: its record, secrets masked."""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from core.masking import redact

API_PREFIX = "/v1beta"  # every record's path starts with it
_ID_SEGMENT = re.compile(r"/[^/]*\d[^/]*")


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

    @property
    def operation(self) -> str:
        """``GET /domains/{id}``: without the prefix and query, ids (any segment with a digit)
        folded, so what counts calls by it stays bounded."""
        path = self.path.split("?", 1)[0].removeprefix(API_PREFIX)
        return f"{self.method} {_ID_SEGMENT.sub('/{id}', path)}"

    def to_dict(self) -> dict[str, Any]:
        # Shallow: ``build`` already made the bodies this record's own redacted copies,
        # and a deep copy of a domain listing would cost more than redacting it.
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


def _with_query(path: str, params: Mapping[str, Any] | None) -> str:
    if not params:
        return path
    return f"{path}?{urlencode(params, doseq=True, safe='*')}"
