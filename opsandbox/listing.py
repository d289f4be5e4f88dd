"""Filtering, sorting and paging for the list endpoints."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from .errors import invalid_request
from .models import Domain

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

DOMAIN_ORDER: dict[str, Callable[[Domain], object]] = {
    "id": lambda d: d.id,
    "domain_name": lambda d: d.name,
    "domain_extension": lambda d: d.extension,
    "order_date": lambda d: d.order_date,
    "active_date": lambda d: d.active_date or EPOCH,
    "expiration_date": lambda d: d.expiration_date,
    "renewal_date": lambda d: d.renewal_date,
    "status": lambda d: d.status,
    "transfer_date": lambda d: d.order_date if d.type == "TRANSFER" else EPOCH,
}


def wildcard(pattern: str) -> Callable[[str], bool]:
    """Openprovider's ``*`` patterns, matched whole and without regard to case."""
    regex = re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.IGNORECASE)
    return lambda text: regex.fullmatch(text or "") is not None


def page(items: Sequence, query: dict, max_limit: int = MAX_LIMIT) -> list:
    limit = query.get("limit", DEFAULT_LIMIT)
    offset = query.get("offset", 0)
    if not 0 < limit <= max_limit:
        raise invalid_request(f"limit: must be between 1 and {max_limit}")
    if offset < 0:
        raise invalid_request("offset: must not be negative")
    return list(items[offset:offset + limit])


def domain_filters(query: dict) -> list[Callable[[Domain], bool]]:
    tests = []
    if "full_name" in query:
        tests.append(lambda d, full=query["full_name"].lower(): d.full_name == full)
    if "domain_name_pattern" in query:
        tests.append(lambda d, match=wildcard(query["domain_name_pattern"]): match(d.name))
    if "extension" in query:
        tests.append(lambda d, ext=query["extension"].lower(): d.extension == ext)
    if "status" in query:
        tests.append(lambda d, status=query["status"].upper(): d.status == status)
    if "status_not_equal" in query:
        excluded = {status.upper() for status in query["status_not_equal"]}
        tests.append(lambda d: d.status not in excluded)
    if "id" in query:
        tests.append(lambda d, wanted=query["id"]: d.id == wanted)
    if "contact_handle" in query:
        tests.append(lambda d, handle=query["contact_handle"]: handle in d.handles.values())
    if "comment_pattern" in query:
        tests.append(lambda d, match=wildcard(query["comment_pattern"]): match(d.comments))
    if "ns_group_pattern" in query:
        tests.append(lambda d, match=wildcard(query["ns_group_pattern"]): match(d.ns_group))
    return tests


def exact_name(query: dict) -> str | None:
    """The one name a query can only match, when it names one (the WHMCS lookup)."""
    if "full_name" in query:
        return query["full_name"].lower()
    pattern = query.get("domain_name_pattern", "*")
    if "*" not in pattern and "extension" in query:
        return f"{pattern}.{query['extension']}".lower()
    return None


def sort_key(query: dict, keys: dict[str, Callable]) -> tuple[Callable, bool]:
    """The ``order_by.<field>=asc|desc`` requested (by id when none); the key and reverse."""
    orders = [(name.removeprefix("order_by."), direction) for name, direction in query.items()
              if name.startswith("order_by.")]
    if len(orders) > 1:
        raise invalid_request("order_by: the sandbox sorts by one field at a time")
    field, direction = orders[0] if orders else ("id", "asc")
    if field not in keys or direction.lower() not in ("asc", "desc"):
        raise invalid_request(f"order_by.{field}: must be asc or desc")
    return keys[field], direction.lower() == "desc"
