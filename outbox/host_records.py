"""WHMCS's DNS page and Openprovider's zone: the rows WHMCS shows, and the changes a save makes.

WHMCS's host-record page (``GetDNS``/``SaveDNS``) shows hostname, type, address and an MX
priority, and offers the types A, AAAA, MX, CNAME, TXT, MXE, URL and FRAME. It has no TTL
and no other record type, and it sends back every row it showed. So:

- only A, AAAA, MX, CNAME and TXT records are shown; every other record (SOA, NS, SRV,
  CAA, TLSA, SSHFP, SPF, DS, …) stays out of WHMCS's reach and is never written;
- each shown row carries, in WHMCS's own ``recid``, the record as it was read (TTL
  included) and when, so a save says exactly which record it changes, from what, and
  from which read;
- a save becomes a list of changes (add, remove, update from original to new) of the
  rows that differ; the handler checks each against the zone as it is when it runs.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import ipaddress
import json
from collections.abc import Iterable, Sequence
from typing import Any

from opclient import DnsRecord
from opclient.names import InvalidDomainName, to_ascii

SHOWN_TYPES = ("A", "AAAA", "MX", "CNAME", "TXT")
PRIORITISED = ("MX", "SRV")
HOST_VALUED = ("CNAME", "MX", "NS")
# WHMCS's page has no TTL: a new record gets an hour, a changed one keeps its own.
NEW_RECORD_TTL = 3600
DEFAULT_MX_PRIORITY = 10
RECID_PREFIX = "op1."
APEX = "@"
UNSUPPORTED_TYPES = {
    "MXE": "WHMCS's MXE (mail easy) record has no Openprovider equivalent: add an A record for a mail host "
           "and an MX record that points to it",
    "URL": "Openprovider's DNS offers no URL redirect records: point the host at a web server that redirects",
    "FRAME": "Openprovider's DNS offers no URL frame records: point the host at a web server that frames the site",
}


class InvalidRow(ValueError):
    """A row of WHMCS's DNS form that cannot become a record; the message says why."""


@dataclasses.dataclass(frozen=True)
class Change:
    """One row's change: add (no original), remove (no record) or update (both). ``read_at``
    (Unix seconds) is when the page showing the original was read."""

    original: DnsRecord | None
    record: DnsRecord | None
    read_at: int | None = None

    def as_payload(self) -> dict[str, Any]:
        return {"original": _plain(self.original), "record": _plain(self.record), "read_at": self.read_at}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Change:
        return cls(_record(data.get("original")), _record(data.get("record")), data.get("read_at"))

    def conflicts_with(self, other: Change) -> bool:
        """Whether both change the same record as read, to different ends."""
        if self.original is None or other.original is None or not same_record(self.original, other.original):
            return False
        if self.record is None or other.record is None:
            return (self.record is None) != (other.record is None)
        return not same_record(self.record, other.record)


def shown_rows(zone: str, records: Iterable[DnsRecord], read_at: int) -> list[dict[str, str]]:
    """The records WHMCS's page can show, as its rows: hostname, type, address, priority, recid."""
    return [
        {
            "hostname": record.name or APEX,
            "type": record.type,
            "address": record.value,
            "priority": str(record.prio) if record.type == "MX" and record.prio is not None else "",
            "recid": recid(record, read_at),
        }
        for record in records if record.type in SHOWN_TYPES
    ]


def recid(record: DnsRecord, read_at: int) -> str:
    """The record as read, and when, in a token WHMCS carries back untouched in its hidden field."""
    parts = [record.name, record.type, record.value, record.prio, record.ttl, read_at]
    text = json.dumps(parts, separators=(",", ":"))
    return RECID_PREFIX + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def read_recid(token: str) -> tuple[DnsRecord, int]:
    if not token.startswith(RECID_PREFIX):
        raise InvalidRow("its recid was not made by opbridge's GetDNS")
    body = token[len(RECID_PREFIX):]
    try:
        name, kind, value, prio, ttl, read_at = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise InvalidRow("its recid was not made by opbridge's GetDNS") from None
    if kind not in SHOWN_TYPES or not all(isinstance(v, str) for v in (name, value)) or not isinstance(read_at, int):
        raise InvalidRow("its recid names a record WHMCS's page does not show")
    return DnsRecord(name, kind, value, ttl=ttl, prio=prio), read_at


