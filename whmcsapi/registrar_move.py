"""Hand WHMCS's domains from one registrar module to another.

Moving from the official ``openprovider`` module to ``opbridge`` changes only which module
WHMCS calls for each domain; the domains stay in the same Openprovider account, so nothing
is ordered, transferred or renewed by the move. It goes through WHMCS's external API
(``GetClientsDomains``, then ``UpdateClientDomain`` with ``registrar``) one domain at a
time, so a run stopped half-way is finished by running it again. The TLDs' Auto
Registration setting has no API call: docs/whmcs.md gives the SQL statement.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from whmcsapi.client import WhmcsClient
from whmcsapi.errors import WhmcsAuthenticationError, WhmcsError
from whmcsapi.models import ClientDomain

COLUMNS = ("domain_id", "domain", "status", "from", "to", "outcome")


@dataclasses.dataclass(frozen=True)
class Move:
    domain: ClientDomain
    target: str
    outcome: str  # "moved", "would move" (dry run) or "failed: <WHMCS's message>"

    def record(self) -> dict[str, object]:
        return {"domain_id": self.domain.id, "domain": self.domain.domain, "status": self.domain.status,
                "from": self.domain.registrar, "to": self.target, "outcome": self.outcome}


def domains_to_move(domains: Iterable[ClientDomain], source: str, tlds: frozenset[str]) -> Iterator[ClientDomain]:
    """The domains on ``source`` (any case), of the given TLDs when some are given."""
    for domain in domains:
        tld = domain.domain.lower().split(".", 1)[-1]
        if domain.registrar.lower() == source.lower() and (not tlds or tld in tlds):
            yield domain


def move_domains(client: WhmcsClient, source: str, target: str, *, tlds: frozenset[str] = frozenset(),
                 dry_run: bool = False) -> list[Move]:
    moves = []
    for domain in list(domains_to_move(client.iter_clients_domains(), source, tlds)):
        if dry_run:
            moves.append(Move(domain, target, "would move"))
            continue
        try:
            client.update_client_domain(domain.id, registrar=target)
        except WhmcsAuthenticationError:
            raise  # every further call would be refused the same way
        except WhmcsError as error:
            moves.append(Move(domain, target, f"failed: {error}"))
            continue
        moves.append(Move(domain, target, "moved"))
    return moves
