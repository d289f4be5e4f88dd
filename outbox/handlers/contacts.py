"""``update_contacts``: a domain's handles brought in line with the contacts WHMCS holds.

Each role gets the handle for its contact by the rules in ``handles``: identical data
reuses a handle; the same person with new details updates the domain's current handle
in place, unless that handle also serves a role that keeps other data (changing it would
change that role too); a new name or company gets a new handle. Only roles whose handle
changed are written to the domain.
"""
from __future__ import annotations

from collections import defaultdict

from opclient import Contact, Handles
from opclient.types import Domain
from outbox.handlers.handles import contact_from, handle_for
from outbox.handlers.lookup import OPENPROVIDER, require_active, require_domain
from outbox.handlers.tlds import tld_facts
from outbox.registry import Context, registry

PAYLOAD_KEYS = {"owner": "registrant", "admin": "admin", "tech": "tech", "billing": "billing"}


@registry.register("update_contacts", service=OPENPROVIDER)
def update_contacts(context: Context) -> str:
    domain = require_domain(context, "have its contacts changed")
    supported = tld_facts(context.services.openprovider, domain.domain.extension).supported_handles
    wanted = {role: contact_from(context.payload[key], key)
              for role, key in PAYLOAD_KEYS.items() if role in supported and context.payload.get(key)}
    chosen = _handles(context, domain, wanted)
    changed = {role: handle for role, handle in chosen.items() if getattr(domain.handles, role) != handle}
    if not changed:
        return f"The contacts of {domain.domain} use the right handles: no handle to change on the domain."
    require_active(domain, "have its contacts changed")
    context.services.openprovider.domains.update(domain.id, handles=Handles(**changed))
    shown = ", ".join(f"{role} {handle}" for role, handle in sorted(changed.items()))
    return f"The handles of {domain.domain} changed: {shown}."


def _handles(context: Context, domain: Domain, wanted: dict[str, Contact]) -> dict[str, str]:
    roles_by_contact: dict[str, list[str]] = defaultdict(list)
    for role, contact in wanted.items():
        roles_by_contact[contact.contact_hash].append(role)
    chosen = {}
    for roles in roles_by_contact.values():
        handle = handle_for(context, wanted[roles[0]], current=_updatable_handle(domain, roles))
        chosen.update(dict.fromkeys(roles, handle))
    return chosen


def _updatable_handle(domain: Domain, roles: list[str]) -> str | None:
    """A handle of these roles that no other role of the domain uses."""
    current = domain.handles.as_api()
    for role in roles:
        handle = current.get(f"{role}_handle")
        users = {key for key, value in current.items() if value == handle}
        if handle and users <= {f"{other}_handle" for other in roles}:
            return handle
    return None
