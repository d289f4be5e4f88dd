"""Typed results of Openprovider calls, built from the API's JSON with ``from_api``.

Only the fields opbridge reads are kept; dates are aware datetimes in Europe/Amsterdam
or None, never a zero date.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Generic, TypeVar

from opclient.contacts import identity_hash
from opclient.dates import parse_datetime
from opclient.errors import PermanentError
from opclient.names import DomainName, to_ascii
from opclient.phones import Phone

T = TypeVar("T")
Json = Mapping[str, Any]
Request = Callable[..., Any]  # OpenproviderClient.request, as the operation groups call it

HANDLE_ROLES = ("owner", "admin", "tech", "billing")
AUTORENEW_VALUES = ("on", "off", "default")


def _map(data: Any) -> Json:
    return data if isinstance(data, Mapping) else {}


def _text(data: Json, key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


@dataclasses.dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def from_api(cls, amount: Any, currency: Any) -> Money | None:
        if amount is None or amount == "":
            return None
        return cls(amount=Decimal(str(amount)), currency=str(currency or ""))


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """Availability of one name. ``status`` is ``free``, ``premium`` (free at a premium
    price) or ``active`` (taken; ``reason`` says why)."""

    domain: str
    status: str
    reason: str = ""
    price: Money | None = None  # in the account's currency
    product_price: Money | None = None  # in the registry's currency
    premium_price: Money | None = None
    whois: str = ""  # the registry's whois text of a taken name

    @property
    def is_available(self) -> bool:
        return self.status in ("free", "premium")

    @property
    def whois_name_servers(self) -> tuple[str, ...]:
        """The ``Name Server:`` lines of the whois text, lower case, in their order."""
        servers = []
        for line in self.whois.splitlines():
            label, _, value = line.partition(":")
            host = value.strip().split(" ")[0].rstrip(".").lower()
            if label.strip().lower() in ("name server", "nserver") and host and host not in servers:
                servers.append(host)
        return tuple(servers)

    @classmethod
    def from_api(cls, data: Json) -> CheckResult:
        price = _map(data.get("price"))
        premium = _map(data.get("premium"))
        is_premium = bool(data.get("is_premium")) or bool(premium)
        raw_status = _text(data, "status").lower()
        if raw_status == "free":
            status = "premium" if is_premium else "free"
        else:
            status = "active"  # "active", and the guide's "reserved"/"in use": not to be had
        return cls(
            domain=_text(data, "domain"),
            status=status,
            reason=_text(data, "reason"),
            price=_money(price.get("reseller")),
            product_price=_money(price.get("product")),
            premium_price=Money.from_api(_map(premium.get("price")).get("create"), premium.get("currency")),
            whois=_text(data, "whois"),
        )


@dataclasses.dataclass(frozen=True)
class OperationPrice:
    """``GET /domains/prices``: the reseller's price of one operation on one name."""

    price: Money
    is_premium: bool

    @classmethod
    def from_api(cls, data: Json) -> OperationPrice:
        reseller = _money(_map(data.get("price")).get("reseller"))
        if reseller is None:
            raise ValueError("the price answer has no reseller price")
        return cls(price=reseller, is_premium=bool(data.get("is_premium")))


@dataclasses.dataclass(frozen=True)
class Suggestion:
    """One name Openprovider's name-suggestion service offers: ``name`` is the full name."""

    name: str
    label: str
    extension: str

    @classmethod
    def from_api(cls, data: Json) -> Suggestion:
        return cls(name=_text(data, "name").lower(), label=_text(data, "domain").lower(),
                   extension=_text(data, "tld").lower().lstrip("."))


def _money(data: Any) -> Money | None:
    data = _map(data)
    return Money.from_api(data.get("price"), data.get("currency"))


@dataclasses.dataclass(frozen=True)
class Nameserver:
    name: str
    ip: str = ""
    ip6: str = ""

    @classmethod
    def parse(cls, text: str) -> Nameserver:
        """A WHMCS nameserver entry: ``host`` or ``host/ip`` (IPv4 or IPv6)."""
        host, _, address = text.strip().partition("/")
        return cls.at(to_ascii(host), address.strip())

    @classmethod
    def at(cls, name: str, address: str) -> Nameserver:
        """The nameserver ``name`` at ``address``, in the IPv6 field when the address is one."""
        return cls(name=name, ip6=address) if ":" in address else cls(name=name, ip=address)

    @property
    def text(self) -> str:
        """``host`` or ``host/ip``, the form ``parse`` reads."""
        address = self.ip or self.ip6
        return f"{self.name}/{address}" if address else self.name

    @classmethod
    def from_api(cls, data: Json) -> Nameserver:
        return cls(name=_text(data, "name"), ip=_text(data, "ip"), ip6=_text(data, "ip6"))

    def as_api(self, seq_nr: int) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "seq_nr": seq_nr}
        if self.ip:
            body["ip"] = self.ip
        if self.ip6:
            body["ip6"] = self.ip6
        return body


