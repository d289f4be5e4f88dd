"""Both sides of a portfolio, read whole: every WHMCS domain and every domain of the account.

The pull-sync's readers do the reading (``importer.latest_by_name`` over GetClientsDomains,
``reading.list_account`` over the paged listing); here they read everything rather than
the due domains of one registrar.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

from core.settings import Settings
from opclient import OpenproviderClient
from outbox.sync.decisions import OpenproviderSide, WhmcsSide
from outbox.sync.importer import PAGE_SIZE, latest_by_name, mirrored_fields
from outbox.sync.reading import list_account, openprovider_side
from whmcsapi import ClientDomain, WhmcsClient

Progress = Callable[[int, int], None]
# The registrar module's name in WHMCS: what transfers in and imports set.
MODULE_REGISTRAR = "opbridge"


@dataclasses.dataclass(frozen=True, slots=True)
class WhmcsDomain:
    registrar: str
    side: WhmcsSide


@dataclasses.dataclass
class Portfolio:
    whmcs: dict[str, WhmcsDomain]
    whmcs_listed: int
    account: dict[str, OpenproviderSide]
    account_calls: int
    invalid_names: list[str]


def ours(settings: Settings) -> frozenset[str]:
    """Registrar names (lower case) whose WHMCS domains opbridge answers for."""
    return frozenset({settings.whmcs_registrar.strip().lower(), MODULE_REGISTRAR})


def read_whmcs(whmcs: WhmcsClient) -> tuple[int, dict[str, WhmcsDomain], list[str]]:
    listed, chosen, invalid = latest_by_name(whmcs.iter_clients_domains(page_size=PAGE_SIZE), lambda row: True,
                                             _fields)
    return listed, {name: _whmcs_domain(fields) for name, fields in chosen.items()}, invalid


def _fields(row: ClientDomain) -> tuple:
    return mirrored_fields(row, row.registrar)


def _whmcs_domain(fields: tuple) -> WhmcsDomain:
    domain_id, client_id, registrar, status, expiry, next_due, do_not_renew, id_protection = fields
    return WhmcsDomain(registrar, WhmcsSide(domain_id, client_id, status, expiry, next_due, bool(do_not_renew),
                                            bool(id_protection)))


def read_account(client: OpenproviderClient, expiry_source: str,
                 progress: Progress | None = None) -> tuple[dict[str, OpenproviderSide], int]:
    return list_account(client, lambda domain: openprovider_side(domain, expiry_source), progress=progress)


def read_portfolio(whmcs: WhmcsClient, client: OpenproviderClient, expiry_source: str,
                   progress: Progress | None = None) -> Portfolio:
    listed, whmcs_domains, invalid = read_whmcs(whmcs)
    account, calls = read_account(client, expiry_source, progress)
    return Portfolio(whmcs_domains, listed, account, calls, invalid)
