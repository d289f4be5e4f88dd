"""``save_dns``: WHMCS's DNS page saved, written as only the difference it makes.

One read of the zone, then one write with the records to add, remove and update, checked
against the zone as it is now, not as WHMCS read it: records WHMCS does not show, and
records changed elsewhere since, are never touched. A change whose record is no longer
as WHMCS read it (another save from the same read, or the control panel) refuses the
whole save with a sentence; nothing of it is written. A redelivered or replayed save
finds its changes made and writes nothing.
"""
from __future__ import annotations

import dataclasses

from opclient import DnsRecord, DnsZone
from outbox.handlers.lookup import OPENPROVIDER
from outbox.host_records import APEX, Change, same_record
from outbox.registry import Context, PermanentFailure, registry


@dataclasses.dataclass
class Plan:
    add: list[DnsRecord] = dataclasses.field(default_factory=list)
    remove: list[DnsRecord] = dataclasses.field(default_factory=list)
    update: list[tuple[DnsRecord, DnsRecord]] = dataclasses.field(default_factory=list)
    already: int = 0

    def __bool__(self) -> bool:
        return bool(self.add or self.remove or self.update)


@registry.register("save_dns", service=OPENPROVIDER)
def save_dns(context: Context) -> str:
    name = context.payload["domain"]
    wanted = [Change.from_payload(change) for change in context.payload["changes"]]
    dns = context.services.openprovider.dns
    zone = dns.zone(name)
    if zone is None:
        template = context.services.settings.dns_template
        records = [change.record for change in wanted if change.record is not None]
        dns.create_zone(name, template_name=template, records=records)
        source = f" from the DNS template {template!r}" if template else ""
        return f"{name} had no DNS zone: created it{source} with the {len(records)} record(s) WHMCS saved."
    plan = plan_changes(zone, wanted)
    if not plan:
        return f"The DNS zone of {name} already holds what WHMCS saved: nothing to change."
    dns.update_zone(name, add=plan.add, remove=plan.remove, update=plan.update)
    return (f"The DNS zone of {name}: added {len(plan.add)}, removed {len(plan.remove)}, changed "
            f"{len(plan.update)} record(s); {plan.already} already as saved; every other record untouched.")


def plan_changes(zone: DnsZone, wanted: list[Change]) -> Plan:
    """What to write so the zone holds the save, or a PermanentFailure for a record that
    is no longer what WHMCS read."""
    plan = Plan()
    for change in wanted:
        original = _held(zone, change.original)
        target = _held(zone, change.record)
        if change.original is None:
            if target is None:
                plan.add.append(change.record)
            else:
                plan.already += 1
        elif change.record is None:
            if original is None:
                plan.already += 1  # removed already; whatever replaced it stays
            else:
                plan.remove.append(original)
        elif original is not None and target is not None:
            plan.remove.append(original)  # the new form is there already: only the old one goes
        elif original is not None:
            plan.update.append((original, change.record))
        elif target is not None:
            plan.already += 1
        else:
            raise PermanentFailure(_conflict(zone.name, change), "dns_conflict")
    return plan


def _held(zone: DnsZone, record: DnsRecord | None) -> DnsRecord | None:
    """The zone's own copy of ``record`` (its TTL and spelling), if it holds it."""
    if record is None:
        return None
    return next((held for held in zone.records if same_record(held, record)), None)


def _conflict(zone: str, change: Change) -> str:
    return (f"The {_shown(change.original)} record of {zone} is no longer what WHMCS read: another save "
            f"or the Openprovider control panel changed it since. This save, which would make it "
            f"{_shown(change.record)}, was not written (none of it): reload the DNS page and save again.")


def _shown(record: DnsRecord) -> str:
    return f"{record.type} {record.name or APEX} {record.value}"