@dataclasses.dataclass(frozen=True)
class Handles:
    """Contact handles for a domain; None leaves a role out of the request."""

    owner: str | None = None
    admin: str | None = None
    tech: str | None = None
    billing: str | None = None

    def as_api(self) -> dict[str, str]:
        return {f"{role}_handle": getattr(self, role) for role in HANDLE_ROLES if getattr(self, role)}

    @classmethod
    def from_api(cls, data: Json) -> Handles:
        return cls(**{role: _text(data, f"{role}_handle") or None for role in HANDLE_ROLES})


@dataclasses.dataclass(frozen=True)
class OrderDetails:
    """What a registration and a transfer both send besides the name.

    Nameservers: give ``name_servers`` (two or more), or an ``ns_group``; Openprovider
    refuses an order with neither (221). ``idn_script`` is sent only for IDN names, as
    registries reject it on ASCII ones.
    """

    handles: Handles
    name_servers: tuple[Nameserver, ...] = ()
    ns_group: str | None = None
    ns_template_name: str | None = None
    autorenew: str = "default"
    is_private_whois_enabled: bool = False
    idn_script: str | None = None
    additional_data: Mapping[str, str] | None = None
    accept_premium_fee: Decimal | None = None


@dataclasses.dataclass(frozen=True)
class DnssecKey:
    """A DNSKEY as Openprovider names its parts (a key pasted from a DNS host maps one to one)."""

    flags: int
    alg: int
    pub_key: str
    protocol: int = 3
    readonly: bool = False

    @classmethod
    def from_api(cls, data: Json) -> DnssecKey:
        return cls(flags=int(data.get("flags") or 0), alg=int(data.get("alg") or 0), pub_key=_text(data, "pub_key"),
                   protocol=int(data.get("protocol") or 3), readonly=bool(data.get("readonly")))

    def as_api(self) -> dict[str, Any]:
        return {"flags": self.flags, "alg": self.alg, "protocol": self.protocol, "pub_key": self.pub_key}

    def same_key(self, other: DnssecKey) -> bool:
        return (self.flags, self.alg, self.protocol, "".join(self.pub_key.split())) == (
            other.flags, other.alg, other.protocol, "".join(other.pub_key.split()))


@dataclasses.dataclass(frozen=True)
class Domain:
    id: int
    domain: DomainName
    status: str
    autorenew: str
    is_locked: bool
    is_lockable: bool
    is_private_whois_enabled: bool
    is_private_whois_allowed: bool
    is_deleted: bool
    name_servers: tuple[Nameserver, ...]
    handles: Handles
    auth_code: str
    order_date: dt.datetime | None
    active_date: dt.datetime | None
    expiration_date: dt.datetime | None
    registry_expiration_date: dt.datetime | None
    renewal_date: dt.datetime | None
    soft_quarantine_expiry_date: dt.datetime | None
    hard_quarantine_expiry_date: dt.datetime | None
    is_dnssec_enabled: bool = False
    dnssec_keys: tuple[DnssecKey, ...] = ()

    @classmethod
    def from_api(cls, data: Json) -> Domain:
        name = _map(data.get("domain"))
        return cls(
            id=int(data.get("id") or 0),
            domain=DomainName(name=_text(name, "name"), extension=_text(name, "extension")),
            status=_text(data, "status"),
            autorenew=_text(data, "autorenew"),
            is_locked=bool(data.get("is_locked")),
            is_lockable=bool(data.get("is_lockable")),
            is_private_whois_enabled=bool(data.get("is_private_whois_enabled")),
            is_private_whois_allowed=bool(data.get("is_private_whois_allowed")),
            is_deleted=bool(data.get("is_deleted")),
            name_servers=tuple(Nameserver.from_api(_map(ns)) for ns in data.get("name_servers") or ()),
            handles=Handles.from_api(data),
            auth_code=_text(data, "auth_code"),
            **{field: parse_datetime(data.get(field)) for field in _DOMAIN_DATES},
            is_dnssec_enabled=bool(data.get("is_dnssec_enabled")),
            dnssec_keys=tuple(DnssecKey.from_api(_map(key)) for key in data.get("dnssec_keys") or ()),
        )


