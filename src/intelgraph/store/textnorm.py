"""One text normalisation for indexing and querying, identical on both backends."""

from __future__ import annotations

import re
import unicodedata

from intelgraph.errors import InvalidInput

_TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_TOKENS = 32


def fold(text: str) -> str:
    """Lower-case, strip diacritics (``Müller`` → ``muller``), keep word characters."""
    if text.isascii():
        return " ".join(_TOKEN.findall(text.lower()))
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_TOKEN.findall(stripped))


def query_tokens(query: str) -> list[str]:
    """Search terms of a user query; every term must match, the last as a prefix."""
    tokens = fold(query).split()
    if not tokens:
        raise InvalidInput(
            "the search query has no words", hint="search for a name, number or keyword"
        )
    if len(tokens) > MAX_QUERY_TOKENS:
        raise InvalidInput(f"the search query has more than {MAX_QUERY_TOKENS} words")
    return tokens


__all__ = ["fold", "query_tokens"]
