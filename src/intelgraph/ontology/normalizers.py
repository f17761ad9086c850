"""Value normalisers: one function per property type, raw string in, canonical string out.

Every statement value passes through one of these before it is stored, so that the
same fact from two sources compares equal and ids built from it are stable. Each
function is idempotent and raises ``InvalidValue`` saying what is wrong and which
form is expected.
"""

from __future__ import annotations

import calendar
import ipaddress
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit, urlunsplit

import phonenumbers
import pycountry

from intelgraph.errors import InvalidValue

Normalizer = Callable[[str, str | None], str]

_WS = re.compile(r"\s+")


def _bad(raw: str, what: str, expected: str) -> InvalidValue:
    shown = raw if len(raw) <= 80 else raw[:77] + "..."
    return InvalidValue(f"{shown!r} is not a valid {what}", hint=f"expected {expected}")


def _clean(raw: str) -> str:
    """NFC, trimmed, with control characters (other than whitespace) rejected."""
    text = unicodedata.normalize("NFC", raw).strip()
    for ch in text:
        if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r":
            raise _bad(raw, "value", "text without control characters")
    return text


def collapse(raw: str) -> str:
    """NFC with runs of whitespace collapsed to one space; no leading/trailing space."""
    return _WS.sub(" ", unicodedata.normalize("NFC", raw)).strip()


def norm_name(raw: str, hint: str | None = None) -> str:
    text = collapse(_clean(raw))
    if not text:
        raise _bad(raw, "name", "a non-empty name")
    return text


def norm_text(raw: str, hint: str | None = None) -> str:
    text = _clean(raw).replace("\r\n", "\n").replace("\r", "\n")
    if not text:
        raise _bad(raw, "text", "non-empty text")
    return text


def norm_identifier(raw: str, hint: str | None = None) -> str:
    text = _clean(raw)
    if not text or "\n" in text:
        raise _bad(raw, "identifier", "a non-empty single-line identifier")
    return text


def norm_keyword(raw: str, hint: str | None = None) -> str:
    text = collapse(_clean(raw)).lower().replace(" ", "-")
    if not text:
        raise _bad(raw, "keyword", "a non-empty keyword such as 'attributed-to'")
    return text


def norm_entity(raw: str, hint: str | None = None) -> str:
    text = raw.strip()
    if not text or any(ch.isspace() for ch in text) or len(text) > 256:
        raise _bad(raw, "entity reference", "an entity id: 1-256 characters, no whitespace")
    return text


_TRUE = {"true", "yes", "y", "1", "t", "on"}
_FALSE = {"false", "no", "n", "0", "f", "off"}


def norm_boolean(raw: str, hint: str | None = None) -> str:
    text = raw.strip().lower()
    if text in _TRUE:
        return "true"
    if text in _FALSE:
        return "false"
    raise _bad(raw, "boolean", "true or false (also yes/no, 1/0)")


# --- dates -------------------------------------------------------------------------------

_DATE = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?)?)?$",
    re.IGNORECASE,
)
_DATE_FORM = "an ISO 8601 date: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]"


def norm_date(raw: str, hint: str | None = None) -> str:
    """Keep the precision given; datetimes with an offset are converted to UTC.

    Output is ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM`` or
    ``YYYY-MM-DDTHH:MM:SS``; datetimes are UTC without a suffix and fractions of a
    second are dropped (sources rarely agree below one second).
    """
    match = _DATE.match(raw.strip())
    if match is None:
        raise _bad(raw, "date", _DATE_FORM)
    g = match.groupdict()
    year = int(g["y"])
    if year < 1:
        raise _bad(raw, "date", "a year from 0001")
    if g["m"] is None:
        return f"{year:04d}"
    month = int(g["m"])
    if not 1 <= month <= 12:
        raise _bad(raw, "date", f"a month from 01 to 12 in {_DATE_FORM}")
    if g["d"] is None:
        return f"{year:04d}-{month:02d}"
    day = int(g["d"])
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise _bad(raw, "date", f"a day from 01 to {last:02d} for {year:04d}-{month:02d}")
    if g["H"] is None:
        return f"{year:04d}-{month:02d}-{day:02d}"
    hour, minute = int(g["H"]), int(g["M"])
    second = int(g["S"]) if g["S"] is not None else 0
    if hour > 23 or minute > 59 or second > 59:
        raise _bad(raw, "date", "a time from 00:00:00 to 23:59:59")
    when = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    tz = g["tz"]
    if tz and tz.upper() != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if offset >= timedelta(hours=24):
            raise _bad(raw, "date", "a UTC offset below 24 hours")
        try:
            when = when.replace(tzinfo=timezone(sign * offset)).astimezone(UTC)
        except OverflowError:
            raise _bad(raw, "date", "a datetime that stays within years 0001-9999 in UTC") from None
    # Formatted by hand: strftime does not zero-pad years below 1000 on every platform.
    text = f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}"
    return text if g["S"] is None else f"{text}:{when.second:02d}"


