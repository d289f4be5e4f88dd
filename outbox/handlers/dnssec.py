"""``set_dnssec_key``: one DNSSEC key added to or removed from a domain.

Reads the domain and its TLD's facts, refuses (with the sentences of ``outbox.dnssec``) what the
TLD does not take, and writes the whole new key set only when it differs: a redelivered
or replayed command finds its key there (or gone) and writes nothing.
"""
from __future__ import annotations

from opclient import DnssecKey
from outbox.dnssec import described, keys_after, limits_for, refusals
from outbox.handlers.lookup import OPENPROVIDER, require_active, require_domain
from outbox.registry import Context, PermanentFailure, registry


@registry.register("set_dnssec_key", service=OPENPROVIDER)
def set_dnssec_key(context: Context) -> str:
    payload = context.payload
    action = payload["action"]
    key = DnssecKey(flags=payload["flags"], alg=payload["alg"], protocol=payload["protocol"], pub_key=payload["pub_key"])
    domain = require_domain(context, "have its DNSSEC keys changed")
    limits = limits_for(context.services, context.services.openprovider, domain.domain.extension)
    refused = refusals(domain, limits, action, key)
    if refused:
        raise PermanentFailure(" ".join(refused), "dnssec_refused")
    wanted = keys_after(domain, action, key)
    if wanted == domain.dnssec_keys:
        state = "has" if action == "add" else "does not have"
        return f"{domain.domain} already {state} the DNSSEC key {described(key)}: nothing to change."
    require_active(domain, "have its DNSSEC keys changed")
    context.services.openprovider.domains.update(domain.id, dnssec_keys=wanted)
    done = "added to" if action == "add" else "removed from"
    return f"The DNSSEC key {described(key)} was {done} {domain.domain}; it has {len(wanted)} key(s) now."
