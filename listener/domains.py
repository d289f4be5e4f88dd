"""Domain names as the outbox keys them: lower-case punycode without the trailing dot."""
from __future__ import annotations

from opclient.names import InvalidDomainName, to_ascii


def normalise_domain(text: str) -> str:
    """Return ``text`` as an A-label domain name, or raise ValueError saying what is wrong.

    WHMCS may send either the Unicode form a client typed or punycode; both map to one
    aggregate key through the client's own IDNA 2008 encoding, so the listener and the
    dispatcher can never disagree about a name.
    """
    if not text.strip():
        raise ValueError("must not be empty")
    try:
        name = to_ascii(text)
    except InvalidDomainName as error:
        raise ValueError(f"is not a valid domain name ({error})") from None
    labels = name.split(".")
    if len(labels) < 2:
        raise ValueError("needs at least a name and a top-level domain, such as example.com")
    if labels[-1].isdigit():
        raise ValueError("must end in a top-level domain, not a number")
    return name
