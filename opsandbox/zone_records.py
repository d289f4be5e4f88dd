"""A zone's records and the four ways ``PUT /dns/zones/{name}`` changes them.

Records are kept with names relative to the zone (``""`` for the apex, ``www``), the way
requests send them; answers give full names (``www.example.com``), which is what the
official module strips the domain from when it reads a zone. A record in a request may
name itself either way. Two records are the same when name, type, value and (for MX and
SRV) priority agree; the TTL is a property of a record, not part of who it is.

SOA and the apex NS records are Openprovider's own: made with the zone, never changed
through the API.
"""
from __future__ import annotations

import ipaddress
from datetime import datetime

from .errors import ApiError, invalid_request

RECORD_TYPES = ("A", "AAAA", "CAA", "CNAME", "MX", "NS", "SOA", "SPF", "SRV", "SSHFP", "TLSA", "TXT")
PRIORITISED = ("MX", "SRV")
# Openprovider stores any other TTL as a day.
ALLOWED_TTLS = (900, 3600, 10800, 21600, 43200, 86400)
DEFAULT_TTL = 86400
DEFAULT_PRIO = 10
OPENPROVIDER_NAMESERVERS = ("ns1.openprovider.nl", "ns2.openprovider.be", "ns3.openprovider.eu")
DUPLICATE_RECORD = 817


def automatic_records(zone: str, now: datetime) -> list[dict]:
    """The SOA and apex NS records Openprovider puts in every master zone."""
    soa = (f"{OPENPROVIDER_NAMESERVERS[0]} dns.openprovider.eu {now:%Y%m%d}01 10800 3600 604800 3600")
    return [_record("", "SOA", soa, 0, 3600)] + [
        _record("", "NS", server, 0, 86400) for server in OPENPROVIDER_NAMESERVERS]


def stored(zone: str, record: dict, where: str) -> dict:
    """A record of a request, checked, with a relative name and an allowed TTL."""
    kind = str(record.get("type", "")).upper()
    if kind not in RECORD_TYPES:
        raise invalid_request(f"{where}.type: must be one of {', '.join(RECORD_TYPES)}")
    value = str(record.get("value", "")).strip()
    if not value:
        raise invalid_request(f"{where}.value: a record needs a value")
    if kind in ("A", "AAAA"):
        _check_address(kind, value, where)
    name = relative_name(zone, str(record.get("name", "")))
    if kind == "CNAME" and name == "":
        raise invalid_request(f"{where}: the apex of {zone} cannot be a CNAME")
    ttl = record.get("ttl", DEFAULT_TTL)
    prio = record.get("prio") if kind in PRIORITISED else 0
    return _record(name, kind, value, DEFAULT_PRIO if prio is None else prio,
                   ttl if ttl in ALLOWED_TTLS else DEFAULT_TTL)


def relative_name(zone: str, name: str) -> str:
    name = name.strip().rstrip(".").lower()
    if name in ("", "@", zone):
        return ""
    return name[: -len(zone) - 1] if name.endswith("." + zone) else name


def rendered(zone: str, record: dict) -> dict:
    name = f"{record['name']}.{zone}" if record["name"] else zone
    return {**record, "name": name}


def apply_updates(zone: str, records: list[dict], updates: dict) -> list[dict]:
    """``records`` after ``replace``, ``remove``, ``update`` and ``add``, in that order,
    or an ApiError naming the first entry that cannot be applied (nothing changes then)."""
    kept = list(records)
    if "replace" in updates:
        replacing = [_editable(zone, stored(zone, r, f"records.replace[{i}]"), f"records.replace[{i}]")
                     for i, r in enumerate(updates["replace"])]
        kept = [r for r in kept if _automatic(r)] + replacing
    for index, record in enumerate(updates.get("remove", [])):
        where = f"records.remove[{index}]"
        kept.pop(_position(zone, kept, _editable(zone, stored(zone, record, where), where), where))
    for index, change in enumerate(updates.get("update", [])):
        where = f"records.update[{index}]"
        original = _editable(zone, stored(zone, change.get("original_record", {}), f"{where}.original_record"), where)
        position = _position(zone, kept, original, f"{where}.original_record")
        replacement = _editable(zone, stored(zone, change.get("record", {}), f"{where}.record"), where)
        kept[position] = replacement
        _refuse_duplicate(kept, replacement, position, where)
    for index, record in enumerate(updates.get("add", [])):
        where = f"records.add[{index}]"
        added = _editable(zone, stored(zone, record, where), where)
        kept.append(added)
        _refuse_duplicate(kept, added, len(kept) - 1, where)
    return kept


def _record(name: str, kind: str, value: str, prio: int, ttl: int) -> dict:
    return {"name": name, "type": kind, "value": value, "prio": prio, "ttl": ttl}


def _identity(record: dict) -> tuple:
    prio = record["prio"] if record["type"] in PRIORITISED else 0
    return record["name"], record["type"], record["value"].lower() if record["type"] != "TXT" else record["value"], prio


def _automatic(record: dict) -> bool:
    return record["type"] == "SOA" or (record["type"] == "NS" and record["name"] == "")


def _editable(zone: str, record: dict, where: str) -> dict:
    if _automatic(record):
        raise invalid_request(f"{where}: the SOA and apex NS records of {zone} are Openprovider's and cannot be changed")
    return record


def _position(zone: str, records: list[dict], wanted: dict, where: str) -> int:
    for position, record in enumerate(records):
        if _identity(record) == _identity(wanted):
            return position
    raise invalid_request(f"{where}: {zone} has no {wanted['type']} record {wanted['name'] or '@'} {wanted['value']}")


def _refuse_duplicate(records: list[dict], record: dict, position: int, where: str) -> None:
    if any(_identity(other) == _identity(record) for i, other in enumerate(records) if i != position):
        raise ApiError(DUPLICATE_RECORD, f"{where}: {record['type']} {record['name'] or '@'} {record['value']}")


def _check_address(kind: str, value: str, where: str) -> None:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        address = None
    if address is None or address.version != (4 if kind == "A" else 6):
        raise invalid_request(f"{where}.value: {value!r} is not an IPv{4 if kind == 'A' else 6} address")
