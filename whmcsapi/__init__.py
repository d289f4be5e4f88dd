"""WHMCS external API client (``whmcsapi.client``) and its simulator (``whmcssandbox``)."""
from whmcsapi.calls import CallRecord
from whmcsapi.client import WhmcsClient
from whmcsapi.errors import (
    WhmcsAuthenticationError,
    WhmcsError,
    WhmcsPermanentError,
    WhmcsTransientError,
    WhmcsValidationError,
)
from whmcsapi.models import (
    DOMAIN_ITEM_TYPES,
    DOMAIN_STATUSES,
    INVOICE_STATUSES,
    ClientDomain,
    Invoice,
    InvoiceItem,
    InvoiceSummary,
    Page,
)

__all__ = [
    "DOMAIN_ITEM_TYPES",
    "DOMAIN_STATUSES",
    "INVOICE_STATUSES",
    "CallRecord",
    "ClientDomain",
    "Invoice",
    "InvoiceItem",
    "InvoiceSummary",
    "Page",
    "WhmcsAuthenticationError",
    "WhmcsClient",
    "WhmcsError",
    "WhmcsPermanentError",
    "WhmcsTransientError",
    "WhmcsValidationError",
]
