"""``set_private_nameserver``: a glue host under a domain gets its address, or goes.

Read, compare, write only the difference, like the other toggles: a redelivered or
replayed command finds the host as wanted and makes no call.
"""
from __future__ import annotations

from opclient import Nameserver
from outbox.handlers.lookup import OPENPROVIDER
from outbox.registry import Context, registry


@registry.register("set_private_nameserver", service=OPENPROVIDER)
def set_private_nameserver(context: Context) -> str:
    dns = context.services.openprovider.dns
    name, ip = context.payload["nameserver"], context.payload.get("ip")
    current = dns.nameserver(name)
    if ip is None:
        if current is None:
            return f"The nameserver {name} does not exist at Openprovider: nothing to delete."
        dns.delete_nameserver(name)
        return f"Deleted the nameserver {name}."
    wanted = Nameserver.at(name, ip)
    if current is None:
        dns.create_nameserver(wanted)
        return f"Created the nameserver {name} at {ip}."
    if (current.ip, current.ip6) == (wanted.ip, wanted.ip6):
        return f"The nameserver {name} is already at {ip}: nothing to change."
    dns.update_nameserver(wanted)
    return f"Moved the nameserver {name} to {ip}."
