"""marshmallow schemas of the HTTP interface: what its routes accept and what they answer.

The admin routes load every query string and body through these, so a value outside
the type or range of the column it is compared with is refused with a 4xx before any
query runs, instead of failing in the database; and they dump every answer through
them. listener.openapi describes the same schemas, so the description cannot drift.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from listener.ids import MAX_ID
from listener.event_schemas import DomainName
from core.times import iso
from opclient.names import InvalidDomainName, split_domain
from outbox.models import COMMAND_TYPE_PATTERN, DEAD, DONE, STATUSES

MAX_LIST = 1000
MAX_DOMAINS_CHECKED = 100

# Command types are handler names (outbox.registry), at most the 64 characters of the column.
COMMAND_TYPE = validate.Regexp(rf"^{COMMAND_TYPE_PATTERN}$", error="Must be a command type, such as renew_domain.")


class Query(Schema):
    class Meta:
        # Parameters a route does not know are ignored, as proxies and caches add their own.
        unknown = EXCLUDE


class Body(Schema):
    class Meta:
        unknown = RAISE


class Answer(Schema):
    class Meta:
        # Undeclared in the description, so clients accept fields added later.
        unknown = EXCLUDE


class StrictBoolean(fields.Boolean):
    """true or false, never the strings and numbers marshmallow's Boolean also takes."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class UtcDateTime(fields.DateTime):
    """An ISO 8601 time, UTC when it has no offset; loaded naive in UTC, as the columns hold it,
    and dumped with its offset (core.times).

    A time before 1970 or after 9999 in UTC cannot be stored and compares like the nearest
    end, so it is loaded as that end: nothing opbridge stores lies outside them.
    """

    EARLIEST = datetime(1970, 1, 1)
    LATEST = datetime(9999, 12, 31, 23, 59, 59, 999999)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is not None:
            try:
                moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
            except OverflowError:
                return self.LATEST if moment.year == datetime.max.year else self.EARLIEST
        return min(max(moment, self.EARLIEST), self.LATEST)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else iso(value)


# The documented spelling: a name label under one of the extensions every Openprovider
# account sells. The routes take any IDN or punycode spelling of any extension as well.
REGISTRABLE_DOMAIN_PATTERN = r"^[a-z0-9]{1,20}(-[a-z0-9]{1,20}){0,2}\.(com|net|org|nl|eu|be|de)$"


DOMAIN_DOCS = {"pattern": REGISTRABLE_DOMAIN_PATTERN, "example": "example.com"}


class RegistrableDomain(fields.String):
    """A domain one can register (a name under a public suffix), loaded as punycode."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata=DOMAIN_DOCS, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return split_domain(text).ascii
        except InvalidDomainName as error:
            raise ValidationError(str(error)) from None


def row_id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def list_limit(default: int) -> fields.Integer:
    return fields.Integer(load_default=default, validate=validate.Range(min=1, max=MAX_LIST))


class CommandListQuery(Query):
    status = fields.String(validate=validate.OneOf(STATUSES))
    type = fields.String(validate=COMMAND_TYPE)
    domain = DomainName(metadata=DOMAIN_DOCS)
    limit = list_limit(100)
    before = row_id(metadata={"description": "Only commands with a smaller id: the previous page's next_before."})


class ReplayFilter(Body):
    status = fields.String(load_default=DEAD, validate=validate.OneOf((DEAD, DONE)))
    type = fields.String(load_default=None, allow_none=True, validate=COMMAND_TYPE)
    domain = DomainName(load_default=None, allow_none=True, metadata=DOMAIN_DOCS)
    since = UtcDateTime(load_default=None, allow_none=True,
                        metadata={"description": "Only commands last changed at or after this time."})


# A reason fits a line of the attempts history, and says why to whoever reads it later.
DISCARD_REASON = fields.String(required=True, validate=validate.Length(min=1, max=1000),
                               metadata={"description": "Why the command is set aside, kept in its history."})


class DiscardRequest(Body):
    reason = DISCARD_REASON


class DiscardFilter(Body):
    """Dead commands a filter picks, as a replay's filter picks them, and the reason."""

    type = fields.String(load_default=None, allow_none=True, validate=COMMAND_TYPE)
    domain = DomainName(load_default=None, allow_none=True, metadata=DOMAIN_DOCS)
    since = UtcDateTime(load_default=None, allow_none=True,
                        metadata={"description": "Only commands last changed at or after this time."})
    reason = DISCARD_REASON


class SyncRunRequest(Body):
    dry_run = StrictBoolean(load_default=False)


class SyncRunListQuery(Query):
    limit = list_limit(20)


