"""Domain splitting and punycode: known cases, properties, and garbage that must be refused.

Property tests run without a deadline: lazy data loads and a shared machine make timing noisy.
"""
from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from opclient.names import DomainName, InvalidDomainName, split_domain, to_ascii, to_unicode

SUFFIXES = ["com", "nl", "co.uk", "org.uk", "com.cn", "co.jp", "com.au", "xn--p1ai", "de", "eu"]

# LDH labels that IDNA 2008 accepts: no hyphen at either end or in places 3 and 4.
ldh_labels = st.from_regex(
    r"[a-z0-9]([a-z0-9]{0,1}|[a-z0-9]{2}[a-z0-9-]{0,57}[a-z0-9])", fullmatch=True
).filter(lambda label: label[2:4] != "--")


@pytest.mark.parametrize(
    ("text", "name", "extension"),
    [
        ("example.com.cn", "example", "com.cn"),
        ("example.co.uk", "example", "co.uk"),
        ("uk.co.uk", "uk", "co.uk"),
        ("Example.COM", "example", "com"),
        (" example.nl. ", "example", "nl"),
        ("bücher.de", "xn--bcher-kva", "de"),
        ("xn--bcher-kva.de", "xn--bcher-kva", "de"),
        ("ＥＸＡＭＰＬＥ.com", "example", "com"),
        ("пример.рф", "xn--e1afmkfd", "xn--p1ai"),
        ("example.notarealtld", "example", "notarealtld"),
    ],
)
def test_split_known_names(text: str, name: str, extension: str) -> None:
    assert split_domain(text) == DomainName(name, extension)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("com", "extension"),
        ("co.uk", "extension"),
        ("www.example.com", "registrable domain is example.com"),
        ("exa mple.com", "not a valid domain name"),
        ("-example.com", "hyphen"),
        ("ex--ample.com", "hyphen"),
        ("example..com", "Empty Label"),
        ("a" * 64 + ".com", "too long"),
        ("ex_ample.com", "not a valid domain name"),
        ("x" * 2000, "characters long"),
    ],
)
def test_garbage_names_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidDomainName, match=reason):
        split_domain(text)


def test_non_text_is_refused() -> None:
    with pytest.raises(InvalidDomainName, match="must be text"):
        split_domain(123)  # type: ignore[arg-type]


@settings(deadline=None)
@given(label=ldh_labels, extension=st.sampled_from(SUFFIXES))
def test_split_finds_the_label_left_of_the_public_suffix(label: str, extension: str) -> None:
    domain = split_domain(f"{label}.{extension}")
    assert domain == DomainName(label, extension)
    assert domain.ascii == f"{label}.{extension}"


@settings(deadline=None)
@given(label=ldh_labels, extension=st.sampled_from(SUFFIXES))
def test_split_ignores_case_and_the_root_dot(label: str, extension: str) -> None:
    assert split_domain(f"{label.upper()}.{extension.upper()}.") == split_domain(f"{label}.{extension}")


unicode_labels = st.text(
    alphabet=st.characters(whitelist_categories=("Ll", "Lo", "Nd")), min_size=1, max_size=20
)


@settings(deadline=None)
@given(label=unicode_labels, extension=st.sampled_from(SUFFIXES))
@example(label="bücher", extension="de")
@example(label="例え", extension="com")
def test_punycode_round_trips(label: str, extension: str) -> None:
    try:
        ascii_name = to_ascii(f"{label}.{extension}")
    except InvalidDomainName:
        return  # IDNA 2008 disallows some code points and contexts; refusing is correct
    assert ascii_name.isascii() and ascii_name == ascii_name.lower()
    assert to_ascii(to_unicode(ascii_name)) == ascii_name
    domain = split_domain(ascii_name)
    assert split_domain(domain.unicode) == domain
    assert domain.is_idn == (not domain.unicode.isascii())  # UTS 46 may map to plain ASCII (ĳ -> ij)


@settings(deadline=None)
@given(text=st.text(max_size=80))
def test_any_text_splits_or_raises_invalid_domain_name(text: str) -> None:
    try:
        domain = split_domain(text)
    except InvalidDomainName as error:
        assert str(error)
    else:
        assert "." not in domain.name and domain.extension
        assert domain.ascii.isascii()


@given(st.from_regex(r"[A-Za-z0-9-]{1,20}(\.[A-Za-z0-9-]{1,20}){0,3}\.?", fullmatch=True))
def test_plain_ascii_shortcut_agrees_with_idna(text):
    """The fast path for plain names must give what the full IDNA encoding gives, or refuse alike."""
    import idna

    try:
        expected = idna.encode(text.rstrip("."), uts46=True, std3_rules=True).decode("ascii")
    except idna.IDNAError:
        expected = None
    try:
        actual = to_ascii(text)
    except InvalidDomainName:
        actual = None
    assert actual == expected
