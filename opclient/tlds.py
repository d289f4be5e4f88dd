"""Extension facts (handles, periods, quarantine, prices) and the registry data each
extension needs: ``client.tlds``."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from opclient.names import to_ascii
from opclient.types import Json, Page, Request, Tld, from_answer

# Openprovider answers at most this many TLDs a page.
PAGE_LIMIT = 500


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """One field of Openprovider's ``additional_dataSpecification``."""

    name: str
    type: str
    required: bool
    description: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (value, description)

    @classmethod
    def from_api(cls, data: Json) -> FieldSpec:
        name = str(data.get("name") or "").strip()
        if not name:
            raise ValueError("an additional-data field has no name")
        options = tuple((str(option.get("value") or ""), str(option.get("description") or ""))
                        for option in data.get("options") or () if isinstance(option, dict))
        return cls(name=name, type=str(data.get("type") or "text"), required=bool(data.get("required")),
                   description=str(data.get("description") or ""), options=options)


class Tlds:
    def __init__(self, request: Request) -> None:
        self._request = request

    def get(self, extension: str) -> Tld:
        """The TLD ``extension`` (``nl``, ``com.cn``, Unicode or punycode)."""
        name = to_ascii(extension.lstrip("."))
        return from_answer(Tld.from_api, self._request("GET", f"/tlds/{quote(name, safe='')}"))

    def page(self, offset: int = 0, limit: int = PAGE_LIMIT) -> Page[Json]:
        """One page of every TLD on sale, with the reseller's prices, as Openprovider sends them."""
        params = {"offset": offset, "limit": limit, "with_price": True}
        data = self._request("GET", "/tlds", params=params) or {}
        items = tuple(item for item in data.get("results") or () if isinstance(item, dict))
        return Page(items=items, offset=offset, total=int(data.get("total") or 0))

    def every(self, limit: int = PAGE_LIMIT) -> Iterator[Json]:
        """Every TLD, one read per page."""
        offset = 0
        while True:
            page = self.page(offset, limit)
            yield from page.items
            offset += len(page.items)
            if not page.items or offset >= page.total:
                return

    def domain_fields(self, extension: str, operation: str = "create") -> list[FieldSpec]:
        """What a domain's ``additional_data`` takes under ``extension`` for ``operation``."""
        params = {"domain.extension": to_ascii(extension.lstrip(".")), "operation": operation}
        return _specs(self._request("GET", "/domains/additional-data", params=params))

    def customer_fields(self, extension: str) -> list[FieldSpec]:
        """What the owner handle of a domain under ``extension`` must hold."""
        params = {"domain.extension": to_ascii(extension.lstrip("."))}
        return _specs(self._request("GET", "/domains/additional-data/customers", params=params))


def _specs(data: Any) -> list[FieldSpec]:
    return [from_answer(FieldSpec.from_api, item) for item in data or () if isinstance(item, dict)]
