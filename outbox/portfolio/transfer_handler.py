"""The command that transfers one domain of a bulk transfer in.

It waits for its turn under the shared pace, reads the nameservers the domain has at the
losing registrar (the registry's whois, through Openprovider's check) unless the file
asked for others, and places the transfer with them: a customer's DNS never moves to
the defaults by accident. The order itself is the registrar handlers' ``order_once``:
a retry, or a second worker after a crash, finds the domain in the account and adopts
it rather than transferring it twice.
"""
from __future__ import annotations

from opclient import split_domain
from outbox.handlers.domains import order_once
from outbox.handlers.lookup import OPENPROVIDER
from outbox.portfolio.pacing import pace
from outbox.registry import Context, PermanentFailure, registry

TRANSFER_IN = "portfolio_transfer"
PACE = "openprovider-transfer-in"
KEEP, DEFAULT, GIVEN = "keep", "default", "given"
# check, lookup, transfer; and a handle's creation when the file gave a contact.
CALLS = 3


@registry.register(TRANSFER_IN, service=OPENPROVIDER)
def transfer_in(context: Context) -> str:
    payload, services = context.payload, context.services
    pace(services.engine, PACE, CALLS + (0 if payload.get("handle") else 1), services.settings.transfer_calls_per_second)
    policy = payload.get("nameserver_policy", KEEP)
    if policy == KEEP:
        # For this try's order only; the state keeps what was read, so a retry reads nothing twice.
        payload["nameservers"] = context.state.get("nameservers") or losing_nameservers(context)
    elif policy == DEFAULT:
        payload["nameservers"] = list(services.settings.default_nameservers)
    auth_code = services.sealer.open(payload.get("epp_code"))
    return order_once(context, lambda domains, name, details: domains.transfer(name, details, auth_code=auth_code))


def losing_nameservers(context: Context) -> list[str]:
    name = split_domain(context.payload["domain"])
    [found] = context.services.openprovider.domains.check([name])
    if found.is_available:
        raise PermanentFailure(f"{name} is not registered anywhere: register it instead of transferring it.",
                               "domain_free")
    servers = list(found.whois_name_servers)
    if len(servers) < 2:
        raise PermanentFailure(
            f"The nameservers of {name} at its current registrar could not be read (the whois shows "
            f"{len(servers)}); give them in the file's nameservers column, or 'default' to use opbridge's.",
            "nameservers_unknown")
    context.save_state(nameservers=servers)
    return servers
