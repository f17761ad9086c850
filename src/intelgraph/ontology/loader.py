"""Turning a lint-clean catalog into an ``Ontology``; the shipped catalog is cached."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from intelgraph.errors import OntologyError
from intelgraph.ontology.inherit import Resolved, names, resolve
from intelgraph.ontology.lint import check
from intelgraph.ontology.ontology import Ontology
from intelgraph.ontology.proptypes import TYPES
from intelgraph.ontology.schema import Property, Schema
from intelgraph.ontology.source import RawCatalog, read_catalog

CATALOG_DIR = Path(__file__).with_name("catalog")
_MAX_LISTED = 20


def humanize(name: str) -> str:
    """``birthDate`` → ``Birth date``: a fallback label when the catalog gives none."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).split()
    text = " ".join(w if w.isupper() else w.lower() for w in words)
    return text[:1].upper() + text[1:]


def _text(data: Any, key: str, default: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else default


def _schema(name: str, res: Resolved) -> Schema:
    data = res.raw.data
    required = set(res.required)
    edge = res.edge or {}
    endpoints = {edge["source"], edge["target"]} if edge else set()
    required |= endpoints
    props = {}
    for pname, (owner, spec) in res.props.items():
        props[pname] = Property(
            name=pname,
            schema=owner,
            label=_text(spec, "label", humanize(pname)),
            type=TYPES[spec["type"]],
            description=_text(spec, "description", ""),
            privacy=_text(spec, "privacy", "public"),
            required=pname in required,
            # An edge joins exactly one source to one target.
            multiple=spec.get("multiple", True) is not False and pname not in endpoints,
            range=spec.get("range"),
            stix=spec.get("stix"),
            ftm=spec.get("ftm"),
        )
    label = _text(data, "label", humanize(name))
    return Schema(
        name=name,
        label=label,
        plural=_text(data, "plural", label + "s"),
        description=_text(data, "description", ""),
        abstract=data.get("abstract") is True,
        extends=tuple(names(data.get("extends"))),
        ancestors=res.ancestors,
        properties=props,
        required=frozenset(required),
        caption=tuple(res.caption),
        stix=data.get("stix"),
        stix_aliases=tuple(names(data.get("stix_aliases"))),
        stix_relationship=data.get("stix_relationship"),
        ftm=data.get("ftm"),
        edge_source=edge.get("source"),
        edge_target=edge.get("target"),
        edge_label=_text(edge, "label", label.lower()) if edge else None,
        directed=edge.get("directed", True) is not False,
    )


def build(raw: RawCatalog) -> Ontology:
    """An ``Ontology`` from a catalog that ``check`` found no issues in."""
    resolved = resolve({t.name: t for t in raw.types})
    schemata = {name: _schema(name, res) for name, res in resolved.items()}
    return Ontology(raw.version or "0.0.0", schemata, source=str(raw.directory))


def load_ontology(path: str | Path) -> Ontology:
    """Load the catalog at ``path`` (directory or ``catalog.yaml``); refuse a broken one."""
    raw = read_catalog(path)
    issues = check(raw)
    if issues:
        listed = "\n".join(str(issue) for issue in issues[:_MAX_LISTED])
        more = len(issues) - _MAX_LISTED
        raise OntologyError(
            f"the ontology catalog at {path} has {len(issues)} problem(s):\n{listed}"
            + (f"\n… and {more} more" if more > 0 else ""),
            hint=f"run `intelgraph schema lint {path}` and fix each line it reports",
            details={"issues": [str(issue) for issue in issues]},
            code="catalog_invalid",
        )
    return build(raw)


@functools.cache
def default_ontology() -> Ontology:
    """The catalog shipped inside the package (loaded once per process)."""
    return load_ontology(CATALOG_DIR)


__all__ = ["CATALOG_DIR", "build", "default_ontology", "humanize", "load_ontology"]
