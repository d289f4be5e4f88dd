"""Extension facts (handles, periods, quarantine): ``client.tlds``."""
from __future__ import annotations

from urllib.parse import quote

from opclient.names import to_ascii
from opclient.types import Request, Tld, from_answer


class Tlds:
    def __init__(self, request: Request) -> None:
        self._request = request

    def get(self, extension: str) -> Tld:
        """The TLD ``extension`` (``nl``, ``com.cn``, Unicode or punycode)."""
        name = to_ascii(extension.lstrip("."))
        return from_answer(Tld.from_api, self._request("GET", f"/tlds/{quote(name, safe='')}"))