class AvailabilityQuery(Query):
    domain = fields.List(RegistrableDomain(), required=True, validate=validate.Length(min=1, max=MAX_DOMAINS_CHECKED))


# -- answers ---------------------------------------------------------------------------


def _maybe(field: type[fields.Field], **kwargs: Any) -> fields.Field:
    return field(allow_none=True, **kwargs)


class ErrorAnswer(Answer):
    error = fields.String(required=True, metadata={"description": "A machine-readable code, such as not_found."})
    message = fields.String(required=True, metadata={"description": "What went wrong, in one sentence."})
    details = fields.Dict(required=True, metadata={"description": "The fields or values concerned."})


class AttemptRecord(Answer):
    id = fields.Integer()
    command_id = fields.Integer()
    number = fields.Integer()
    worker = _maybe(fields.String)
    started_at = UtcDateTime()
    duration_ms = fields.Integer()
    outcome = fields.String()
    error_code = _maybe(fields.String)
    error = _maybe(fields.String, metadata={"description": "Why a try failed."})
    note = _maybe(fields.String, metadata={"description": "What a successful try did, or why an operator discarded the command."})
    calls = fields.Raw(allow_none=True, metadata={"description": "The calls made, secrets masked."})


class CommandRecord(Answer):
    id = fields.Integer()
    event_id = _maybe(fields.Integer)
    type = fields.String()
    aggregate_key = fields.String(metadata={"description": "The domain the command concerns."})
    payload = fields.Dict(metadata={"description": "What the command carries, secrets masked."})
    status = fields.String(validate=validate.OneOf(STATUSES))
    attempts = fields.Integer()
    max_attempts = fields.Integer()
    next_attempt_at = UtcDateTime()
    lease_owner = _maybe(fields.String)
    lease_expires_at = _maybe(UtcDateTime)
    claimed_at = _maybe(UtcDateTime)
    last_error_code = _maybe(fields.String)
    last_error = _maybe(fields.String)
    state = _maybe(fields.Dict)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    finished_at = _maybe(UtcDateTime)


class CommandDetail(CommandRecord):
    webhook_id = _maybe(fields.String, metadata={"description": "The webhook id of the event that made it."})
    history = fields.List(fields.Nested(AttemptRecord))


class CommandPage(Answer):
    commands = fields.List(fields.Nested(CommandRecord))
    next_before = _maybe(fields.Integer, metadata={"description": "Pass as ?before= for the next page."})


class Replayed(Answer):
    replayed = fields.List(fields.Integer())


class ReplayedMany(Replayed):
    count = fields.Integer()


class Discarded(Answer):
    discarded = fields.List(fields.Integer())


class DiscardedMany(Discarded):
    count = fields.Integer()


class EventRecord(Answer):
    id = fields.Integer()
    webhook_id = fields.String()
    type = fields.String()
    received_at = UtcDateTime()
    body = _maybe(fields.String, metadata={"description": "The event as received, secrets masked."})
    key_id = _maybe(fields.String)
    commands = fields.List(fields.Nested(CommandRecord))


class DomainMirror(Answer):
    id = fields.Integer()
    name = fields.String()
    whmcs_domain_id = _maybe(fields.Integer)
    whmcs_client_id = _maybe(fields.Integer)
    whmcs_registrar = _maybe(fields.String)
    whmcs_status = _maybe(fields.String)
    whmcs_expiry_date = _maybe(fields.Date)
    whmcs_next_due_date = _maybe(fields.Date)
    whmcs_donotrenew = _maybe(fields.Boolean)
    whmcs_idprotection = _maybe(fields.Boolean)
    op_domain_id = _maybe(fields.Integer)
    op_status = _maybe(fields.String)
    op_expiration_date = _maybe(fields.Date)
    op_renewal_date = _maybe(fields.Date)
    op_autorenew = _maybe(fields.String)
    op_private_whois = _maybe(fields.Boolean)
    sync_notices = _maybe(fields.String)
    last_synced_at = _maybe(UtcDateTime)
    updated_at = UtcDateTime()


class DomainState(Answer):
    domain = fields.String()
    mirror = fields.Nested(DomainMirror, allow_none=True)
    recent_commands = fields.List(fields.Nested(CommandRecord))


class SyncRunRecord(Answer):
    id = fields.Integer()
    started_at = UtcDateTime()
    finished_at = _maybe(UtcDateTime)
    status = fields.String()
    dry_run = fields.Boolean()
    trigger = fields.String()
    period_key = _maybe(fields.String)
    domains_checked = fields.Integer()
    changes = fields.Integer()
    errors = fields.Integer()
    api_calls = fields.Integer()
    commands_enqueued = fields.Integer()
    report_sent = fields.Boolean()
    message = _maybe(fields.String)


