"""Domain names as the outbox keys them: lower-case punycode without the trailing dot."""
from __future__ import annotations

import re

import idna

_LDH_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# Already lower-case LDH, no A-label ("xn--"), no trailing dot, not ending in a number:
# the mapping below would return such a name unchanged, and it is what WHMCS sends most.
_PLAIN_LABEL = r"(?!..--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN_NAME = re.compile(rf"(?:{_PLAIN_LABEL}\.)+(?![0-9]+\Z){_PLAIN_LABEL}")
_MAX_NAME = 253


def normalise_domain(text: str) -> str:
    """Return ``text`` as an A-label domain name, or raise ValueError saying what is wrong.

    WHMCS may send either the Unicode form a client typed or punycode; both must map
    to one aggregate key, so the name is mapped with UTS 46 and encoded with IDNA 2008.
    """
    candidate = text.strip()
    if not candidate:
        raise ValueError("must not be empty")
    if len(candidate) <= _MAX_NAME and _PLAIN_NAME.fullmatch(candidate):
        return candidate
    try:
        encoded = idna.encode(candidate, uts46=True, std3_rules=True).decode("ascii")
    except idna.IDNAError as error:
        raise ValueError(f"is not a valid domain name ({error})") from None
    name = encoded.removesuffix(".")
    labels = name.split(".")
    if len(labels) < 2:
        raise ValueError("needs at least a name and a top-level domain, such as example.com")
    if not all(_LDH_LABEL.match(label) for label in labels):
        raise ValueError("may only use letters, digits and inner hyphens in each label")
    if labels[-1].isdigit():
        raise ValueError("must end in a top-level domain, not a number")
    return name
