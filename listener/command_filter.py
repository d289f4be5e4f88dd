"""The dashboard's command filter: which commands a list shows and "replay all shown" replays.

It travels in the query string, so a filtered list is a link an operator can pass on,
and in the hidden fields of the bulk replay's confirmation form.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from listener.domains import normalise_domain
from outbox.models import COMMAND_TYPE_PATTERN, DEAD, DONE, STATUSES

TYPE_NAME = re.compile(COMMAND_TYPE_PATTERN)


class BadFilter(ValueError):
    """A filter value the dashboard cannot use; the message says which and why."""


@dataclasses.dataclass(frozen=True)
class CommandFilter:
    status: str | None = None
    type: str | None = None
    domain: str | None = None  # the A-label, as commands are keyed
    created_from: datetime | None = None  # naive UTC, like every timestamp column
    created_before: datetime | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> CommandFilter:
        status = args.get("status") or None
        if status is not None and status not in STATUSES:
            raise BadFilter(f"The status must be one of {', '.join(STATUSES)}.")
        type_ = args.get("type") or None
        if type_ is not None and not TYPE_NAME.fullmatch(type_):
            raise BadFilter("The type must be a command type such as renew_domain.")
        domain = (args.get("domain") or "").strip() or None
        if domain is not None:
            try:
                domain = normalise_domain(domain)
            except ValueError as error:
                raise BadFilter(f"The domain {error}.") from None
        created_from, created_before = _moment(args, "from"), _moment(args, "to")
        if created_from and created_before and created_from >= created_before:
            raise BadFilter("The start of the time range must come before its end.")
        return cls(status, type_, domain, created_from, created_before)

    @property
    def replayable(self) -> bool:
        """Only finished commands go back to pending, so a bulk replay needs dead or done."""
        return self.status in (DEAD, DONE)

    def query(self) -> dict[str, str]:
        """The filter as query-string arguments, the empty ones left out."""
        values = {"status": self.status, "type": self.type, "domain": self.domain,
                  "from": _form_time(self.created_from), "to": _form_time(self.created_before)}
        return {name: value for name, value in values.items() if value}

    def store_arguments(self) -> dict[str, Any]:
        """The filter as ``Outbox.list_commands`` takes it."""
        return dict(status=self.status, type=self.type, aggregate_key=self.domain,
                    created_from=self.created_from, created_before=self.created_before)


def _moment(args: Mapping[str, str], name: str) -> datetime | None:
    # A datetime-local field sends 2026-12-02T16:30 with no zone: the form says it is UTC.
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise BadFilter(f"'{name}' must be a UTC time such as 2026-12-02T16:30.") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def _form_time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
