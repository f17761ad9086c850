"""Every property type: good values normalise as documented, bad ones are refused."""

from __future__ import annotations

import pytest

from intelgraph.errors import InvalidValue, OntologyError
from intelgraph.ontology import TYPES, get_type

GOOD = [
    ("name", "  Jane \t  Doe\n", "Jane Doe"),
    ("name", "Cafe\u0301 Müller", "Café Müller"),
    ("text", "  line one\r\nline two  ", "line one\nline two"),
    ("identifier", "  HRB 12345 ", "HRB 12345"),
    ("keyword", " Attributed  To ", "attributed-to"),
    ("date", "2023", "2023"),
    ("date", "2023-02", "2023-02"),
    ("date", "2024-02-29", "2024-02-29"),
    ("date", "2023-02-28T12:30", "2023-02-28T12:30"),
    ("date", "2023-02-28T12:30:15Z", "2023-02-28T12:30:15"),
    ("date", "2023-02-28 12:30:15.123456", "2023-02-28T12:30:15"),
    ("date", "2023-03-01T01:00:00+02:00", "2023-02-28T23:00:00"),
    ("date", "2018-10-17T00:14:20.652Z", "2018-10-17T00:14:20"),
    ("date", "2023-01-01T00:00-0130", "2023-01-01T01:30"),
    ("country", "DE", "de"),
    ("country", "deu", "de"),
    ("country", "Germany", "de"),
    ("country", "Deutschland", "de"),
    ("country", "United States of America", "us"),
    ("country", "the Netherlands", "nl"),
    ("country", "Russia", "ru"),
    ("country", "UK", "gb"),
    ("country", "Kosovo", "xk"),
    ("email", " Jane.Doe@Example.ORG ", "Jane.Doe@example.org"),
    ("email", "mailto:info@bücher.de", "info@xn--bcher-kva.de"),
    ("phone", "+49 30 1234567", "+49301234567"),
    ("phone", "0049 (30) 123-4567", "+49301234567"),
    ("phone", "+1 (650) 253-0000", "+16502530000"),
    ("url", "HTTPS://Example.COM", "https://example.com/"),
    ("url", "http://example.com:80/a/b?q=1#frag", "http://example.com/a/b?q=1#frag"),
    ("url", "https://example.com:8443/x", "https://example.com:8443/x"),
    ("url", "ftp://user@files.example.org/pub", "ftp://user@files.example.org/pub"),
    ("url", "http://[2001:DB8:0:0::1]:8080/", "http://[2001:db8::1]:8080/"),
    ("domain", "WWW.Example.COM.", "www.example.com"),
    ("domain", "bücher.de", "xn--bcher-kva.de"),
    ("identifier", "T1055.011", "T1055.011"),
    ("amount", "1,234.50 EUR", "1234.50 EUR"),
    ("amount", "EUR 1234.5", "1234.5 EUR"),
    ("amount", "€1,000,000", "1000000 EUR"),
    ("amount", "-12 usd", "-12 USD"),
    ("number", "1,234.50", "1234.50"),
    ("number", " +42 ", "42"),
    ("number", "007", "7"),
    ("number", "1e3", "1000"),
    ("number", "-0.0", "0.0"),
    ("number", ".5", "0.5"),
    ("ip", "192.0.2.1", "192.0.2.1"),
    ("ip", "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
    ("ip", "[::ffff:0:1]", "::ffff:0:1"),
    ("ip", "fe80:0:0:0:0:0:0:1", "fe80::1"),
    ("hash", "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"),
    ("hash", "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709",
     "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ("hash", "SHA-256:" + "E3B0C44298FC1C14" * 4, "e3b0c44298fc1c14" * 4),
    ("hash", "a" * 128, "a" * 128),
    ("boolean", "Yes", "true"),
    ("boolean", "0", "false"),
    ("entity", "  abc-123  ", "abc-123"),
]  # fmt: skip

BAD = [
    ("name", "   ", "name"),
    ("name", "bad\x00name", "control"),
    ("text", "", "text"),
    ("identifier", "two\nlines", "single-line"),
    ("keyword", " ", "keyword"),
    ("date", "2023-02-30", "day from 01 to 28"),
    ("date", "2023-02-29", "day"),
    ("date", "2023-13", "month"),
    ("date", "2023-00-10", "month"),
    ("date", "23-01-01", "ISO 8601"),
    ("date", "01/02/2023", "ISO 8601"),
    ("date", "2023-01-01T24:00", "time"),
    ("date", "2023-01-01T12:61", "time"),
    ("date", "0000", "year"),
    ("date", "yesterday", "ISO 8601"),
    ("country", "Atlantis", "country"),
    ("country", "", "country"),
    ("email", "jane.doe", "email address"),
    ("email", "jane doe@example.org", "email address"),
    ("email", "jane@localhost", "domain"),
    ("email", "@example.org", "email address"),
    ("phone", "12345", "phone"),
    ("phone", "030 1234567", "region hint"),
    ("phone", "+1 200 555 0100", "numbering plan"),
    ("phone", "call me", "phone"),
    ("url", "example.com/page", "http"),
    ("url", "mailto:jane@example.org", "http"),
    ("url", "javascript:alert(1)", "http"),
    ("url", "http://exa mple.com", "URL"),
    ("url", "http:///path", "URL"),
    ("url", "http://example.com:99999/", "URL"),
    ("domain", "localhost", "host name"),
    ("domain", "-bad-.com", "host name"),
    ("domain", "exa_mple.com", "host name"),
    ("domain", "example.123", "host name"),
    ("amount", "1234.50", "currency"),
    ("amount", "12 XYZ", "ISO 4217"),
    ("amount", "twelve EUR", "amount"),
    ("number", "1,5", "decimal"),
    ("number", "1.2.3", "decimal"),
    ("number", "NaN", "decimal"),
    ("number", "Infinity", "decimal"),
    ("number", "12abc", "decimal"),
    ("number", "", "decimal"),
    ("ip", "256.1.1.1", "IPv4"),
    ("ip", "1.2.3", "IPv4"),
    ("ip", "2001:db8:::1", "IPv6"),
    ("hash", "abc", "hex"),
    ("hash", "g" * 32, "hex"),
    ("hash", "a" * 33, "hex"),
    ("hash", "md5:" + "a" * 40, "32 hex digits for md5"),
    ("hash", "crc32:" + "a" * 32, "hex"),
    ("boolean", "maybe", "true or false"),
    ("entity", "has space", "no whitespace"),
    ("entity", "", "entity"),
    ("entity", "x" * 300, "entity"),
]  # fmt: skip


@pytest.mark.parametrize(("type_name", "raw", "expected"), GOOD)
def test_good_values_normalise(type_name: str, raw: str, expected: str) -> None:
    ptype = get_type(type_name)
    assert ptype.normalize(raw) == expected
    assert ptype.normalize(expected) == expected  # idempotent
    assert ptype.is_valid(raw)


@pytest.mark.parametrize(("type_name", "raw", "fragment"), BAD)
def test_bad_values_are_refused_with_a_reason(type_name: str, raw: str, fragment: str) -> None:
    ptype = get_type(type_name)
    with pytest.raises(InvalidValue) as info:
        ptype.normalize(raw)
    error = info.value
    assert error.code == "invalid_value"
    assert error.hint is not None
    assert error.hint.startswith("expected")
    assert fragment.lower() in str(error).lower()
    assert not ptype.is_valid(raw)


def test_phone_region_hint_accepts_country_names() -> None:
    phone = get_type("phone")
    assert phone.normalize("030 1234567", "Germany") == "+49301234567"
    assert phone.normalize("(650) 253-0000", "us") == "+16502530000"
    assert phone.normalize("+49 30 1234567", "us") == "+49301234567"  # explicit code wins


def test_every_type_has_a_table_row_and_flags() -> None:
    covered = {row[0] for row in GOOD} & {row[0] for row in BAD}
    assert covered == set(TYPES)
    assert get_type("name").matchable
    assert get_type("name").searchable
    assert get_type("text").searchable
    assert not get_type("text").matchable
    assert not get_type("amount").searchable


def test_unknown_type_and_non_string_values() -> None:
    with pytest.raises(OntologyError) as info:
        get_type("dat")
    assert info.value.hint is not None
    assert "date" in info.value.hint
    with pytest.raises(InvalidValue):
        get_type("number").normalize(5)  # type: ignore[arg-type]
