"""A domain's DNSSEC keys, set whole through the domain update, checked against its TLD.

The checks are the TLD's published facts (``dnssec_keys_allowed``, ``dnssec_algorithms``,
``dnssec_max_records_amount``); the refusal texts are the sandbox's own wording, as
Openprovider documents no code for them.
"""
from __future__ import annotations

import base64
import binascii

from .errors import invalid_request
from .tlds import Tld

KEY_FLAGS = (256, 257)  # ZSK, KSK
DNSSEC_PROTOCOL = 3


def checked_keys(tld: Tld, keys: list[dict]) -> list[dict]:
    if keys and not (tld.dnssec_allowed and tld.dnssec_keys_allowed):
        raise invalid_request(f"dnssec_keys: .{tld.name} takes no DNSSEC keys")
    if len(keys) > tld.dnssec_max_records_amount:
        raise invalid_request(f"dnssec_keys: .{tld.name} takes at most {tld.dnssec_max_records_amount} keys")
    checked = []
    for index, key in enumerate(keys):
        where = f"dnssec_keys[{index}]"
        if key.get("flags") not in KEY_FLAGS:
            raise invalid_request(f"{where}.flags: must be 256 or 257")
        if key.get("protocol", DNSSEC_PROTOCOL) != DNSSEC_PROTOCOL:
            raise invalid_request(f"{where}.protocol: must be 3")
        if key.get("alg") not in tld.dnssec_algorithms:
            raise invalid_request(f"{where}.alg: .{tld.name} takes algorithms {list(tld.dnssec_algorithms)}")
        try:
            if not base64.b64decode(key.get("pub_key", ""), validate=True):
                raise ValueError("empty")
        except (binascii.Error, ValueError):
            raise invalid_request(f"{where}.pub_key: a public key in base64 is required") from None
        entry = {"flags": key["flags"], "alg": key["alg"], "protocol": DNSSEC_PROTOCOL, "pub_key": key["pub_key"]}
        if entry in checked:
            raise invalid_request(f"{where}: the same key is listed twice")
        checked.append(entry)
    return checked
