"""A domain's DNSSEC keys, one added or removed at a time, within what its TLD takes.

The TLD's facts (``dnssec_allowed``, ``dnssec_keys_allowed``, ``dnssec_algorithms``,
``dnssec_max_records_amount``) come from opbridge's TLD catalogue, or from Openprovider
when the catalogue has not been filled yet; each limit a change would break gets its own
sentence. The registrar module asks for these sentences before it sends a change, and
the ``set_dnssec_key`` handler asks again against the domain as it is when it runs.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from opclient import DnssecKey
from opclient.types import Domain, Tld
from outbox.catalogue.entries import TldEntry, entry_for

ACTIONS = ("add", "remove")
KEY_FLAGS = {256: "ZSK", 257: "KSK"}
DNSSEC_PROTOCOL = 3


@dataclasses.dataclass(frozen=True)
class Limits:
    """What a TLD's registry takes in DNSSEC keys."""

    extension: str
    allowed: bool
    algorithms: tuple[int, ...]
    max_keys: int  # 0: no limit given

    @classmethod
    def from_tld(cls, tld: Tld) -> Limits:
        return cls(tld.name, tld.dnssec_allowed and tld.dnssec_keys_allowed, tld.dnssec_algorithms,
                   tld.dnssec_max_records_amount)

    @classmethod
    def from_catalogue(cls, entry: TldEntry) -> Limits:
        facts = entry.dnssec
        return cls(entry.name, bool(facts.get("allowed") and facts.get("keys_allowed")),
                   tuple(int(alg) for alg in facts.get("algorithms") or ()), int(facts.get("max_records") or 0))

    def as_answer(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "algorithms": list(self.algorithms), "max_keys": self.max_keys}


def limits_for(services: Any, openprovider: Any, extension: str) -> Limits:
    """The catalogue's facts for ``extension``, or Openprovider's while the catalogue lacks it."""
    entry = entry_for(services.engine, extension)
    return Limits.from_catalogue(entry) if entry else Limits.from_tld(openprovider.tlds.get(extension))


def refusals(domain: Domain, limits: Limits, action: str, key: DnssecKey) -> list[str]:
    """Why ``action`` with ``key`` cannot be done to ``domain``: one sentence per limit; none when it can."""
    name, extension = domain.domain.ascii, limits.extension
    if action == "remove":
        held = _held(domain, key)
        if held is not None and held.readonly:
            return [f"This key of {name} is kept by Openprovider (read-only) and cannot be removed."]
        return []
    if _held(domain, key) is not None:
        return []  # already there: adding it again changes nothing
    sentences = []
    if not limits.allowed:
        sentences.append(f"The .{extension} registry takes no DNSSEC keys, so none can be added to {name}.")
    elif key.alg not in limits.algorithms:
        allowed = ", ".join(str(alg) for alg in limits.algorithms) or "none"
        sentences.append(f"The .{extension} registry does not take algorithm {key.alg}; it takes {allowed}.")
    if limits.max_keys and len(domain.dnssec_keys) >= limits.max_keys:
        sentences.append(f"{name} already has {len(domain.dnssec_keys)} keys, the most the .{extension} registry "
                         "takes: remove one first.")
    return sentences


def keys_after(domain: Domain, action: str, key: DnssecKey) -> tuple[DnssecKey, ...]:
    """The domain's key set once ``action`` is done; unchanged when it is done already."""
    if action == "add":
        return domain.dnssec_keys if _held(domain, key) else (*domain.dnssec_keys, key)
    return tuple(held for held in domain.dnssec_keys if not held.same_key(key))


def described(key: DnssecKey) -> str:
    return f"{KEY_FLAGS.get(key.flags, key.flags)} (flags {key.flags}, algorithm {key.alg})"


def _held(domain: Domain, key: DnssecKey) -> DnssecKey | None:
    return next((held for held in domain.dnssec_keys if held.same_key(key)), None)
