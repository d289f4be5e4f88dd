"""marshmallow schemas of the admin API: what its routes accept.

The routes load every query string and body through these, so a value outside the
type or range of the column it is compared with is refused with a 4xx before any query
runs, instead of failing in the database.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from listener.ids import MAX_ID
from listener.schemas import DomainName
from outbox.models import DEAD, DONE, STATUSES

MAX_LIST = 1000
MAX_DOMAINS_CHECKED = 100

# Command types are handler names (outbox.registry), at most the 64 characters of the column.
COMMAND_TYPE = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$", error="Must be a command type, such as renew_domain.")


class Query(Schema):
    class Meta:
        # Parameters a route does not know are ignored, as proxies and caches add their own.
        unknown = EXCLUDE


class Body(Schema):
    class Meta:
        unknown = RAISE


class StrictBoolean(fields.Boolean):
    """true or false, never the strings and numbers marshmallow's Boolean also takes."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class UtcDateTime(fields.DateTime):
    """An ISO 8601 time, UTC when it has no offset; loaded naive in UTC, as the columns hold it."""

    EARLIEST = datetime(1970, 1, 1)
    LATEST = datetime(9999, 12, 31)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is not None:
            try:
                moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
            except OverflowError:
                raise self.make_error("invalid", input=value, obj_type="datetime") from None
        if not self.EARLIEST <= moment <= self.LATEST:
            raise ValidationError("Must be a time between 1970 and 9999.")
        return moment


def row_id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def list_limit(default: int) -> fields.Integer:
    return fields.Integer(load_default=default, validate=validate.Range(min=1, max=MAX_LIST))


class CommandListQuery(Query):
    status = fields.String(validate=validate.OneOf(STATUSES))
    type = fields.String(validate=COMMAND_TYPE)
    domain = DomainName()
    limit = list_limit(100)
    before = row_id(metadata={"description": "Only commands with a smaller id: the previous page's next_before."})


class ReplayFilter(Body):
    status = fields.String(load_default=DEAD, validate=validate.OneOf((DEAD, DONE)))
    type = fields.String(load_default=None, allow_none=True, validate=COMMAND_TYPE)
    domain = DomainName(load_default=None, allow_none=True)
    since = UtcDateTime(load_default=None, allow_none=True,
                        metadata={"description": "Only commands last changed at or after this time."})


class SyncRunRequest(Body):
    dry_run = StrictBoolean(load_default=False)


class SyncRunListQuery(Query):
    limit = list_limit(20)


class AvailabilityQuery(Query):
    domain = fields.List(DomainName(), required=True, validate=validate.Length(min=1, max=MAX_DOMAINS_CHECKED))