# --- places and contact points -------------------------------------------------------------

_COUNTRY_ALIASES = {
    "britain": "gb",
    "burma": "mm",
    "cape verde": "cv",
    "deutschland": "de",
    "dr congo": "cd",
    "east timor": "tl",
    "england": "gb",
    "great britain": "gb",
    "holland": "nl",
    "ivory coast": "ci",
    "kosovo": "xk",
    "macedonia": "mk",
    "palestine": "ps",
    "russia": "ru",
    "swaziland": "sz",
    "turkey": "tr",
    "uk": "gb",
    "vatican": "va",
    "xk": "xk",
    "xkx": "xk",
}


def norm_country(raw: str, hint: str | None = None) -> str:
    """ISO 3166-1 alpha-2, lowercase; accepts alpha-2/3 codes, English names, common names."""
    text = collapse(raw).lower()
    if text.startswith("the "):
        text = text[4:]
    if text in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[text]
    if text:
        try:
            country = pycountry.countries.lookup(text)
        except LookupError:
            pass
        else:
            return str(country.alpha_2).lower()
    raise _bad(raw, "country", "an ISO 3166-1 code ('de', 'DEU') or an English country name")


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def norm_domain(raw: str, hint: str | None = None) -> str:
    """Lowercase ASCII (punycode) host name with at least two labels."""
    text = unicodedata.normalize("NFC", raw.strip()).lower().rstrip(".")
    try:
        ascii_name = text.encode("idna").decode("ascii") if text else ""
    except UnicodeError:
        ascii_name = ""
    labels = ascii_name.split(".")
    if (
        len(labels) < 2
        or len(ascii_name) > 253
        or not all(_LABEL.match(label) for label in labels)
        or not (labels[-1].isalpha() or labels[-1].startswith("xn--"))
    ):
        raise _bad(raw, "domain name", "a host name such as 'example.org'")
    return ascii_name


def norm_email(raw: str, hint: str | None = None) -> str:
    """``local@domain``: the domain lowercased (punycode), the local part kept as given."""
    text = raw.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    local, at, domain = text.rpartition("@")
    if (
        not at
        or not local
        or len(local) > 64
        or any(ch.isspace() or ch in '<>()[]\\,;:"@' for ch in local)
    ):
        raise _bad(raw, "email address", "an address such as 'jane.doe@example.org'")
    try:
        host = norm_domain(domain)
    except InvalidValue:
        raise _bad(raw, "email address", "an address with a valid domain") from None
    return f"{unicodedata.normalize('NFC', local)}@{host}"


def _region(hint: str | None) -> str | None:
    if not hint:
        return None
    try:
        return norm_country(hint).upper()
    except InvalidValue:
        return None


def norm_phone(raw: str, hint: str | None = None) -> str:
    """E.164 (``+4930123456``). ``hint`` is a country for numbers written without one."""
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    region = _region(hint)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        expected = "an international number such as '+49 30 1234567'"
        if not text.startswith("+") and region is None:
            expected += " (or give a region hint for national numbers)"
        raise _bad(raw, "phone number", expected) from None
    if not phonenumbers.is_valid_number(number):
        raise _bad(raw, "phone number", "a number that exists in its country's numbering plan")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def norm_ip(raw: str, hint: str | None = None) -> str:
    """IPv4 dotted quad or compressed IPv6."""
    text = raw.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        expected = "an IPv4 ('192.0.2.1') or IPv6 ('2001:db8::1') address"
        raise _bad(raw, "IP address", expected) from None