def changes(zone: str, rows: Sequence[dict[str, Any]]) -> list[Change]:
    """The changes a SaveDNS makes: one per row that differs from the record it was read as.
    A row with an empty address removes its record; a row without recid is new."""
    found = []
    for index, row in enumerate(rows):
        try:
            change = _row_change(zone, row)
        except InvalidRow as error:
            raise InvalidRow(f"Row {index + 1} ({row.get('hostname') or APEX} {row.get('type') or ''}): {error}.") from None
        if change is not None:
            found.append(change)
    return found


def _row_change(zone: str, row: dict[str, Any]) -> Change | None:
    token = str(row.get("recid") or "").strip()
    original, read_at = read_recid(token) if token else (None, None)
    address = str(row.get("address") or "").strip()
    if not address:
        return Change(original, None, read_at) if original else None
    record = _row_record(zone, row, address, original)
    if original is not None and same_record(original, record):
        return None
    return Change(original, record, read_at)


def _row_record(zone: str, row: dict[str, Any], address: str, original: DnsRecord | None) -> DnsRecord:
    kind = str(row.get("type") or "").strip().upper()
    if kind in UNSUPPORTED_TYPES:
        raise InvalidRow(UNSUPPORTED_TYPES[kind])
    if kind not in SHOWN_TYPES:
        raise InvalidRow(f"the type must be one of {', '.join(SHOWN_TYPES)}")
    name = host_name(zone, str(row.get("hostname") or ""))
    if kind in ("A", "AAAA"):
        address = _address(kind, address)
    elif kind in HOST_VALUED:
        address = address.rstrip(".")
    if kind == "CNAME" and name == "":
        raise InvalidRow(f"the apex of {zone} cannot be a CNAME; use an A or AAAA record")
    prio = _priority(row.get("priority")) if kind == "MX" else None
    ttl = original.ttl if original is not None and original.ttl else NEW_RECORD_TTL
    return DnsRecord(name, kind, address, ttl=ttl, prio=prio)


def host_name(zone: str, hostname: str) -> str:
    """A WHMCS hostname as Openprovider names records: relative to the zone, ``""`` for the
    apex (``@``, empty, or the domain itself), Unicode labels in punycode."""
    name = hostname.strip().rstrip(".").lower()
    if name in ("", APEX, zone):
        return ""
    if name.endswith("." + zone):
        name = name[: -len(zone) - 1]
    labels = []
    for label in name.split("."):
        if not label or len(label) > 63:
            raise InvalidRow(f"{hostname!r} is not a host name")
        if label.isascii():
            labels.append(label)
            continue
        try:
            labels.append(to_ascii(label))
        except InvalidDomainName:
            raise InvalidRow(f"{hostname!r} is not a host name") from None
    return ".".join(labels)


def same_record(one: DnsRecord, other: DnsRecord) -> bool:
    """Whether two records are the same record: name, type, value and, for MX and SRV,
    priority. The TTL is not part of who a record is."""
    return _identity(one) == _identity(other)


def _identity(record: DnsRecord) -> tuple:
    value = record.value if record.type == "TXT" else record.value.rstrip(".").lower()
    prio = (record.prio or 0) if record.type in PRIORITISED else 0
    return record.name.lower(), record.type, value, prio


def _address(kind: str, text: str) -> str:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        address = None
    if address is None or address.version != (4 if kind == "A" else 6):
        raise InvalidRow(f"{text!r} is not an IPv{4 if kind == 'A' else 6} address")
    return str(address)


def _priority(value: Any) -> int:
    text = str(value if value is not None else "").strip()
    if text in ("", "N/A"):
        return DEFAULT_MX_PRIORITY
    if not text.isdigit() or int(text) > 65535:
        raise InvalidRow(f"the priority {text!r} must be a number from 0 to 65535")
    return int(text)


def _plain(record: DnsRecord | None) -> dict[str, Any] | None:
    return None if record is None else dataclasses.asdict(record)


def _record(data: dict[str, Any] | None) -> DnsRecord | None:
    return None if data is None else DnsRecord(**data)
