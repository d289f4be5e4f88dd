"""One exception tree for everything the WHMCS API can refuse or fail at.

Callers decide what to do by class alone: retry a ``WhmcsTransientError`` (honouring
``retry_after``), give up on a ``WhmcsPermanentError``, and stop calling altogether on a
``WhmcsAuthenticationError`` because every further call would be refused the same way.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from whmcsapi.calls import CallRecord


class WhmcsError(Exception):
    """Base class; ``call`` is the redacted record of the request that failed, if one was sent."""

    def __init__(self, message: str, *, action: str | None = None, call: CallRecord | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.action = action
        self.call = call

    def __str__(self) -> str:
        return f"{self.action}: {self.message}" if self.action else self.message


class WhmcsAuthenticationError(WhmcsError):
    """HTTP 403: wrong identifier/secret, caller IP not allowed, bad access key, no API role."""


class WhmcsTransientError(WhmcsError):
    """Worth retrying: transport error, timeout, HTTP 5xx or 429."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs) -> None:  # noqa: ANN003
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class WhmcsPermanentError(WhmcsError):
    """WHMCS answered ``result=error`` (or something no retry can fix).

    Registrar-backed actions answer with the generic message "Registrar Error Message"
    and put the registrar's own text in ``error``; it is kept here so it reaches the log.
    """

    def __init__(self, message: str, *, error: str | None = None, **kwargs) -> None:  # noqa: ANN003
        super().__init__(message, **kwargs)
        self.error = error

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} ({self.error})" if self.error else base


class WhmcsValidationError(WhmcsPermanentError, ValueError):
    """Refused before sending: WHMCS would store the value unchecked, so it is checked here."""
