"""Property types as data: a name, a normaliser and how the type behaves in search/matching.

``matchable`` types are good evidence for entity resolution (two entities sharing a
normalised value are likely the same); ``searchable`` types go into the full-text index.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from intelgraph.errors import InvalidValue, OntologyError
from intelgraph.ontology import normalizers as n


@dataclass(frozen=True, slots=True)
class PropertyType:
    """A value type: ``normalize`` returns the canonical string or raises ``InvalidValue``."""

    name: str
    label: str
    description: str
    normalizer: n.Normalizer
    matchable: bool = False
    searchable: bool = False

    def normalize(self, raw: str, hint: str | None = None) -> str:
        """Canonical form of ``raw``; ``hint`` is a context value (a region for phones)."""
        if not isinstance(raw, str):
            raise InvalidValue(
                f"{self.name} values must be strings, got {type(raw).__name__}",
                hint="convert the value to text before normalising it",
            )
        return self.normalizer(raw, hint)

    def is_valid(self, raw: str, hint: str | None = None) -> bool:
        try:
            self.normalize(raw, hint)
        except InvalidValue:
            return False
        return True


# name, label, normaliser, flags (m = matchable, s = searchable), description
_ROWS: tuple[tuple[str, str, n.Normalizer, str, str], ...] = (
    ("name", "Name", n.norm_name, "ms", "A name; whitespace collapsed, NFC."),
    ("text", "Text", n.norm_text, "s", "Free text; trimmed, NFC, newlines kept."),
    ("identifier", "Identifier", n.norm_identifier, "ms", "A code or number, trimmed."),
    ("keyword", "Keyword", n.norm_keyword, "s", "A vocabulary token, lowercase, hyphenated."),
    ("date", "Date", n.norm_date, "m", "ISO 8601 date or datetime, precision kept, UTC."),
    ("country", "Country", n.norm_country, "m", "ISO 3166-1 alpha-2 code, lowercase."),
    ("email", "E-mail", n.norm_email, "ms", "An e-mail address, domain lowercased."),
    ("phone", "Phone", n.norm_phone, "ms", "A phone number in E.164 form."),
    ("url", "URL", n.norm_url, "ms", "An http(s)/ftp URL, scheme and host lowercased."),
    ("domain", "Domain", n.norm_domain, "ms", "A host name, lowercase ASCII (punycode)."),
    ("ip", "IP address", n.norm_ip, "ms", "An IPv4 or compressed IPv6 address."),
    ("hash", "Hash", n.norm_hash, "ms", "MD5/SHA-1/SHA-256/SHA-512 digest, lowercase hex."),
    ("number", "Number", n.norm_number, "", "A decimal number."),
    ("amount", "Amount", n.norm_amount, "", "A number and an ISO 4217 currency code."),
    ("boolean", "Boolean", n.norm_boolean, "", "true or false."),
    ("entity", "Entity", n.norm_entity, "", "The id of another entity."),
)

TYPES: Mapping[str, PropertyType] = MappingProxyType(
    {
        name: PropertyType(name, label, description, func, "m" in flags, "s" in flags)
        for name, label, func, flags, description in _ROWS
    }
)


def get_type(name: str) -> PropertyType:
    """The property type called ``name``; ``OntologyError`` with close matches otherwise."""
    try:
        return TYPES[name]
    except KeyError:
        close = difflib.get_close_matches(str(name), TYPES, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else f"one of {', '.join(TYPES)}"
        raise OntologyError(f"unknown property type {name!r}", hint=hint) from None


__all__ = ["TYPES", "PropertyType", "get_type"]