_DOMAIN_DATES = (
    "order_date",
    "active_date",
    "expiration_date",
    "registry_expiration_date",
    "renewal_date",
    "soft_quarantine_expiry_date",
    "hard_quarantine_expiry_date",
)


@dataclasses.dataclass(frozen=True)
class DomainOrder:
    """The answer to a registration or transfer. ``status`` is ACT (done) or REQ (pending)."""

    id: int
    status: str
    auth_code: str = ""
    activation_date: dt.datetime | None = None
    expiration_date: dt.datetime | None = None
    renewal_date: dt.datetime | None = None

    @classmethod
    def from_api(cls, data: Json) -> DomainOrder:
        return cls(
            id=int(data.get("id") or 0),
            status=_text(data, "status"),
            auth_code=_text(data, "auth_code"),
            activation_date=parse_datetime(data.get("activation_date")),
            expiration_date=parse_datetime(data.get("expiration_date")),
            renewal_date=parse_datetime(data.get("renewal_date")),
        )


@dataclasses.dataclass(frozen=True)
class AuthCode:
    """A domain's transfer code. Some registries (.be, .eu) mail it to the owner instead:
    then ``code`` is empty and ``sent_to_owner`` is true."""

    code: str
    type: str
    sent_to_owner: bool

    @classmethod
    def from_api(cls, data: Json) -> AuthCode:
        code = _text(data, "auth_code")
        return cls(code=code, type=_text(data, "type"), sent_to_owner=not code and bool(data.get("success")))


@dataclasses.dataclass(frozen=True)
class Customer:
    handle: str
    first_name: str
    last_name: str
    initials: str
    company_name: str
    email: str
    street: str
    number: str
    suffix: str
    zipcode: str
    city: str
    state: str
    country: str
    phone: Phone
    locale: str
    is_deleted: bool

    @property
    def identity_hash(self) -> str:
        return identity_hash(self.first_name, self.last_name, self.company_name)

    @classmethod
    def from_api(cls, data: Json) -> Customer:
        name, address, phone = (_map(data.get(key)) for key in ("name", "address", "phone"))
        return cls(
            handle=_text(data, "handle"),
            first_name=_text(name, "first_name"),
            last_name=_text(name, "last_name"),
            initials=_text(name, "initials"),
            company_name=_text(data, "company_name"),
            email=_text(data, "email"),
            street=_text(address, "street"),
            number=_text(address, "number"),
            suffix=_text(address, "suffix"),
            zipcode=_text(address, "zipcode"),
            city=_text(address, "city"),
            state=_text(address, "state"),
            country=_text(address, "country"),
            phone=Phone(
                country_code=_text(phone, "country_code"),
                area_code=_text(phone, "area_code"),
                subscriber_number=_text(phone, "subscriber_number"),
            ),
            locale=_text(data, "locale"),
            is_deleted=bool(data.get("is_deleted")),
        )


@dataclasses.dataclass(frozen=True)
class EmailVerification:
    """ICANN's registrant e-mail verification as it stands for one domain. Until the
    address is verified, the domain is suspended once ``expiration_date`` has passed."""

    domain: str
    email: str
    handle: str
    status: str
    expiration_date: dt.datetime | None
    is_suspended: bool

    @property
    def is_verified(self) -> bool:
        return self.status == "verified"

    @classmethod
    def from_api(cls, data: Json) -> EmailVerification:
        return cls(domain=_text(data, "domain").lower(), email=_text(data, "email"), handle=_text(data, "handle"),
                   status=_text(data, "status"), expiration_date=parse_datetime(data.get("expiration_date")),
                   is_suspended=bool(data.get("is_suspended")))


