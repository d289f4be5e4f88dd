"""The admin API's portfolio shapes: a bulk transfer's rows and report, its status, and drift."""
from __future__ import annotations

from marshmallow import fields, validate

from listener.api_schemas import Answer, Body, StrictBoolean, UtcDateTime
from outbox.portfolio.transfer_file import CONTACT_COLUMNS

MAX_TRANSFER_ROWS = 500  # a bigger file goes through `opbridge portfolio transfer-in`, or in parts


def _text(description: str = "", **options: object) -> fields.String:
    return fields.String(load_default="", validate=validate.Length(max=255), metadata={"description": description},
                         **options)


# One line of a bulk transfer, with the columns of the CSV file.
TransferRow = type("TransferRow", (Body,), {
    "domain": fields.String(required=True, validate=validate.Length(min=1, max=255)),
    "auth_code": fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=128),
                               metadata={"description": "Sealed at once; never in an answer or a log."}),
    "client_id": fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1),
                                metadata={"description": "The WHMCS client that gets it as Pending Transfer."}),
    "handle": _text("An Openprovider contact handle for every role; or give the contact's fields."),
    "nameservers": _text("keep (the default: what it has at its current registrar), default, or 2-5 host names."),
    **{name: _text() for name in CONTACT_COLUMNS},
})


class TransferRequest(Body):
    rows = fields.List(fields.Nested(TransferRow), required=True,
                       validate=validate.Length(min=1, max=MAX_TRANSFER_ROWS))
    apply = StrictBoolean(load_default=False, metadata={"description": "Queue the transfers; false checks only."})
    retry_failed = StrictBoolean(load_default=False)


class TransferRowReport(Answer):
    line = fields.Integer(metadata={"description": "The row's place in the request, from 1."})
    domain = fields.String()
    client_id = fields.Integer(allow_none=True)
    owner = fields.String()
    nameservers = fields.String()
    outcome = fields.String()


class TransferReport(Answer):
    dry_run = fields.Boolean()
    problems = fields.Integer(metadata={"description": "Rows in trouble; with any, nothing is queued."})
    batch = fields.Integer(allow_none=True)
    queued = fields.Integer()
    rows = fields.List(fields.Nested(TransferRowReport))


class TransferDomain(Answer):
    domain = fields.String()
    client_id = fields.Integer(allow_none=True)
    nameservers = fields.String()
    state = fields.String(metadata={"description": "queued, sending, retrying, requested, completed, failed or refused."})
    whmcs = fields.String(metadata={"description": "The status of the command adding it to WHMCS, if any."})
    detail = fields.String()
    command_id = fields.Integer()


class TransferStatus(Answer):
    batch = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    domains = fields.List(fields.Nested(TransferDomain))


class DriftFindingRecord(Answer):
    domain = fields.String()
    kind = fields.String()
    whmcs_value = fields.String(allow_none=True)
    op_value = fields.String(allow_none=True)
    action = fields.String(metadata={"description": "import, move-registrar, transfer-in, sync or review."})
    whmcs_domain_id = fields.Integer(allow_none=True)
    client_id = fields.Integer(allow_none=True)


class DriftReportAnswer(Answer):
    id = fields.Integer()
    trigger = fields.String()
    started_at = UtcDateTime()
    finished_at = UtcDateTime()
    whmcs_domains = fields.Integer()
    account_domains = fields.Integer()
    findings = fields.Integer()
    changed = fields.Boolean()
    findings_by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())
    rows = fields.List(fields.Nested(DriftFindingRecord))
