"""Domain names as Openprovider wants them: punycode, split into name and extension.

The extension is the ICANN public suffix of the name, so ``example.com.cn`` is
``(example, com.cn)`` and ``uk.co.uk`` is ``(uk, co.uk)``. The suffix rules come from
the Public Suffix List snapshot bundled in the ``publicsuffixlist`` package (ICANN
section only: private suffixes such as ``github.io`` are not registry extensions); it is
read from the installed package, never fetched, and moves forward with package upgrades.
A top-level label the list does not know is taken as the extension, as the list's
default rule says; Openprovider then answers 307 for it if it is not sold.

Labels are checked and converted with IDNA 2008 (the ``idna`` package) after the UTS 46
mapping, so upper case and full-width letters are folded the way browsers fold them.
"""
from __future__ import annotations

import dataclasses
import functools
import re

import idna
from publicsuffixlist import PublicSuffixList

MAX_INPUT_LENGTH = 1024  # far above any valid name; stops pathological input early


class InvalidDomainName(ValueError):
    """The text is not a registrable domain name; the message says why."""


@dataclasses.dataclass(frozen=True)
class DomainName:
    """A registrable domain in lower-case punycode: ``name`` is one label, ``extension`` the rest."""

    name: str
    extension: str

    @property
    def ascii(self) -> str:
        return f"{self.name}.{self.extension}"

    @property
    def unicode(self) -> str:
        return to_unicode(self.ascii)

    @property
    def is_idn(self) -> bool:
        return any(label.startswith("xn--") for label in self.ascii.split("."))

    def as_api(self) -> dict[str, str]:
        return {"name": self.name, "extension": self.extension}

    def __str__(self) -> str:
        return self.ascii


# Letters, digits and inner hyphens, 1-63 per label, and no "??--" label (IDNA 2008
# reserves hyphens in places 3 and 4 for xn-- and the like): IDNA leaves these as they are.
_PLAIN_ASCII = re.compile(r"(?:(?!..--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*(?!..--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
MAX_ASCII_LENGTH = 253


@functools.cache
def _suffix_list() -> PublicSuffixList:
    return PublicSuffixList(only_icann=True)


def to_ascii(text: str) -> str:
    """The lower-case punycode form of a domain name (Unicode or punycode in)."""
    if not isinstance(text, str):
        raise InvalidDomainName(f"a domain name must be text, not {type(text).__name__}")
    cleaned = text.strip()
    if cleaned.endswith("."):
        cleaned = cleaned[:-1]  # the root label; "example.com." names the same domain
    if not cleaned:
        raise InvalidDomainName("the domain name is empty")
    if len(cleaned) > MAX_INPUT_LENGTH:
        raise InvalidDomainName(f"the domain name is {len(cleaned)} characters long")
    lowered = cleaned.lower()
    if _PLAIN_ASCII.fullmatch(lowered) and len(lowered) <= MAX_ASCII_LENGTH:
        return lowered  # what IDNA would return, at a fraction of its cost
    try:
        return idna.encode(cleaned, uts46=True, std3_rules=True).decode("ascii")
    except idna.IDNAError as error:
        raise InvalidDomainName(f"{text!r} is not a valid domain name: {error}") from None


def to_unicode(text: str) -> str:
    """The Unicode form of a domain name, for people to read."""
    ascii_name = to_ascii(text)
    if _PLAIN_ASCII.fullmatch(ascii_name):
        return ascii_name  # letters, digits and inner hyphens only, no "xn--": IDNA returns it as it is
    try:
        return idna.decode(ascii_name)
    except idna.IDNAError as error:
        raise InvalidDomainName(f"{text!r} is not a valid domain name: {error}") from None


def split_domain(text: str | DomainName) -> DomainName:
    """Split a registrable domain into its name label and its public-suffix extension."""
    if isinstance(text, DomainName):
        return text
    ascii_name = to_ascii(text)
    extension = _suffix_list().publicsuffix(ascii_name)
    if extension is None or extension == ascii_name:
        raise InvalidDomainName(f"{text!r} is an extension, not a domain name")
    name = ascii_name[: -len(extension) - 1]
    if "." in name:
        raise InvalidDomainName(
            f"{text!r} is a subdomain; the registrable domain is {name.rsplit('.', 1)[1]}.{extension}"
        )
    return DomainName(name=name, extension=extension)