@dataclasses.dataclass(frozen=True)
class DnsRecord:
    """One record; in a zone read through ``client.dns``, ``name`` is relative to the zone
    (``""`` for the apex), the form Openprovider takes in requests."""

    name: str
    type: str
    value: str
    ttl: int | None = None
    prio: int | None = None

    @classmethod
    def from_api(cls, data: Json) -> DnsRecord:
        return cls(
            name=_text(data, "name"),
            type=_text(data, "type"),
            value=_text(data, "value"),
            ttl=data.get("ttl"),
            prio=data.get("prio"),
        )

    def relative_to(self, zone: str) -> DnsRecord:
        """This record named as requests name it: Openprovider answers with full names."""
        name = self.name.rstrip(".").lower()
        if name == zone:
            name = ""
        elif name.endswith("." + zone):
            name = name[: -len(zone) - 1]
        return dataclasses.replace(self, name=name)

    def as_api(self) -> dict[str, Any]:
        record: dict[str, Any] = {"name": self.name, "type": self.type, "value": self.value}
        if self.ttl is not None:
            record["ttl"] = self.ttl
        if self.prio is not None:
            record["prio"] = self.prio
        return record


@dataclasses.dataclass(frozen=True)
class DnsZone:
    """A DNS zone at Openprovider with its records, every one named relative to the zone."""

    id: int
    name: str
    type: str
    records: tuple[DnsRecord, ...]

    @classmethod
    def from_api(cls, data: Json) -> DnsZone:
        name = _text(data, "name").rstrip(".").lower()
        records = tuple(DnsRecord.from_api(_map(record)).relative_to(name) for record in data.get("records") or ())
        return cls(id=int(data.get("id") or 0), name=name, type=_text(data, "type"), records=records)


@dataclasses.dataclass(frozen=True)
class DnsTemplate:
    id: int
    name: str
    records: tuple[DnsRecord, ...] = ()

    @classmethod
    def from_api(cls, data: Json) -> DnsTemplate:
        records = tuple(DnsRecord.from_api(_map(record)) for record in data.get("records") or ())
        return cls(id=int(data.get("id") or 0), name=_text(data, "name"), records=records)


@dataclasses.dataclass(frozen=True)
class Tld:
    """What a TLD needs: which handles it takes, its periods and quarantine lengths."""

    name: str
    status: str
    owner_handle_supported: bool
    admin_handle_supported: bool
    tech_handle_supported: bool
    billing_handle_supported: bool
    min_period: int
    max_period: int
    soft_quarantine_period: int
    quarantine_period: int
    is_private_whois_allowed: bool
    is_transfer_auth_code_required: bool
    supported_idn_scripts: tuple[str, ...]
    dnssec_allowed: bool = False
    dnssec_keys_allowed: bool = False
    dnssec_algorithms: tuple[int, ...] = ()
    dnssec_max_records_amount: int = 0

    @property
    def supported_handles(self) -> tuple[str, ...]:
        """The handle roles (``owner``, ``admin``, ``tech``, ``billing``) this TLD takes."""
        return tuple(role for role in HANDLE_ROLES if getattr(self, f"{role}_handle_supported"))

    @classmethod
    def from_api(cls, data: Json) -> Tld:
        flags = {
            name: bool(data.get(name))
            for name in (
                *(f"{role}_handle_supported" for role in HANDLE_ROLES),
                "is_private_whois_allowed",
                "is_transfer_auth_code_required",
            )
        }
        periods = {
            name: int(data.get(name) or 0)
            for name in ("min_period", "max_period", "soft_quarantine_period", "quarantine_period")
        }
        scripts = tuple(_text(_map(script), "value") for script in data.get("supported_idn_scripts") or ())
        return cls(
            name=_text(data, "name"),
            status=_text(data, "status"),
            supported_idn_scripts=scripts,
            dnssec_allowed=bool(data.get("dnssec_allowed")),
            dnssec_keys_allowed=bool(data.get("dnssec_keys_allowed")),
            dnssec_algorithms=tuple(int(alg) for alg in data.get("dnssec_algorithms") or ()),
            dnssec_max_records_amount=int(data.get("dnssec_max_records_amount") or 0),
            **flags,
            **periods,
        )


@dataclasses.dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing: ``items`` from position ``offset`` of ``total``."""

    items: tuple[T, ...]
    offset: int
    total: int


def from_answer(factory: Callable[[Json], T], data: Any) -> T:
    """``factory(data)``, with an answer that does not fit reported as a PermanentError:
    asking again would bring the same answer."""
    try:
        return factory(_map(data))
    except (ValueError, TypeError, ArithmeticError) as error:
        raise PermanentError(f"Openprovider sent an answer that cannot be read: {error}") from error
