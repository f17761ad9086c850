"""The ontology: a versioned YAML catalog of entity and edge types, with a linter and a differ.

Everything else in IntelGraph asks this package what a type is, which properties it
has, how a value is normalised and who may see it (privacy class). The shipped
catalog lives in ``catalog/`` inside the package; ``default_ontology()`` loads it.
"""

from intelgraph.ontology.diff import (
    Change,
    diff_catalogs,
    diff_ontologies,
    format_changes,
    has_breaking,
)
from intelgraph.ontology.ids import make_entity_id
from intelgraph.ontology.lint import LintIssue, lint_catalog
from intelgraph.ontology.loader import CATALOG_DIR, default_ontology, load_ontology
from intelgraph.ontology.ontology import Ontology
from intelgraph.ontology.proptypes import TYPES, PropertyType, get_type
from intelgraph.ontology.schema import PRIVACY_CLASSES, Property, Schema

__all__ = [
    "CATALOG_DIR",
    "PRIVACY_CLASSES",
    "TYPES",
    "Change",
    "LintIssue",
    "Ontology",
    "Property",
    "PropertyType",
    "Schema",
    "default_ontology",
    "diff_catalogs",
    "diff_ontologies",
    "format_changes",
    "get_type",
    "has_breaking",
    "lint_catalog",
    "load_ontology",
    "make_entity_id",
]
