"""DNS templates and zones: ``client.dns``."""
from __future__ import annotations

from opclient.names import DomainName, split_domain
from opclient.types import DnsTemplate, Request, from_answer

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
