"""Domain operations: ``client.domains``."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from opclient.errors import DomainNotFound
from opclient.names import DomainName, split_domain
from opclient.types import (
    AUTORENEW_VALUES,
    AuthCode,
    CheckResult,
    DnssecKey,
    Domain,
    DomainOrder,
    Handles,
    Nameserver,
    OperationPrice,
    OrderDetails,
    Page,
    Request,
    Suggestion,
    from_answer,
)

MAX_CHECK_BATCH = 15  # Openprovider answers HTTP 500 to bigger batches
MAX_PAGE_SIZE = 1000
AUTH_CODE_TYPES = ("external", "internal")

# Query parameters of GET /v1beta/domains besides limit, offset and order_by.* (swagger.json).
LIST_FILTERS = frozenset(
    {
        "id",
        "extension",
        "renewal_date",
        "full_name",
        "domain_name_pattern",
        "ns_group_pattern",
        "status",
        "status_not_equal",
        "queue_status",
        "contact_handle",
        "comment_pattern",
        "with_history",
        "with_api_history",
        "with_additional_data",
        "application_mode",
        "with_verification_email",
        "with_registry_statuses",
        "is_deleted",
    }
)
ORDER_FIELDS = frozenset(
    {
        "id",
        "domain_name",
        "domain_extension",
        "order_date",
        "active_date",
        "expiration_date",
        "renewal_date",
        "status",
        "transfer_date",
    }
)


class Domains:
    def __init__(self, request: Request) -> None:
        self._request = request

    def check(
        self, domains: Iterable[str | DomainName], *, with_price: bool = False, idn_script: str | None = None
    ) -> list[CheckResult]:
        """Availability of each name, asked in batches of 15, in the order given."""
        names = [split_domain(domain) for domain in domains]
        results: list[CheckResult] = []
        for start in range(0, len(names), MAX_CHECK_BATCH):
            batch = names[start : start + MAX_CHECK_BATCH]
            body: dict[str, Any] = {"domains": [name.as_api() for name in batch], "with_price": with_price}
            if idn_script and any(name.is_idn for name in batch):
                body["additional_data"] = {"idn_script": idn_script}
            data = self._request("POST", "/domains/check", body=body) or {}
            results += [from_answer(CheckResult.from_api, item) for item in data.get("results") or ()]
        return results

    def price(self, domain: str | DomainName, operation: str, *, period: int = 1) -> OperationPrice:
        """What ``operation`` (create, transfer, renew, ...) on this name costs the reseller now."""
        name = split_domain(domain)
        params = {"domain.name": name.name, "domain.extension": name.extension, "operation": operation,
                  "period": period}
        return from_answer(OperationPrice.from_api, self._request("GET", "/domains/prices", params=params))

    def suggest(self, term: str, extensions: Iterable[str] = (), *, limit: int = 10) -> list[Suggestion]:
        """Names like ``term`` from Openprovider's name-suggestion service, over ``extensions``
        (without dots; all it offers when none). Availability is not part of the answer: ask ``check``."""
        body = {"name": term, "tlds": [extension.lstrip(".") for extension in extensions], "limit": limit}
        data = self._request("POST", "/domains/suggest-name", body=body) or {}
        return [from_answer(Suggestion.from_api, item) for item in data.get("results") or ()]

    def find(self, domain: str | DomainName) -> Domain:
        """The domain of this name in the account; ``DomainNotFound`` when there is none."""
        name = split_domain(domain)
        params = {"domain_name_pattern": name.name, "extension": name.extension, "limit": 10}
        data = self._request("GET", "/domains", params=params) or {}
        for item in data.get("results") or ():
            found = from_answer(Domain.from_api, item)
            if found.domain == name:
                return found
        raise DomainNotFound(f"{name} is not in the Openprovider account")

    def get(self, domain_id: int) -> Domain:
        return from_answer(Domain.from_api, self._request("GET", f"/domains/{int(domain_id)}"))

    def pages(
        self,
        *,
        limit: int = MAX_PAGE_SIZE,
        order_by: str | None = None,
        descending: bool = False,
        **filters: Any,
    ) -> Iterator[Page[Domain]]:
        """The account's domains, one page of at most ``limit`` per step, fetched lazily.

        ``filters`` are the query parameters of ``GET /v1beta/domains`` (``status="ACT"``,
        ``extension="nl"``, ``domain_name_pattern="shop*"``, ``with_additional_data=True``).
        """
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}, not {limit}")
        unknown = sorted(set(filters) - LIST_FILTERS)
        if unknown:
            raise TypeError(f"unknown domain list filter {unknown[0]!r}")
        params: dict[str, Any] = {**filters, "limit": limit}
        if order_by is not None:
            if order_by not in ORDER_FIELDS:
                raise ValueError(f"cannot order domains by {order_by!r}")
            params[f"order_by.{order_by}"] = "desc" if descending else "asc"
        offset = 0
        while True:
            data = self._request("GET", "/domains", params={**params, "offset": offset}) or {}
            items = tuple(from_answer(Domain.from_api, item) for item in data.get("results") or ())
            total = int(data.get("total") or 0)
            yield Page(items=items, offset=offset, total=total)
            offset += len(items)
            if not items or offset >= total:
                return

    def create(self, domain: str | DomainName, details: OrderDetails, *, period: int = 1) -> DomainOrder:
        """Register a domain for ``period`` years."""
        body = {**_order_body(split_domain(domain), details), "period": _period(period), "unit": "y"}
        return from_answer(DomainOrder.from_api, self._request("POST", "/domains", body=body))

    def transfer(self, domain: str | DomainName, details: OrderDetails, *, auth_code: str) -> DomainOrder:
        """Transfer a domain in; the registry adds its own renewal, so there is no period."""
        body = {**_order_body(split_domain(domain), details), "auth_code": auth_code}
        return from_answer(DomainOrder.from_api, self._request("POST", "/domains/transfer", body=body))

    def renew(self, domain_id: int, *, period: int = 1) -> str:
        """Renew for ``period`` years; returns the new status."""
        data = self._request("POST", f"/domains/{int(domain_id)}/renew", body={"period": _period(period)})
        return _status(data)

    def restore(self, domain_id: int) -> str:
        """Take a deleted domain out of quarantine; returns the new status."""
        return _status(self._request("POST", f"/domains/{int(domain_id)}/restore", body={}))

    def update(
        self,
        domain_id: int,
        *,
        autorenew: str | None = None,
        is_private_whois_enabled: bool | None = None,
        is_locked: bool | None = None,
        name_servers: Iterable[Nameserver] | None = None,
        handles: Handles | None = None,
        dnssec_keys: Iterable[DnssecKey] | None = None,
    ) -> str:
        """Change only what is given; returns the new status. ``dnssec_keys`` is the whole
        new set: DNSSEC is on with any key, off with none."""
        body: dict[str, Any] = {}
        if autorenew is not None:
            body["autorenew"] = _autorenew(autorenew)
        if is_private_whois_enabled is not None:
            body["is_private_whois_enabled"] = bool(is_private_whois_enabled)
        if is_locked is not None:
            body["is_locked"] = bool(is_locked)
        if name_servers is not None:
            body["name_servers"] = _name_servers(name_servers)
        if handles is not None:
            body.update(handles.as_api())
        if dnssec_keys is not None:
            body["dnssec_keys"] = [key.as_api() for key in dnssec_keys]
            body["is_dnssec_enabled"] = bool(body["dnssec_keys"])
        if not body:
            raise ValueError("update needs at least one field to change")
        return _status(self._request("PUT", f"/domains/{int(domain_id)}", body=body))

    def delete(self, domain_id: int) -> str:
        return _status(self._request("DELETE", f"/domains/{int(domain_id)}"))

    def auth_code(self, domain_id: int, *, type: str = "external") -> AuthCode:  # noqa: A002 - the API's name
        params = {"auth_code_type": _auth_code_type(type)}
        return from_answer(
            AuthCode.from_api, self._request("GET", f"/domains/{int(domain_id)}/authcode", params=params)
        )

    def reset_auth_code(self, domain_id: int, *, type: str = "external") -> AuthCode:  # noqa: A002
        body = {"auth_code_type": _auth_code_type(type)}
        path = f"/domains/{int(domain_id)}/authcode/reset"
        return from_answer(AuthCode.from_api, self._request("POST", path, body=body))


def _order_body(name: DomainName, details: OrderDetails) -> dict[str, Any]:
    body: dict[str, Any] = {
        "domain": name.as_api(),
        **details.handles.as_api(),
        "autorenew": _autorenew(details.autorenew),
        "is_private_whois_enabled": details.is_private_whois_enabled,
    }
    if details.name_servers:
        body["name_servers"] = _name_servers(details.name_servers)
    if details.ns_group:
        body["ns_group"] = details.ns_group
    if details.ns_template_name:
        body["ns_template_name"] = details.ns_template_name
    additional = dict(details.additional_data or {})
    if details.idn_script and name.is_idn:
        additional["idn_script"] = details.idn_script
    if additional:
        body["additional_data"] = additional
    if details.accept_premium_fee is not None:
        body["accept_premium_fee"] = float(details.accept_premium_fee)
    return body


def _name_servers(servers: Iterable[Nameserver]) -> list[dict[str, Any]]:
    return [server.as_api(seq_nr) for seq_nr, server in enumerate(servers, start=1)]


def _autorenew(value: str) -> str:
    if value not in AUTORENEW_VALUES:
        raise ValueError(f"autorenew must be one of {', '.join(AUTORENEW_VALUES)}, not {value!r}")
    return value


def _period(years: int) -> int:
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 10:
        raise ValueError(f"the period must be a whole number of years from 1 to 10, not {years!r}")
    return years


def _auth_code_type(value: str) -> str:
    if value not in AUTH_CODE_TYPES:
        raise ValueError(f"the auth code type must be external or internal, not {value!r}")
    return value


def _status(data: Any) -> str:
    return str(data.get("status") or "") if isinstance(data, dict) else ""
