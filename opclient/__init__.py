"""Openprovider REST API client: ``OpenproviderClient`` and what it returns and raises.

``opsandbox`` holds a simulator of the same API for tests and demos.
"""

from opclient.client import OpenproviderClient
from opclient.contacts import Contact, InvalidContact
from opclient.errors import (
    AuthenticationError,
    CustomerIdentityChanged,
    DomainNotFound,
    OpenproviderError,
    PermanentError,
    TokenRejected,
    TransientError,
    ZoneNotFound,
)
from opclient.names import DomainName, InvalidDomainName, split_domain
from opclient.calls import CallRecord
from opclient.types import (
    AuthCode,
    CheckResult,
    Customer,
    DnsRecord,
    DnssecKey,
    DnsTemplate,
    DnsZone,
    Domain,
    DomainOrder,
    EmailVerification,
    Handles,
    Money,
    Nameserver,
    OrderDetails,
    Page,
    Tld,
)

__all__ = [
    "AuthCode",
    "AuthenticationError",
    "CallRecord",
    "CheckResult",
    "Contact",
    "Customer",
    "CustomerIdentityChanged",
    "DnsRecord",
    "DnssecKey",
    "DnsTemplate",
    "DnsZone",
    "Domain",
    "DomainName",
    "DomainNotFound",
    "DomainOrder",
    "EmailVerification",
    "Handles",
    "InvalidContact",
    "InvalidDomainName",
    "Money",
    "Nameserver",
    "OpenproviderClient",
    "OpenproviderError",
    "OrderDetails",
    "Page",
    "PermanentError",
    "Tld",
    "TokenRejected",
    "TransientError",
    "ZoneNotFound",
    "split_domain",
]
