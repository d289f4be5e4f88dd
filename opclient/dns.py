"""DNS templates, zones and glue hosts (private nameservers): ``client.dns``."""
from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from opclient.errors import ZoneNotFound
from opclient.names import DomainName, split_domain
from opclient.types import DnsRecord, DnsTemplate, DnsZone, Nameserver, Request, from_answer

TEMPLATE_PAGE_SIZE = 100
RECORD_PAGE_SIZE = 500  # Openprovider's most per page for zones and records


class Dns:
    def __init__(self, request: Request) -> None:
        self._request = request

    def templates(self, *, with_records: bool = False) -> list[DnsTemplate]:
        """Every DNS template of the account, by name."""
        templates: list[DnsTemplate] = []
        while True:
            params = {
                "limit": TEMPLATE_PAGE_SIZE,
                "offset": len(templates),
                "order_by": "name",
                "with_records": with_records,
            }
            data = self._request("GET", "/dns/templates", params=params) or {}
            page = [from_answer(DnsTemplate.from_api, item) for item in data.get("results") or ()]
            templates += page
            if not page or len(templates) >= int(data.get("total") or 0):
                return templates

    def create_zone(self, domain: str | DomainName, *, template_name: str = "",
                    records: Iterable[DnsRecord] = ()) -> None:
        """A master zone for the domain, filled from the named template (if any) and ``records``."""
        name = split_domain(domain)
        body = {"domain": name.as_api(), "type": "master", "records": [record.as_api() for record in records]}
        if template_name:
            body["template_name"] = template_name
        self._request("POST", "/dns/zones", body=body)

    def zone(self, name: str) -> DnsZone | None:
        """The zone ``name`` with its records, or None when the account has no such zone."""
        try:
            data = self._request("GET", _zone_path(name), params={"with_records": True})
        except ZoneNotFound:
            return None
        return from_answer(DnsZone.from_api, data)

    def zone_records(self, name: str) -> list[DnsRecord]:
        """Every record of the zone ``name``, named relative to it; ZoneNotFound if it has none."""
        zone = name.rstrip(".").lower()
        records: list[DnsRecord] = []
        while True:
            params = {"limit": RECORD_PAGE_SIZE, "offset": len(records)}
            data = self._request("GET", f"{_zone_path(name)}/records", params=params) or {}
            page = [from_answer(DnsRecord.from_api, item).relative_to(zone) for item in data.get("results") or ()]
            records += page
            if not page or len(records) >= int(data.get("total") or 0):
                return records

    def update_zone(self, name: str, *, add: Iterable[DnsRecord] = (), remove: Iterable[DnsRecord] = (),
                    update: Iterable[tuple[DnsRecord, DnsRecord]] = ()) -> None:
        """One call that adds, removes and updates (original, new) records of the zone;
        Openprovider applies all of it or, refusing one entry, none."""
        changes: dict[str, list] = {
            "add": [record.as_api() for record in add],
            "remove": [record.as_api() for record in remove],
            "update": [{"original_record": original.as_api(), "record": new.as_api()} for original, new in update],
        }
        body = {"records": {kind: entries for kind, entries in changes.items() if entries}}
        self._request("PUT", _zone_path(name), body=body)

    def delete_zone(self, name: str) -> None:
        self._request("DELETE", _zone_path(name))

    def nameserver(self, name: str) -> Nameserver | None:
        """The glue host of this name in the account, or None."""
        data = self._request("GET", "/dns/nameservers", params={"name": name, "limit": 1}) or {}
        for item in data.get("results") or ():
            found = from_answer(Nameserver.from_api, item)
            if found.name == name:
                return found
        return None

    def create_nameserver(self, server: Nameserver) -> None:
        self._request("POST", "/dns/nameservers", body=_glue_body(server))

    def update_nameserver(self, server: Nameserver) -> None:
        self._request("PUT", f"/dns/nameservers/{quote(server.name, safe='')}", body=_glue_body(server))

    def delete_nameserver(self, name: str) -> None:
        self._request("DELETE", f"/dns/nameservers/{quote(name, safe='')}")


def _zone_path(name: str) -> str:
    return f"/dns/zones/{quote(name.rstrip('.').lower(), safe='')}"


def _glue_body(server: Nameserver) -> dict[str, str]:
    return {"name": server.name, "ip": server.ip, "ip6": server.ip6}
