"""The simulated WHMCS tables, held as typed Python rows.

Values are stored typed (dates, booleans, decimals) and turned into WHMCS's loose strings
only when answered (``wire``), the way WHMCS keeps MySQL columns and serialises them late.
"""
from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal


@dataclasses.dataclass
class Client:
    id: int
    firstname: str
    lastname: str
    email: str
    companyname: str = ""


@dataclasses.dataclass
class Domain:
    id: int
    userid: int
    domain: str
    registrar: str
    status: str
    regdate: datetime.date | None
    expirydate: datetime.date | None
    nextduedate: datetime.date | None
    nextinvoicedate: datetime.date | None
    regtype: str = "Register"
    regperiod: int = 1
    firstpaymentamount: Decimal = Decimal("0.00")
    recurringamount: Decimal = Decimal("0.00")
    paymentmethod: str = "banktransfer"
    orderid: int = 0
    dnsmanagement: bool = False
    emailforwarding: bool = False
    idprotection: bool = False
    donotrenew: bool = False
    notes: str = ""
    # What each accepted write changed, oldest first: the sandbox's audit trail for tests.
    writes: list[dict] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class InvoiceItem:
    id: int
    type: str
    relid: int
    description: str
    amount: Decimal
    taxed: bool = False


@dataclasses.dataclass
class Invoice:
    id: int
    userid: int
    status: str
    date: datetime.date
    duedate: datetime.date
    datepaid: datetime.datetime | None = None
    paymentmethod: str = "banktransfer"
    notes: str = ""
    items: list[InvoiceItem] = dataclasses.field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal("0.00"))

    @property
    def balance(self) -> Decimal:
        return Decimal("0.00") if self.status == "Paid" else self.total
