"""Whole-portfolio work: the drift between WHMCS and the Openprovider account, bulk
transfers in, and the import of the account's domains into WHMCS."""
