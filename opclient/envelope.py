"""Openprovider's response envelope, and which error class each failure belongs to.

Success is ``code == 0`` whatever the HTTP status says; an error is ``{code, desc, data}``
usually under a non-2xx status. A response without a readable envelope is judged by its
HTTP status alone.
"""
from __future__ import annotations

from typing import Any

from core.httputil import retry_after
from opclient.errors import (
    AuthenticationError,
    DomainNotFound,
    OpenproviderError,
    PermanentError,
    TokenRejected,
    TransientError,
    ZoneNotFound,
)
from opclient.transport import Answer, HTTPError, timed_out

CALLS_LIMIT = 50
TOKEN_REFUSED = 196
ACCOUNT_REFUSED = frozenset({197, 10005, 10009})  # agreement unsigned; IP not allowed (live, CTE)
CREATE_THROTTLED = 4007
DOMAIN_NOT_IN_ACCOUNT = 320
ZONE_NOT_FOUND = 872

# Block times from Openprovider's rate-limit table, used when no Retry-After comes along.
SUGGESTED_DELAYS = {CALLS_LIMIT: 60.0, CREATE_THROTTLED: 300.0}
RETRYABLE_STATUSES = frozenset({408, 425, 429})


def read(response: Answer, body: Any) -> Any:
    """The ``data`` of a successful envelope (``body`` is the decoded JSON, or None);
    otherwise the matching ``OpenproviderError``."""
    code = body.get("code") if isinstance(body, dict) else None
    if isinstance(code, bool) or not isinstance(code, int):
        raise _error_without_envelope(response)
    if code == 0:
        return body.get("data")
    raise _error_for_code(code, body, response)


def decoded_body(response: Answer) -> Any:
    """The JSON body, or None when there is none to read."""
    try:
        return response.json()
    except ValueError:
        return None


def _error_for_code(code: int, body: dict[str, Any], response: Answer) -> OpenproviderError:
    description = str(body.get("desc") or "")
    detail = body.get("data")
    message = f"Openprovider error {code}: {description or 'no description'}"
    if detail and isinstance(detail, str):
        message += f" ({detail})"  # the field or value the refusal is about
    if code == TOKEN_REFUSED:
        return TokenRejected(message, code=code, description=description)
    if code in ACCOUNT_REFUSED:
        return AuthenticationError(message, code=code, description=description)
    if code in SUGGESTED_DELAYS or body.get("maintenance") is True:
        delay = retry_after(response) or SUGGESTED_DELAYS.get(code)
        return TransientError(message, code=code, description=description, retry_after=delay)
    if code == DOMAIN_NOT_IN_ACCOUNT:
        return DomainNotFound(message, code=code, description=description)
    if code == ZONE_NOT_FOUND:
        return ZoneNotFound(message, code=code, description=description)
    return PermanentError(message, code=code, description=description)


def _error_without_envelope(response: Answer) -> OpenproviderError:
    status = response.status_code
    message = f"Openprovider answered HTTP {status} without an error code"
    if status == 401:
        return TokenRejected(message)
    if status >= 500 or status in RETRYABLE_STATUSES or 200 <= status < 300:
        # a 2xx without an envelope is a proxy or maintenance page, not an answer
        return TransientError(message, retry_after=retry_after(response))
    return PermanentError(message, description=f"HTTP {status}")


def transport_error(error: HTTPError) -> TransientError:
    kind = "timed out" if timed_out(error) else "failed"
    return TransientError(f"The call to Openprovider {kind}: {error}")
