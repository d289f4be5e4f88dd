"""Reading the selected domains from Openprovider: one paged listing, or many lookups.

A listing costs one call per thousand domains of the whole account; lookups cost one
call per selected domain, ``concurrency`` at a time. Whichever needs fewer round trips
is used, so a 200-domain run on a big account pages through it, and a run of a few
domains looks them up.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any

from core.settings import Settings
from opclient import Domain, DomainNotFound, OpenproviderClient, OpenproviderError
from opclient.domains import MAX_PAGE_SIZE
from outbox import calllog
from outbox.sync.decisions import OpenproviderSide
from outbox.sync.parallel import map_bounded

Progress = Callable[[int, int], None]


@dataclasses.dataclass
class Readings:
    found: dict[str, OpenproviderSide] = dataclasses.field(default_factory=dict)
    missing: set[str] = dataclasses.field(default_factory=set)
    failed: dict[str, str] = dataclasses.field(default_factory=dict)  # name -> why it could not be read
    strategy: str = ""
    calls: int = 0


def reading_client(settings: Settings, concurrency: int) -> OpenproviderClient:
    """A client whose calls are counted but kept in no call log: the record of one listing page
    would copy and redact a thousand domains, which costs more than the call. It shares the
    account's token."""
    return OpenproviderClient.from_settings(settings, pool_size=max(concurrency, 1), on_call=calllog.count,
                                            record_bodies=False)


def use_listing(batch_size: int, account_size: int, concurrency: int) -> bool:
    """True when paging through the account takes no more round trips than the lookups."""
    pages = max(1, math.ceil(account_size / MAX_PAGE_SIZE))
    rounds = math.ceil(batch_size / max(1, concurrency))
    return pages <= rounds


def openprovider_side(domain: Domain, expiry_source: str) -> OpenproviderSide:
    def day(field: str):  # noqa: ANN202 - a date or None
        moment = getattr(domain, field)
        return None if moment is None else moment.date()  # the calendar date in Amsterdam

    return OpenproviderSide(
        domain_id=domain.id,
        status=sys.intern(domain.status),  # a few distinct values, each decoded anew per domain otherwise
        expiry_date=day(expiry_source),
        expiration_date=day("expiration_date"),
        renewal_date=day("renewal_date"),
        autorenew=sys.intern(domain.autorenew),
        private_whois=domain.is_private_whois_enabled,
        private_whois_allowed=domain.is_private_whois_allowed,
        soft_quarantine_until=domain.soft_quarantine_expiry_date,
        hard_quarantine_until=domain.hard_quarantine_expiry_date,
        is_deleted=domain.is_deleted,
        name_servers=",".join(server.text for server in domain.name_servers),
        locked=domain.is_locked if domain.is_lockable else None,
    )


def read_domains(
    client: OpenproviderClient,
    names: Sequence[str],
    *,
    account_size: int,
    concurrency: int,
    expiry_source: str,
    progress: Progress | None = None,
) -> Readings:
    if not names:
        return Readings(strategy="none")
    if use_listing(len(names), account_size, concurrency):
        return _by_listing(client, names, expiry_source, progress)
    return _by_lookups(client, names, concurrency, expiry_source, progress)


def _by_listing(client: OpenproviderClient, names: Sequence[str], expiry_source: str,
                progress: Progress | None) -> Readings:
    wanted = set(names)
    readings = Readings(strategy="listing")
    try:
        # only what the decisions read: a whole Domain weighs several times more
        chosen, readings.calls = list_account(client, lambda domain: openprovider_side(domain, expiry_source),
                                              wanted.__contains__, progress)
    except OpenproviderError as error:
        readings.failed = {name: f"Openprovider could not be read: {error}" for name in names}
        return readings
    readings.found = chosen
    readings.missing = wanted - set(chosen)
    return readings


def list_account(client: OpenproviderClient, side: Callable[[Domain], Any],
                 wanted: Callable[[str], bool] = lambda name: True,
                 progress: Progress | None = None) -> tuple[dict[str, Any], int]:
    """``side(domain)`` of every wanted name the account lists, paged a thousand at a time,
    and the calls it took; raises what the listing raises."""
    chosen: dict[str, Any] = {}
    calls = 0
    for page in client.domains.pages(limit=MAX_PAGE_SIZE):
        calls += 1
        for domain in page.items:
            name = domain.domain.ascii
            if wanted(name):
                value = side(domain)
                if _preferred(value, chosen.get(name)):
                    chosen[name] = value
        if progress:
            progress(page.offset + len(page.items), page.total)
    return chosen, calls


def _preferred(candidate: Any, current: Any) -> bool:
    """One name may be listed twice (a purged registration and a new one): the live, newest wins.
    Both are ``OpenproviderSide``s, or carry one first in a tuple."""
    if current is None:
        return True
    new, old = (value[0] if isinstance(value, tuple) else value for value in (candidate, current))
    return (not new.is_deleted, new.domain_id) > (not old.is_deleted, old.domain_id)


def _by_lookups(client: OpenproviderClient, names: Sequence[str], concurrency: int, expiry_source: str,
                progress: Progress | None) -> Readings:
    readings = Readings(strategy="lookups", calls=len(names))
    finished = itertools.count(1)  # next() on a count is atomic, so threads may share it

    def look_up(name: str) -> tuple[str, Domain | None, str | None]:
        try:
            result = name, client.domains.find(name), None
        except DomainNotFound:
            result = name, None, None
        except OpenproviderError as error:
            result = name, None, f"Openprovider could not be read: {error}"
        if progress:
            progress(next(finished), len(names))
        return result

    for name, domain, failure in map_bounded(look_up, names, concurrency):
        if failure:
            readings.failed[name] = failure
        elif domain is None:
            readings.missing.add(name)
        else:
            readings.found[name] = openprovider_side(domain, expiry_source)
    return readings
