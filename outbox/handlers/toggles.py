"""Autorenew, ID protection, lock and nameservers: read, compare, write only the difference.

A redelivered or replayed toggle, or a pull-sync push Openprovider already agrees with,
costs one read and no write.
"""
from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from opclient import Nameserver
from opclient.types import Domain
from outbox.handlers.lookup import OPENPROVIDER, require_active, require_domain
from outbox.handlers.orders import nameservers
from outbox.registry import Context, PermanentFailure, registry

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Setting(Generic[T]):
    label: str
    wanted: Callable[[Context], T]
    current: Callable[[Domain], T]
    update: Callable[[T], dict[str, Any]]  # keyword arguments of client.domains.update
    refusal: Callable[[Domain, T], str | None] = lambda domain, value: None  # why it cannot be set
    same: Callable[[T, T], bool] = operator.eq
    shown: Callable[[T], str] = str


def write_difference(context: Context, setting: Setting[T]) -> str:
    domain = require_domain(context, f"have its {setting.label} changed")
    wanted, current = setting.wanted(context), setting.current(domain)
    if setting.same(current, wanted):
        return f"The {setting.label} of {domain.domain} is already {setting.shown(wanted)}: nothing to change."
    refusal = setting.refusal(domain, wanted)
    if refusal:
        raise PermanentFailure(refusal, "not_supported")
    require_active(domain, f"have its {setting.label} changed")
    context.services.openprovider.domains.update(domain.id, **setting.update(wanted))
    return f"The {setting.label} of {domain.domain} went from {setting.shown(current)} to {setting.shown(wanted)}."


def _renews(autorenew: str) -> str:
    # "on" and "default" both leave renewing to Openprovider; only "off" stops it, so an
    # explicit "on" set in the control panel is not rewritten for nothing.
    return "off" if autorenew == "off" else "default"


AUTORENEW = Setting[str](
    label="autorenew",
    wanted=lambda context: "default" if context.payload["autorenew"] else "off",
    current=lambda domain: _renews(domain.autorenew),
    update=lambda value: {"autorenew": value},
)

ID_PROTECTION = Setting[bool](
    label="ID protection",
    wanted=lambda context: bool(context.payload["enabled"]),
    current=lambda domain: domain.is_private_whois_enabled,
    update=lambda value: {"is_private_whois_enabled": value},
    refusal=lambda domain, value: None if domain.is_private_whois_allowed else (
        f"ID protection (private WHOIS) is not available for .{domain.domain.extension} domains, "
        f"so it cannot be turned on for {domain.domain}."),
    shown=lambda value: "on" if value else "off",
)

LOCK = Setting[bool](
    label="registrar lock",
    wanted=lambda context: bool(context.payload["locked"]),
    current=lambda domain: domain.is_locked,
    update=lambda value: {"is_locked": value},
    refusal=lambda domain, value: None if domain.is_lockable else (
        f"The .{domain.domain.extension} registry does not support locking, so {domain.domain} cannot be locked."),
    shown=lambda value: "locked" if value else "unlocked",
)


def _same_nameservers(current: Sequence[Nameserver], wanted: Sequence[Nameserver]) -> bool:
    """Same hosts in the same order; an address counts only where the event gives one."""
    return len(current) == len(wanted) and all(
        have.name.lower() == want.name.lower() and (not want.ip or have.ip == want.ip)
        and (not want.ip6 or have.ip6.lower() == want.ip6.lower())
        for have, want in zip(current, wanted)
    )


NAMESERVERS = Setting[tuple[Nameserver, ...]](
    label="nameservers",
    wanted=lambda context: nameservers(context.payload.get("nameservers")
                                       or context.services.settings.default_nameservers),
    current=lambda domain: domain.name_servers,
    update=lambda value: {"name_servers": value},
    same=_same_nameservers,
    shown=lambda servers: ", ".join(server.name for server in servers) or "none",
)


@registry.register("set_autorenew", service=OPENPROVIDER)
def set_autorenew(context: Context) -> str:
    return write_difference(context, AUTORENEW)


@registry.register("set_id_protection", service=OPENPROVIDER)
def set_id_protection(context: Context) -> str:
    return write_difference(context, ID_PROTECTION)


@registry.register("set_lock", service=OPENPROVIDER)
def set_lock(context: Context) -> str:
    return write_difference(context, LOCK)


@registry.register("set_nameservers", service=OPENPROVIDER)
def set_nameservers(context: Context) -> str:
    return write_difference(context, NAMESERVERS)
