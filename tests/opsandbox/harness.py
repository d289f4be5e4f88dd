"""The sandbox's ``/_sandbox`` admin API, as the client tests drive it."""
from __future__ import annotations

import dataclasses
from typing import Any

import requests

from opclient.contacts import Contact
from opclient.types import Handles, Nameserver, OrderDetails

CREDENTIALS = ("sandbox", "sandbox")  # the sandbox's default account

CONTACT = {
    "first_name": "Jan",
    "last_name": "Jansen",
    "email": "jan@example.nl",
    "address1": "Keizersgracht 123a",
    "city": "Amsterdam",
    "postcode": "1015 CJ",
    "country": "NL",
    "phone": "+31.201234567",
}
NAME_SERVERS = (Nameserver("ns1.example.net"), Nameserver("ns2.example.net", ip="192.0.2.2"))


class SandboxAdmin:
    def __init__(self, url: str) -> None:
        self.url = url
        self._http = requests.Session()

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        response = self._http.request(method, f"{self.url}/_sandbox{path}", json=payload, timeout=10)
        assert response.ok, response.text
        return response.json()

    def counters(self) -> dict[str, Any]:
        return self._call("GET", "/counters")

    def calls(self, operation: str) -> int:
        return self.counters()["calls"].get(operation, 0)

    def set_faults(self, **settings: Any) -> None:
        self._call("PUT", "/faults", settings)

    def seed(self, **payload: Any) -> dict[str, Any]:
        return self._call("POST", "/seed", payload)

    def expire_tokens(self, **payload: Any) -> None:
        self._call("POST", "/tokens/expire", payload)

    def advance_days(self, days: int) -> None:
        self._call("POST", "/clock", {"advance_days": days})

    def reset(self) -> None:
        """Default faults, then no domains, handles, zones, tokens or counts."""
        self._call("PUT", "/faults", {})
        self._call("POST", "/reset")

    def close(self) -> None:
        self._http.close()


def contact(**changes: str) -> Contact:
    return Contact.from_dict({**CONTACT, **changes})


def order(handle: str, **changes: Any) -> OrderDetails:
    details = OrderDetails(
        handles=Handles(owner=handle, admin=handle, tech=handle), name_servers=NAME_SERVERS
    )
    return dataclasses.replace(details, **changes)
