"""What a client's exception means for the command that raised it.

The dispatcher decides from exception classes alone: transient errors are retried on the
schedule, permanent ones make the command dead with the remote code and description, and
a refused login or a missing setting pauses every call to that service instead of
spending attempts.
"""
from __future__ import annotations

import dataclasses

from core.settings import ConfigError
from opclient import errors as op
from outbox.registry import HandlerFailure
from outbox.values import Failure
from whmcsapi import errors as whmcs

OPENPROVIDER = "openprovider"
WHMCS = "whmcs"
# The circuit a handler calling no one service pauses on when a setting it needs is missing.
CONFIGURATION = "configuration"


@dataclasses.dataclass(frozen=True)
class Verdict:
    failure: Failure
    pause_service: str | None = None  # open this service's circuit instead of retrying


def _op_code(error: op.OpenproviderError) -> str | None:
    return None if error.code is None else str(error.code)


def _op_message(error: op.OpenproviderError) -> str:
    if error.description and error.code is not None:
        return f"Openprovider error {error.code}: {error.description}"
    return str(error)


def classify(error: Exception, service: str | None = None) -> Verdict:
    """``service`` is the remote service of the handler that raised, paused when a setting is missing."""
    if isinstance(error, ConfigError):
        # Trying again cannot help until an operator sets it, and must not spend attempts.
        return Verdict(Failure(str(error), "not_configured"), pause_service=service or CONFIGURATION)
    if isinstance(error, HandlerFailure):
        return Verdict(Failure(str(error), error.code, error.transient, error.retry_after))
    if isinstance(error, op.AuthenticationError):
        return Verdict(Failure(_op_message(error), _op_code(error) or "auth"), pause_service=OPENPROVIDER)
    if isinstance(error, op.TransientError):
        return Verdict(Failure(_op_message(error), _op_code(error) or "transient", True, error.retry_after))
    if isinstance(error, op.OpenproviderError):
        return Verdict(Failure(_op_message(error), _op_code(error) or "refused", transient=False))
    if isinstance(error, whmcs.WhmcsAuthenticationError):
        return Verdict(Failure(f"WHMCS refused the API credentials: {error}", "whmcs_auth"), pause_service=WHMCS)
    if isinstance(error, whmcs.WhmcsTransientError):
        return Verdict(Failure(f"WHMCS: {error}", "whmcs_transient", True, error.retry_after))
    if isinstance(error, whmcs.WhmcsError):
        return Verdict(Failure(f"WHMCS: {error}", "whmcs_error", transient=False))
    return Verdict(Failure(f"{type(error).__name__}: {error}", "internal_error"))