class SyncChangeRecord(Answer):
    id = fields.Integer()
    run_id = fields.Integer()
    domain = fields.String()
    whmcs_domain_id = _maybe(fields.Integer)
    kind = fields.String()
    old_value = _maybe(fields.String)
    new_value = _maybe(fields.String)
    applied = fields.Boolean()
    comment = _maybe(fields.String)
    invoices = _maybe(fields.String)
    command_id = _maybe(fields.Integer)


class SyncRunDetail(SyncRunRecord):
    changes = fields.List(fields.Nested(SyncChangeRecord))


class SyncRunList(Answer):
    runs = fields.List(fields.Nested(SyncRunRecord))


class SyncRunQueued(Answer):
    status = fields.String()
    command = fields.Integer(metadata={"description": "The run_sync command a worker runs."})
    message = fields.String()


class AvailabilityResult(Answer):
    domain = fields.String()
    status = fields.String(metadata={"description": "free, premium or active."})
    available = fields.Boolean()
    reason = _maybe(fields.String)


class Availability(Answer):
    results = fields.List(fields.Nested(AvailabilityResult))


class AuthCodeAnswer(Answer):
    domain = fields.String()
    auth_code = fields.String(metadata={"description": "Empty when the registry mailed it to the owner."})
    type = _maybe(fields.String)
    sent_to_owner = fields.Boolean()


class DnsTemplateRecord(Answer):
    id = fields.Integer()
    name = fields.String()


class DnsTemplates(Answer):
    templates = fields.List(fields.Nested(DnsTemplateRecord))


# -- the hook endpoint and the probes ----------------------------------------------------


class HookAnswer(Answer):
    id = fields.String(metadata={"description": "The webhook-id of the event."})
    status = fields.String(validate=validate.OneOf(["accepted", "duplicate"]))
    commands = fields.List(fields.Integer(), metadata={"description": "The commands enqueued (accepted only)."})


class Alive(Answer):
    status = fields.String(validate=validate.OneOf(["ok"]))


class Ready(Answer):
    status = fields.String(validate=validate.OneOf(["ready"]))
    revision = fields.String(metadata={"description": "The database schema's migration."})


# -- the registrar module's reads (listener.registrar_api) -------------------------------


class RegistrarSuggestionsQuery(Query):
    name = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}$", error="Not a domain label."),
                         metadata={"description": "The search term as one label, IDN in punycode (xn--…)."})
    tld = fields.List(fields.String(validate=validate.Regexp(r"^\.?[A-Za-z0-9][A-Za-z0-9.-]{0,62}$", error="Not an extension.")),
                      load_default=list, validate=validate.Length(max=MAX_DOMAINS_CHECKED),
                      metadata={"description": "Extensions to suggest in, such as com; all Openprovider offers when none."})
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=MAX_DOMAINS_CHECKED))


class RegistrarSyncQuery(Query):
    live = fields.String(validate=validate.OneOf(["1"]), metadata={"description": "1: read Openprovider, not the mirror."})


class HostRecordRowAnswer(Answer):
    hostname = fields.String(metadata={"description": "Relative to the domain; @ for the domain itself."})
    type = fields.String(metadata={"description": "A, AAAA, MX, CNAME or TXT: the types WHMCS's page shows."})
    address = fields.String()
    priority = fields.String(metadata={"description": "The MX priority; empty for other types."})
    recid = fields.String(metadata={"description": "The record as read, for SaveDNS to name what it changes."})


class RegistrarHostRecords(Answer):
    domain = fields.String()
    zone = fields.Boolean(metadata={"description": "Whether Openprovider has a DNS zone for the domain; "
                                                   "the first save creates one."})
    records = fields.List(fields.Nested(HostRecordRowAnswer))
    not_shown = fields.Dict(keys=fields.String(), values=fields.Integer(),
                            metadata={"description": "Records of other types, by type: kept, never written."})


class DnssecKeyAnswer(Answer):
    flags = fields.Integer(metadata={"description": "257: key-signing key, 256: zone-signing key."})
    alg = fields.Integer()
    protocol = fields.Integer()
    pub_key = fields.String()
    readonly = fields.Boolean(metadata={"description": "Kept by Openprovider; cannot be removed."})


class DnssecTldFacts(Answer):
    allowed = fields.Boolean(metadata={"description": "Whether the registry takes DNSSEC keys."})
    algorithms = fields.List(fields.Integer())
    max_keys = fields.Integer(metadata={"description": "The most keys a domain may have; 0: no limit given."})


