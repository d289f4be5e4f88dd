"""The simulated actions that find clients and add domain orders.

``GetClients`` (developers.whmcs.com/api-reference/getclients) and ``AddOrder``
(…/addorder), with the parameters and answers those pages document; AddOrder takes
domains only, as the import and the bulk transfer use it, priced from the sandbox's
TLD pricing (whmcssandbox.pricing) as WHMCS prices an order.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal

from whmcssandbox import form as fields
from whmcssandbox.actions import Form, action, paged
from whmcssandbox.errors import ApiError
from whmcssandbox.records import Client, Domain
from whmcssandbox.state import SandboxState

DOMAIN_TYPES = {"register": "Register", "transfer": "Transfer"}
# AddOrder's per-domain arrays (``domain[0]``, ``domaintype[0]``…) and its order-wide flags.
DOMAIN_ARRAYS = ("domain", "domaintype", "regperiod", "idprotection", "dnsmanagement", "emailforwarding")
PAYMENT_METHODS = ("banktransfer", "mailin", "paypal")


@action("GetClients")
def get_clients(state: SandboxState, form: Form) -> dict:
    # "The search term to look for at the start of email, firstname, lastname, fullname or companyname".
    term = form.get("search", "").strip().lower()
    rows = [client for client in state.clients.values() if not term or _starts(client, term)]
    if form.get("sorting", "ASC").upper() == "DESC":
        rows.reverse()
    return paged(form, rows, "client", _client)


def _starts(client: Client, term: str) -> bool:
    full_name = f"{client.firstname} {client.lastname}"
    return any(value.lower().startswith(term) for value in
               (client.email, client.firstname, client.lastname, full_name, client.companyname))


def _client(client: Client) -> dict:
    return {"id": str(client.id), "firstname": client.firstname, "lastname": client.lastname,
            "companyname": client.companyname, "email": client.email, "datecreated": "2016-01-01",
            "groupid": "0", "status": "Active"}


@action("AddOrder")
def add_order(state: SandboxState, form: Form) -> dict:
    client_id = fields.integer("clientid", form.get("clientid", ""))
    if client_id not in state.clients:
        raise ApiError("Client ID Not Found")
    method = form.get("paymentmethod", "")
    if method not in PAYMENT_METHODS:
        raise ApiError(f"Invalid Payment Method. Valid options include {','.join(PAYMENT_METHODS)}")
    items = _domain_items(form)
    if not items:
        raise ApiError("No items added to cart so order cannot proceed")
    order_id = state.new_id("order")
    today = datetime.date.today()
    ids = []
    for item in items:
        kind = DOMAIN_TYPES.get(item.get("domaintype", "register"))
        if kind is None:
            raise ApiError(f"Invalid domaintype {item.get('domaintype')!r}")
        price = state.tld_pricing.get(item["domain"].partition(".")[2], {})
        period = fields.integer("regperiod", item.get("regperiod", ""), 1)
        first = price.get(kind.lower(), {}).get(str(period), "0.00")
        domain = Domain(
            id=state.new_id("domain"), userid=client_id, domain=item["domain"].strip().lower(), registrar="",
            status="Pending", regdate=today, expirydate=None, nextduedate=today, nextinvoicedate=today,
            regtype=kind, regperiod=period, firstpaymentamount=Decimal(first),
            recurringamount=Decimal(price.get("renew", {}).get("1", "0.00")), paymentmethod=method, orderid=order_id,
            idprotection=fields.flag(item.get("idprotection", "")),
            dnsmanagement=fields.flag(item.get("dnsmanagement", "")),
            emailforwarding=fields.flag(item.get("emailforwarding", "")),
        )
        state.add_domain(domain)
        ids.append(str(domain.id))
    state.orders.append({"id": order_id, "clientid": client_id, "domainids": ids, "status": "Pending",
                         "noinvoice": fields.flag(form.get("noinvoice", "")),
                         "noemail": fields.flag(form.get("noemail", ""))})
    return {"orderid": str(order_id), "serviceids": "", "addonids": "", "domainids": ",".join(ids), "invoiceid": "0"}


def _domain_items(form: Mapping[str, str]) -> list[dict[str, str]]:
    """The per-domain arrays, ``domain[0]=a.com&domaintype[0]=register``, as one dict a domain."""
    items: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        found = re.fullmatch(r"([a-z]+)\[(\d+)\]", key)
        if found and found.group(1) in DOMAIN_ARRAYS:
            items.setdefault(int(found.group(2)), {})[found.group(1)] = value
    return [items[index] for index in sorted(items) if items[index].get("domain")]