_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}


def norm_url(raw: str, hint: str | None = None) -> str:
    """Scheme http/https/ftp; scheme and host lowercased, default port and empty path fixed."""
    text = raw.strip()
    expected = "an absolute http, https or ftp URL such as 'https://example.org/page'"
    if not text or any(ch.isspace() for ch in text):
        raise _bad(raw, "URL", expected)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise _bad(raw, "URL", expected) from None
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in _DEFAULT_PORTS or not host:
        raise _bad(raw, "URL", expected)
    try:
        if ":" in host:
            host = f"[{norm_ip(host)}]"
        elif host.replace(".", "").isdigit():
            host = norm_ip(host)
        elif "." in host:
            host = norm_domain(host)
        elif not _LABEL.match(host):
            raise _bad(raw, "URL", expected)
    except InvalidValue:
        raise _bad(raw, "URL", expected) from None
    netloc = host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))


# --- numbers, money, hashes -----------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$")


def norm_number(raw: str, hint: str | None = None) -> str:
    """A plain decimal: thousands commas removed, scale kept (``1,234.50`` → ``1234.50``)."""
    text = raw.strip().replace("_", "").replace("\u202f", "").replace("\u00a0", "")
    expected = "a decimal number such as '1234.5' or '1,234.50' ('.' is the decimal point)"
    if not text or not _NUMBER.match(text) or not any(ch.isdigit() for ch in text):
        raise _bad(raw, "number", expected)
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern above admits only valid input
        raise _bad(raw, "number", expected) from None
    if value == 0:
        value = abs(value)
    return format(value, "f")


_CURRENCY_SYMBOLS = {"€": "EUR", "£": "GBP"}


def norm_amount(raw: str, hint: str | None = None) -> str:
    """``<number> <ISO 4217 code>``: ``'EUR 1,234.50'`` → ``'1234.50 EUR'``."""
    text = collapse(raw)
    for symbol, code in _CURRENCY_SYMBOLS.items():
        text = text.replace(symbol, f" {code} ")
    tokens = text.split()
    expected = "a number and an ISO 4217 currency code such as '1234.50 EUR'"
    if len(tokens) != 2:
        raise _bad(raw, "amount", expected)
    first, second = tokens
    number, code = (second, first) if first.isalpha() else (first, second)
    code = code.upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise _bad(raw, "amount", expected + f" ({code!r} is not an ISO 4217 code)")
    try:
        value = norm_number(number)
    except InvalidValue:
        raise _bad(raw, "amount", expected) from None
    return f"{value} {code}"


_HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
_HEX = re.compile(r"^[0-9a-f]+$")


def norm_hash(raw: str, hint: str | None = None) -> str:
    """Lowercase hex digest of MD5/SHA-1/SHA-256/SHA-512; an ``algo:`` prefix is checked."""
    text = raw.strip().lower()
    algo, sep, digest = text.partition(":")
    if not sep:
        algo, digest = "", text
    algo = algo.replace("-", "")
    expected = "a hex MD5, SHA-1, SHA-256 or SHA-512 digest, optionally 'sha256:<hex>'"
    if not _HEX.match(digest) or len(digest) not in _HASH_LENGTHS.values():
        raise _bad(raw, "hash", expected)
    if algo and _HASH_LENGTHS.get(algo) != len(digest):
        wanted = _HASH_LENGTHS.get(algo)
        detail = f"{wanted} hex digits for {algo}" if wanted else expected
        raise _bad(raw, "hash", detail)
    return digest


__all__ = [
    "Normalizer",
    "collapse",
    "norm_amount",
    "norm_boolean",
    "norm_country",
    "norm_date",
    "norm_domain",
    "norm_email",
    "norm_entity",
    "norm_hash",
    "norm_identifier",
    "norm_ip",
    "norm_keyword",
    "norm_name",
    "norm_number",
    "norm_phone",
    "norm_text",
    "norm_url",
]