class RegistrarDnssec(Answer):
    domain = fields.String()
    enabled = fields.Boolean()
    keys = fields.List(fields.Nested(DnssecKeyAnswer))
    tld = fields.Nested(DnssecTldFacts)
    refusals = fields.List(fields.String(), metadata={
        "description": "For a proposed change (action and key given): one sentence per limit it breaks."})


class RegistrarVerification(Answer):
    domain = fields.String()
    applies = fields.Boolean(metadata={"description": "Whether ICANN's verification covers the domain (a gTLD)."})
    status = _maybe(fields.String, metadata={"description": "Openprovider's status of the verification, if any."})
    email = _maybe(fields.String, metadata={"description": "The registrant's address being verified."})
    pending = fields.Boolean(metadata={"description": "Not confirmed yet: the domain is suspended on suspension_date."})
    suspended = fields.Boolean()
    suspension_date = _maybe(fields.Date)


class RegistrarDomain(Answer):
    domain = fields.String()
    status = fields.String(metadata={"description": "Openprovider's status, such as ACT."})
    whmcs_status = _maybe(fields.String)
    expiry_date = _maybe(fields.Date)
    nameservers = fields.List(fields.String(metadata={"description": "host, or host/ip"}))
    locked = fields.Boolean()
    lockable = fields.Boolean()
    id_protection = fields.Boolean()
    autorenew = fields.String()


class RegistrarContacts(Answer):
    domain = fields.String()
    contacts = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.String()),
                           metadata={"description": "By WHMCS role (Registrant, Admin, …), in WHMCS's field labels."})


class Price(Answer):
    amount = fields.String(metadata={"description": "A decimal number."})
    currency = fields.String()


class RegistrarCheckResult(AvailabilityResult):
    status = fields.String(metadata={"description": "free, premium, active or unsupported."})
    premium_price = fields.Nested(Price, allow_none=True)
    premium_renew_price = fields.Nested(Price, allow_none=True, metadata={
        "description": "A premium name's renewal cost for one year, from Openprovider's price list."})


class RegistrarAvailability(Answer):
    results = fields.List(fields.Nested(RegistrarCheckResult))


class TransferState(Answer):
    completed = fields.Boolean()
    failed = fields.Boolean()
    reason = fields.String()


class RegistrarSync(Answer):
    domain = fields.String()
    source = fields.String(validate=validate.OneOf(["mirror", "openprovider"]))
    checked_at = _maybe(fields.String, metadata={"description": "When the answer was read, UTC."})
    status = _maybe(fields.String)
    whmcs_status = _maybe(fields.String)
    expiry_date = _maybe(fields.Date)
    active = fields.Boolean()
    expired = fields.Boolean()
    transferred_away = fields.Boolean(metadata={"description": "The pull-sync last saw the domain active in "
                                                "this account, which no longer holds it."})
    transfer = fields.Nested(TransferState)


MAX_OUTCOME_WAIT = 20.0  # seconds; WHMCS's request (and gunicorn's 30 s timeout) must outlast it


class OutcomeQuery(Query):
    wait = fields.Float(load_default=0.0, validate=validate.Range(min=0, max=MAX_OUTCOME_WAIT), metadata={
        "description": f"Seconds to wait for the commands to end (0 to {MAX_OUTCOME_WAIT:g}); 0 answers at once."})


class OutcomeCommand(Answer):
    id = fields.Integer()
    type = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))
    last_error_code = _maybe(fields.String)
    last_error = _maybe(fields.String)


class EventOutcome(Answer):
    webhook_id = fields.String()
    state = fields.String(validate=validate.OneOf(["done", "dead", "pending"]), metadata={
        "description": "done: every command is done; dead: one is dead (reason says why); pending: still open "
                       "when the wait ended, or Openprovider is known to be away (its outcome is then written "
                       "into WHMCS when it comes)."})
    reason = _maybe(fields.String, metadata={"description": "Openprovider's code and sentence when dead, why "
                                              "Openprovider is taken to be away when pending."})
    openprovider_away = fields.Boolean()
    waited_ms = fields.Integer()
    domain = _maybe(fields.String)
    action = _maybe(fields.String, metadata={"description": "register, transfer, renew or change."})
    status = _maybe(fields.String, metadata={"description": "Openprovider's status of the domain once done."})
    whmcs_status = _maybe(fields.String)
    expiry_date = _maybe(fields.Date, metadata={"description": "The expiry Openprovider holds once a registration "
                                                 "or renewal is done (the expiry source setting's date)."})
    late_outcome_command = _maybe(fields.Integer, metadata={
        "description": "The command that writes the outcome into WHMCS when it comes (pending only)."})
    commands = fields.List(fields.Nested(OutcomeCommand))
