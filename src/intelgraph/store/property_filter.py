"""Property filters of a search: which catalog properties a name means, and the values
to look for.

A filter value is compared with stored values ignoring the case of A-Z. It also
matches the value's canonical form for the property's type (``+44 20 7946 0000``
finds the stored ``+442079460000``), because stored values are canonical.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from intelgraph.errors import InvalidInput, InvalidValue, OntologyError
from intelgraph.store.reader import storable
from intelgraph.store.search import PropertyMatch, fold_ascii

if TYPE_CHECKING:
    from intelgraph.ontology import Ontology
    from intelgraph.ontology.schema import Property

MAX_PROPERTY_FILTERS = 20
MAX_FILTER_VALUE = 65_536  # the longest value the store keeps


def property_definitions(
    ontology: Ontology, types: Sequence[str] | None, name: str
) -> list[Property]:
    """The definitions of ``name`` on ``types`` (and their subtypes), or on any type;
    ``unknown_property`` naming it when there is none."""
    if types is None:
        schemata = list(ontology)
    else:
        wanted = [ontology.get(t).name for t in types]  # unknown types: unknown_schema
        schemata = [s for s in ontology if any(s.is_a(t) for t in wanted)]
    found = [s.properties[name] for s in schemata if name in s.properties]
    if found:
        return found
    known = sorted({p for s in schemata for p in s.properties})
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    where = "no type" if types is None else f"none of the types {', '.join(types) or '(none)'}"
    raise OntologyError(
        f"{where} has a property {name!r}",
        hint=f"did you mean {', '.join(close)}?" if close else "see the ontology query",
        details={"property": name},
        code="unknown_property",
    )


def private_schemata(ontology: Ontology, name: str, classes: Sequence[str]) -> frozenset[str]:
    """Types on whose entities a value of ``name`` may be withheld: where it is of one of
    ``classes`` on the type or on any of its subtypes (an entity stored under a type is
    shown under its most specific one)."""
    private = [
        s for s in ontology if name in s.properties and s.properties[name].privacy in classes
    ]
    return frozenset(s.name for s in ontology if any(p.is_a(s.name) for p in private))


def resolve(
    ontology: Ontology, types: Sequence[str] | None, matches: Sequence[PropertyMatch]
) -> tuple[PropertyMatch, ...]:
    """``matches`` checked, with the folded values to look for filled in."""
    if len(matches) > MAX_PROPERTY_FILTERS:
        raise InvalidInput(
            f"the filter has {len(matches)} property conditions; at most "
            f"{MAX_PROPERTY_FILTERS} are allowed",
            hint="combine fewer conditions",
        )
    out = []
    for match in matches:
        value = match.value.strip()
        if not value or len(value) > MAX_FILTER_VALUE or not storable(value):
            raise InvalidInput(
                f"the value of the property filter {match.name!r} must be 1 to "
                f"{MAX_FILTER_VALUE:,} characters of text",
                details={"property": match.name},
            )
        terms = {value}
        for definition in property_definitions(ontology, types, match.name):
            try:
                terms.add(definition.normalize(value))
            except InvalidValue:
                continue  # not a valid value of this type: it can only match as given
        out.append(replace(match, terms=tuple(sorted(fold_ascii(t) for t in terms))))
    return tuple(out)


__all__ = ["MAX_PROPERTY_FILTERS", "private_schemata", "property_definitions", "resolve"]
