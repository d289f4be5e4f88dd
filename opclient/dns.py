"""DNS templates, zones and glue hosts (private nameservers): ``client.dns``."""
from __future__ import annotations

from urllib.parse import quote

from opclient.names import DomainName, split_domain
from opclient.types import DnsTemplate, Nameserver, Request, from_answer

TEMPLATE_PAGE_SIZE = 100


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

    def create_zone(self, domain: str | DomainName, *, template_name: str) -> None:
        """A master zone for the domain filled from the named template."""
        name = split_domain(domain)
        body = {"domain": name.as_api(), "type": "master", "template_name": template_name, "records": []}
        self._request("POST", "/dns/zones", body=body)

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


def _glue_body(server: Nameserver) -> dict[str, str]:
    return {"name": server.name, "ip": server.ip, "ip6": server.ip6}
