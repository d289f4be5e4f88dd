"""What was asked of the sandbox and what it did, for tests to assert on.

Operations are named by the spec's operation id in snake_case (``RenewDomain`` ->
``renew_domain``, ``Login`` -> ``login``); ``autorenew`` counts renewals Openprovider
made by itself.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict


def operation_name(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


class Counters:
    """Tallies; callers hold the state lock."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.calls: Counter[str] = Counter()
        self.succeeded: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.by_domain: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.error_codes: Counter[str] = Counter()

    def called(self, operation: str) -> None:
        self.calls[operation] += 1

    def answered(self, operation: str, domain: str, error_code: int | None) -> None:
        """Record the outcome; ``error_code`` is None for success (-1: no code, e.g. a bare 500)."""
        if error_code is None:
            self.succeeded[operation] += 1
            if domain:
                self.by_domain[domain][operation] += 1
        else:
            self.failed[operation] += 1
            self.error_codes[str(error_code)] += 1

    def performed(self, operation: str, domain: str) -> None:
        """An operation Openprovider carried out by itself (no call behind it)."""
        self.succeeded[operation] += 1
        self.by_domain[domain][operation] += 1

    def snapshot(self) -> dict:
        return {
            "calls": dict(self.calls),
            "succeeded": dict(self.succeeded),
            "failed": dict(self.failed),
            "error_codes": dict(self.error_codes),
            "domains": {name: dict(counts) for name, counts in self.by_domain.items()},
        }
