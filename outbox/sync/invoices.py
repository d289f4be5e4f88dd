"""Unpaid renewal invoices whose due date moves with their domain's.

An invoice follows when it is unpaid, bills the domain's renewal (an item of type
``Domain`` for that domain) and is due on the domain's old due date, as WHMCS made it.
Paid invoices and invoices an admin re-dated are left alone. GetInvoices has no domain
filter, so each client's unpaid invoices are listed once per run and only those due on
a moving date are opened.
"""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from outbox.sync.decisions import Decision
from outbox.sync.parallel import map_bounded
from whmcsapi import Invoice, InvoiceSummary, WhmcsClient, WhmcsError

PAGE_SIZE = 500
RENEWAL_ITEM = "Domain"
UNPAID = "Unpaid"


@dataclasses.dataclass(frozen=True)
class InvoiceMove:
    invoice_id: int
    old_due_date: date
    new_due_date: date


@dataclasses.dataclass(frozen=True)
class InvoicePlan:
    moves: tuple[InvoiceMove, ...] = ()
    problem: str | None = None


def renewal_invoices(invoices: Iterable[Invoice], domain_id: int, due_date: date) -> list[Invoice]:
    return [
        invoice for invoice in invoices
        if invoice.status == UNPAID and invoice.due_date == due_date
        and any(item.type == RENEWAL_ITEM and item.related_id == domain_id for item in invoice.items)
    ]


def plan_invoice_moves(whmcs: WhmcsClient, decisions: Sequence[Decision], concurrency: int) -> dict[str, InvoicePlan]:
    """For each decision that moves a due date: the invoices to move, or why none could be checked."""
    moving = [decision for decision in decisions if decision.due_date_move]
    if not moving:
        return {}
    unpaid = _unpaid_by_client(whmcs, {decision.whmcs.client_id for decision in moving}, concurrency)
    old_dates = defaultdict(set)
    for decision in moving:
        old_dates[decision.whmcs.client_id].add(decision.due_date_move[0])
    candidate_ids = sorted({
        summary.id
        for client_id, summaries in unpaid.items() if not isinstance(summaries, str)
        for summary in summaries if summary.due_date in old_dates[client_id]
    })
    opened = dict(zip(candidate_ids, map_bounded(_opened(whmcs), candidate_ids, concurrency)))
    return {decision.domain: _plan(decision, unpaid.get(decision.whmcs.client_id, ()), opened) for decision in moving}


def _unpaid_by_client(whmcs: WhmcsClient, client_ids: set, concurrency: int) -> dict[int, list[InvoiceSummary] | str]:
    def unpaid(client_id: int) -> list[InvoiceSummary] | str:
        try:
            return list(whmcs.iter_invoices(client_id=client_id, status=UNPAID, page_size=PAGE_SIZE))
        except WhmcsError as error:
            return f"WHMCS did not list the client's invoices: {error}"

    ids = sorted(client_ids)
    return dict(zip(ids, map_bounded(unpaid, ids, concurrency)))


def _opened(whmcs: WhmcsClient):  # noqa: ANN202 - a function of an invoice id
    def open_invoice(invoice_id: int) -> Invoice | str:
        try:
            return whmcs.get_invoice(invoice_id)
        except WhmcsError as error:
            return f"WHMCS did not return invoice {invoice_id}: {error}"

    return open_invoice


def _plan(decision: Decision, summaries: list[InvoiceSummary] | str, opened: dict[int, Invoice | str]) -> InvoicePlan:
    if isinstance(summaries, str):
        return InvoicePlan(problem=summaries)
    old, new = decision.due_date_move
    candidates = [opened[summary.id] for summary in summaries if summary.due_date == old]
    problems = [candidate for candidate in candidates if isinstance(candidate, str)]
    invoices = [candidate for candidate in candidates if not isinstance(candidate, str)]
    moves = tuple(InvoiceMove(invoice.id, old, new) for invoice in renewal_invoices(invoices, decision.whmcs.domain_id, old))
    return InvoicePlan(moves, "; ".join(problems) or None)
