"""Every STIX object type in the MITRE ATT&CK bundle maps to a catalog type."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from intelgraph.ontology import default_ontology

REPO_ROOT = Path(__file__).resolve().parents[2]
BUNDLE = REPO_ROOT.parent / "shared" / "data" / "mitre-attack" / "enterprise-attack.json.gz"

# Types ATT&CK uses or has used (data sources, components, assets, analytics, …),
# whether or not the current bundle holds objects of them.
ATTACK_TYPES = [
    "attack-pattern", "course-of-action", "intrusion-set", "malware", "tool",
    "x-mitre-tactic", "campaign", "identity", "relationship", "x-mitre-data-source",
    "x-mitre-data-component", "x-mitre-matrix", "x-mitre-collection", "x-mitre-asset",
    "x-mitre-detection-strategy", "x-mitre-analytic",
]  # fmt: skip
# Turned into labels by ingest, not into entities.
NOT_ENTITIES = {"marking-definition"}


@pytest.mark.parametrize("stix_type", ATTACK_TYPES)
def test_attack_types_map(stix_type: str) -> None:
    schema = default_ontology().by_stix(stix_type)
    assert schema is not None, stix_type
    assert not schema.abstract
    assert schema.stix == stix_type


@pytest.mark.parametrize(
    "stix_type",
    ["threat-actor", "indicator", "vulnerability", "infrastructure", "report", "note",
     "ipv4-addr", "ipv6-addr", "domain-name", "url", "file", "email-addr", "user-account",
     "location", "sighting", "grouping", "autonomous-system"],
)  # fmt: skip
def test_other_stix_types_map(stix_type: str) -> None:
    assert default_ontology().by_stix(stix_type) is not None


@pytest.fixture(scope="module")
def bundle() -> list[dict[str, object]]:
    if not BUNDLE.is_file():
        pytest.skip(f"shared data not found at {BUNDLE}")
    with gzip.open(BUNDLE, "rt", encoding="utf-8") as handle:
        objects: list[dict[str, object]] = json.load(handle)["objects"]
    return objects


@pytest.mark.shared_data
def test_every_bundle_object_type_maps(bundle: list[dict[str, object]]) -> None:
    ont = default_ontology()
    types = Counter(str(obj["type"]) for obj in bundle)
    unmapped = {t for t in types if t not in NOT_ENTITIES and ont.by_stix(t) is None}
    assert unmapped == set()


@pytest.mark.shared_data
def test_every_bundle_relationship_fits_its_edge_type(bundle: list[dict[str, object]]) -> None:
    """Each relationship maps to an edge type whose endpoint ranges admit both ends."""
    ont = default_ontology()
    by_id = {str(obj["id"]): str(obj["type"]) for obj in bundle}
    seen: Counter[str] = Counter()
    for obj in bundle:
        if obj["type"] != "relationship":
            continue
        edge = ont.by_stix("relationship", str(obj["relationship_type"]))
        assert edge is not None
        assert edge.is_edge
        seen[edge.name] += 1
        for ref, allowed in ((obj["source_ref"], edge.source_range),
                             (obj["target_ref"], edge.target_range)):  # fmt: skip
            stix_type = by_id.get(str(ref), str(ref).split("--")[0])
            end = ont.by_stix(stix_type)
            assert end is not None, stix_type
            assert allowed is not None
            assert end.is_a(allowed), (edge.name, stix_type, allowed)
    assert seen["Uses"] > 1000
    assert seen["Mitigates"] > 100
    assert seen["SubtechniqueOf"] > 100
    assert "Relationship" not in seen  # every ATT&CK relationship type has its own edge


@pytest.mark.shared_data
def test_bundle_values_normalise(bundle: list[dict[str, object]]) -> None:
    """Dates and names straight from ATT&CK pass through the catalog's normalisers."""
    ont = default_ontology()
    for obj in bundle[:2000]:
        schema = ont.by_stix(str(obj["type"]))
        if schema is None:
            continue
        for prop in schema.properties.values():
            if prop.stix in obj and isinstance(obj[prop.stix], str) and obj[prop.stix]:
                ont.normalize(schema.name, prop.name, str(obj[prop.stix]))
