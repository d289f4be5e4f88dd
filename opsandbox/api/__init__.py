"""The Openprovider ``/v1beta`` API, as a blueprint."""
from . import auth, customers, dns, domains, gate, tlds, verifications, zones  # noqa: F401  (they register on bp)
from .blueprint import SPEC_KEY, STATE_KEY, bp

__all__ = ["SPEC_KEY", "STATE_KEY", "bp"]
