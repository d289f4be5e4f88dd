"""A domain's DNSSEC keys, one added or removed at a time, within what its TLD takes.

The TLD's facts (``dnssec_allowed``, ``dnssec_keys_allowed``, ``dnssec_algorithms``,
``dnssec_max_records_amount``) are read from Openprovider's TLD; each limit a change
would break gets its own sentence. The registrar module asks for these sentences before
it sends a change, and the ``set_dnssec_key`` handler asks again against the domain as it
is when it runs.
"""
from __future__ import annotations

from opclient import DnssecKey
from opclient.types import Domain, Tld

ACTIONS = ("add", "remove")
KEY_FLAGS = {256: "ZSK", 257: "KSK"}
DNSSEC_PROTOCOL = 3


def refusals(domain: Domain, tld: Tld, action: str, key: DnssecKey) -> list[str]:
    """Why ``action`` with ``key`` cannot be done to ``domain``: one sentence per limit; none when it can."""
    name, extension = domain.domain.ascii, tld.name
    if action == "remove":
        held = _held(domain, key)
        if held is not None and held.readonly:
            return [f"This key of {name} is kept by Openprovider (read-only) and cannot be removed."]
        return []
    if _held(domain, key) is not None:
        return []  # already there: adding it again changes nothing
    sentences = []
    if not (tld.dnssec_allowed and tld.dnssec_keys_allowed):
        sentences.append(f"The .{extension} registry takes no DNSSEC keys, so none can be added to {name}.")
    elif key.alg not in tld.dnssec_algorithms:
        allowed = ", ".join(str(alg) for alg in tld.dnssec_algorithms) or "none"
        sentences.append(f"The .{extension} registry does not take algorithm {key.alg}; it takes {allowed}.")
    if tld.dnssec_max_records_amount and len(domain.dnssec_keys) >= tld.dnssec_max_records_amount:
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
