"""The TLD catalogue: every extension Openprovider sells, its prices and facts and the
registry data it needs, kept in the ``tlds`` table by ``refresh`` and read by the CLI,
the admin API, the registrar module's imports and the margin audit."""
from outbox.catalogue.entries import RegistryField, TldEntry, all_entries, entry_for
from outbox.catalogue.refresh import RefreshSummary, refresh_catalogue

__all__ = ["RefreshSummary", "RegistryField", "TldEntry", "all_entries", "entry_for", "refresh_catalogue"]
