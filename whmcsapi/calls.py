"""The redacted record of one API call: safe for logs and for the attempts table."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping

REDACTED = "***"
# Credentials never reach a record; the client adds them after the record is made, and
# these names are scrubbed too in case a caller passes them as ordinary parameters.
SECRET_PARAMS = frozenset({"identifier", "secret", "accesskey", "username", "password"})
# Report e-mails can be hundreds of kilobytes of HTML; a log line needs only their size.
MAX_VALUE_CHARS = 200


@dataclasses.dataclass(frozen=True)
class CallRecord:
    action: str
    params: Mapping[str, str]
    http_status: int | None = None
    duration_ms: float | None = None
    outcome: str = "sent"  # success | error | auth_error | transient_error | sent
    message: str | None = None

    def as_dict(self) -> dict:
        return dataclasses.asdict(self) | {"params": dict(self.params)}


def redact(params: Mapping[str, str]) -> dict[str, str]:
    return {name: _shown(name, value) for name, value in params.items()}


def _shown(name: str, value: str) -> str:
    if name.lower() in SECRET_PARAMS:
        return REDACTED
    if len(value) > MAX_VALUE_CHARS:
        return f"{value[:MAX_VALUE_CHARS]}… ({len(value)} chars)"
    return value
