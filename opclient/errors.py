"""The one exception tree of the Openprovider client.

Callers decide what to do from the class alone: a ``TransientError`` is worth another
try later, an ``AuthenticationError`` means the account or its credentials are refused
(retrying soon only gets the IP blocked), and a ``PermanentError`` will fail the same way
every time until the data changes.
"""
from __future__ import annotations


class OpenproviderError(Exception):
    """Anything that went wrong talking to Openprovider."""

    def __init__(self, message: str, *, code: int | None = None, description: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.description = description


class TransientError(OpenproviderError):
    """The call may succeed later: transport failure, timeout, 5xx, rate limit, maintenance.

    ``retry_after`` is a suggested delay in seconds (from ``Retry-After`` or the documented
    block time of the rate limit that fired), or None when there is no better guess than
    the caller's own schedule.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        description: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code, description=description)
        self.retry_after = retry_after


class AuthenticationError(OpenproviderError):
    """Credentials, token or account refused (codes 196, 197, 10005, 10009)."""


class TokenRejected(AuthenticationError):
    """The bearer token was refused (HTTP 401 or code 196); one fresh login may cure it."""


class PermanentError(OpenproviderError):
    """Openprovider refused the request; repeating it unchanged fails the same way."""


class DomainNotFound(PermanentError):
    """The domain is not in this Openprovider account (code 320, or a lookup found nothing)."""


class ZoneNotFound(PermanentError):
    """The account has no DNS zone of that name (code 872)."""


class CustomerIdentityChanged(PermanentError):
    """A handle's name or company differs from the contact's; only a new handle can carry it."""
