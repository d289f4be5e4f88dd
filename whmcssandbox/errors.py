"""What an action answers with ``result=error`` instead of a result."""
from __future__ import annotations


class ApiError(Exception):
    """Answered as ``{"result": "error", "message": ...}`` with HTTP 200."""


class InvalidValue(ApiError):
    """A refused field value; the sandbox records every one of these."""

    def __init__(self, field: str, value: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
