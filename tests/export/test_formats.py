"""Export format writers: every format parsed back, on the demo store and on hostile data."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from intelgraph.demo import DEMO_FULL_SCOPE, generate, load_demo
from intelgraph.errors import InvalidInput
from intelgraph.export.format_graph import array_delimiter, cypher_string
from intelgraph.export.format_stix import CUSTOM_TYPE, SCO_TYPES, STIX_NAMESPACE
from intelgraph.export.formats import FORMATS, MULTI_VALUE_SEPARATOR, ExportData, write_format
from intelgraph.ingest import FtmMapper, StixMapper, stix_entity_id
from intelgraph.model import Entity, Labels, ViewerScope
from intelgraph.ontology import Ontology
from intelgraph.store import Store

NS = {"g": "http://graphml.graphdrawing.org/xmlns"}
STIX_ID = re.compile(
    r"[a-z0-9][a-z0-9-]*--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
STIX_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
WHEN = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)
LONG = "Ünïcode ✓ " * 20_000  # 200,000 characters
SECRET_HUM = Labels.make(classification="SECRET", compartments=["HUM", "FIN"])

HOSTILE = [
    'O\'Brien "the quote" \\ back\\slash',
    "line one\nline two\r\nline three\ttabbed",
    "'}) DETACH DELETE n //",
    "\\'}) MATCH (x) DETACH DELETE x //",
    '=HYPERLINK("http://evil.example","click")',
    "+31 20 555 0100",
    "-2+3",
    "@SUM(A1:A9)",
    "Łódź, 北京, Zürich 🚢",
    "bell\x07 and vertical\x0b tab and \x1b escape and \ufffe non-char",
    "<script>alert('x')</script> & ]]> \"",
    LONG,
]


# -- data ----------------------------------------------------------------------------------


def make(
    ontology: Ontology,
    entity_id: str,
    schema: str,
    properties: Mapping[str, Sequence[str]],
    labels: Sequence[Labels] = (Labels(),),
    ends: tuple[str, str] | None = None,
    seen: datetime | None = WHEN,
) -> Entity:
    return Entity(
        id=entity_id,
        schema=schema,
        properties={k: list(v) for k, v in properties.items()},
        labels=tuple(labels),
        caption=ontology.get(schema).make_caption(properties),
        first_seen=seen,
        last_seen=seen,
        source_id=ends[0] if ends else None,
        target_id=ends[1] if ends else None,
    )


def hostile_entities(ontology: Ontology) -> list[Entity]:
    stix_actor = "threat-actor--9b4c7f6a-2a51-4a38-9d0b-3f7a1c8e5d21"
    stix_uses = "relationship--1f0e6a8b-3c2d-4e5f-8a9b-0c1d2e3f4a5b"
    return [
        make(ontology, "p-hostile", "Person", {"name": HOSTILE}, [SECRET_HUM]),
        make(ontology, "p-plain", "Person", {"name": ["Ada Lovelace"], "country": ["gb"]}),
        make(ontology, "c-acme", "Company", {"name": ["ACME Ltd"], "notes": ["=1+1"]}),
        make(
            ontology,
            "own-1",
            "Ownership",
            {"owner": ["p-hostile"], "asset": ["c-acme"], "percentage": ["50"], "role": HOSTILE},
            ends=("p-hostile", "c-acme"),
        ),
        make(
            ontology,
            "own-dangling",
            "Ownership",
            {"owner": ["p-plain"], "asset": ["c-missing"]},
            ends=("p-plain", "c-missing"),
        ),
        make(
            ontology,
            "assoc-1",
            "Associate",
            {"person": ["p-plain"], "associate": ["p-hostile"]},
            ends=("p-plain", "p-hostile"),
        ),
        make(
            ontology,
            "ta-1",
            "ThreatActor",
            {
                "name": ['Kite "Ember" Group'],
                "stixId": [stix_actor],
                "confidence": ["80"],
                "revoked": ["false"],
                "alias": ["Ember", "Kite"],
                "createdAt": ["2020-01-02"],
            },
        ),
        make(ontology, "mal-1", "Malware", {"name": ["EmberRat"], "isFamily": ["true"]}),
        make(
            ontology,
            "uses-1",
            "Uses",
            {"source": ["ta-1"], "target": ["mal-1"], "stixId": [stix_uses]},
            ends=("ta-1", "mal-1"),
        ),
        make(ontology, "ip-6", "IPAddress", {"value": ["2001:db8::1"]}),
        make(ontology, "ind-nopattern", "Indicator", {"name": ["half an indicator"]}),
        make(ontology, "veh-1", "Vehicle", {"name": ["Truck"], "vehicleType": ["lorry"]}),
        make(ontology, "acct-1", "Account", {"username": ["-admin"], "service": ["Forum"]}),
        make(
            ontology,
            "file-1",
            "FileHash",
            {"sha256": ["ab" * 32], "fileName": ["x.exe"]},
            seen=None,
        ),
    ]


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory, ontology: Ontology) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path_factory.mktemp('export') / 'store.db'}"
    Store(url, ontology, check_schema=False).upgrade()
    with Store(url, ontology) as store:
        load_demo(store, scale=2)
        yield store


def export_data(store: Store, ontology: Ontology, scope: ViewerScope) -> ExportData:
    ids = sorted({s.entity_id for s in generate(2).statements})
    entities = store.entities(scope, ids, with_statements=True)
    statements = [s for e in entities.values() for s in e.statements]
    return ExportData(list(entities.values()), statements, ontology)


@pytest.fixture(scope="module")
def demo(demo_store: Store, ontology: Ontology) -> ExportData:
    return export_data(demo_store, ontology, DEMO_FULL_SCOPE)


@pytest.fixture(scope="module")
def public(demo_store: Store, ontology: Ontology) -> ExportData:
    """What an uncleared viewer sees: a smaller graph, edges only between visible nodes."""
    return export_data(demo_store, ontology, ViewerScope.make())


@pytest.fixture(scope="module")
def partial(demo: ExportData) -> ExportData:
    """A selection without the companies: the edges to them have lost an endpoint."""
    kept = [e for e in demo.entities if e.schema != "Company"]
    return ExportData(kept, demo.statements, demo.ontology)


@pytest.fixture(scope="module")
def hostile(ontology: Ontology) -> ExportData:
    return ExportData(hostile_entities(ontology), (), ontology)


@pytest.fixture(scope="module")
def mixed(demo: ExportData, hostile: ExportData, ontology: Ontology) -> ExportData:
    return ExportData([*demo.entities, *hostile.entities], demo.statements, ontology)


def write(fmt: str, data: ExportData, out: Path) -> list[str]:
    paths = write_format(fmt, data, out)
    assert paths == sorted(paths)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == paths
    return paths


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def undefuse(value: str) -> str:
    return (
        value[1:] if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@", "\t", "\r") else value
    )


def node_ids(data: ExportData) -> set[str]:
    return {e.id for e in data.entities if not e.is_edge}


def kept_edges(data: ExportData) -> dict[str, Entity]:
    nodes = node_ids(data)
    return {
        e.id: e
        for e in data.entities
        if e.is_edge and e.source_id in nodes and e.target_id in nodes
    }


# -- all formats ---------------------------------------------------------------------------


def test_unknown_format_is_refused_with_the_list(tmp_path: Path, hostile: ExportData) -> None:
    with pytest.raises(InvalidInput) as caught:
        write_format("xlsx", hostile, tmp_path / "out")
    assert caught.value.code == "invalid_input"
    assert all(fmt in (caught.value.hint or "") for fmt in FORMATS)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_input_gives_byte_identical_files(fmt: str, tmp_path: Path, mixed: ExportData) -> None:
    first = write(fmt, mixed, tmp_path / "a")
    shuffled = ExportData(
        list(reversed(mixed.entities)), list(reversed(mixed.statements)), mixed.ontology
    )
    second = write(fmt, shuffled, tmp_path / "b")
    assert first == second
    assert first
    for rel in first:
        data = (tmp_path / "a" / rel).read_bytes()
        assert data == (tmp_path / "b" / rel).read_bytes(), rel
        data.decode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_lone_surrogate_does_not_break_a_format(
    fmt: str, tmp_path: Path, ontology: Ontology
) -> None:
    broken = make(ontology, "p-broken", "Person", {"name": ["half \ud800 pair"]})
    paths = write(fmt, ExportData([broken], (), ontology), tmp_path)
    text = "".join((tmp_path / rel).read_bytes().decode("utf-8") for rel in paths)
    assert ("half  pair" if fmt == "graphml" else "half ? pair") in text


def test_empty_export_writes_valid_empty_files(tmp_path: Path, ontology: Ontology) -> None:
    empty = ExportData((), (), ontology)
    assert write("jsonl", empty, tmp_path / "jsonl") == ["entities.jsonl"]
    assert (tmp_path / "jsonl" / "entities.jsonl").read_bytes() == b""
    assert write("csv", empty, tmp_path / "csv") == []  # no types, no files
    assert write("ftm", empty, tmp_path / "ftm") == ["ftm/entities.json"]
    assert (tmp_path / "ftm" / "ftm" / "entities.json").read_bytes() == b""
    assert write("stix", empty, tmp_path / "stix") == ["stix/bundle.json"]
    bundle = json.loads((tmp_path / "stix" / "stix" / "bundle.json").read_text("utf-8"))
    assert bundle["type"] == "bundle"
    assert STIX_ID.fullmatch(bundle["id"])
    assert "objects" not in bundle  # STIX forbids empty lists
    assert write("graphml", empty, tmp_path / "g") == ["graph.graphml"]
    root = ET.parse(tmp_path / "g" / "graph.graphml").getroot()
    graph = root.find("g:graph", NS)
    assert graph is not None
    assert list(graph) == []
    assert write("cypher", empty, tmp_path / "n") == ["neo4j/README.txt", "neo4j/load.cypher"]
    script = (tmp_path / "n" / "neo4j" / "load.cypher").read_text("utf-8")
    assert [line for line in script.splitlines() if not line.startswith("//")] == [
        "CREATE CONSTRAINT intelgraph_entity_id IF NOT EXISTS "
        "FOR (n:Entity) REQUIRE n.id IS UNIQUE;"
    ]
    assert "nothing to bulk-import" in (tmp_path / "n" / "neo4j" / "README.txt").read_text("utf-8")


# -- jsonl ---------------------------------------------------------------------------------


def test_jsonl_is_a_lossless_copy_of_the_entities(tmp_path: Path, mixed: ExportData) -> None:
    write("jsonl", mixed, tmp_path)
    lines = (tmp_path / "entities.jsonl").read_text("utf-8").split("\n")
    assert lines[-1] == ""
    records = [json.loads(line) for line in lines[:-1]]
    assert [r["id"] for r in records] == sorted(e.id for e in mixed.entities)
    by_id = {e.id: e for e in mixed.entities}
    for record in records:
        entity = by_id[record["id"]]
        assert record["schema"] == entity.schema
        assert record["caption"] == entity.caption
        assert record["properties"] == {k: list(v) for k, v in entity.properties.items()}
        assert list(record["properties"]) == sorted(record["properties"])
        assert record["labels"] == [label.to_dict() for label in entity.labels]
        if entity.first_seen is None:
            assert record["first_seen"] is None
        else:
            parsed = datetime.fromisoformat(record["first_seen"])
            assert parsed == entity.first_seen
            assert parsed.utcoffset() == timedelta(0)
        if entity.is_edge:
            assert (record["source"], record["target"]) == (entity.source_id, entity.target_id)
        else:
            assert "source" not in record
    hostile = next(r for r in records if r["id"] == "p-hostile")
    assert hostile["properties"]["name"] == HOSTILE  # quotes, line breaks, the long value
    assert hostile["labels"] == [SECRET_HUM.to_dict()]


# -- csv -----------------------------------------------------------------------------------


def test_csv_one_file_per_type_with_its_columns(tmp_path: Path, mixed: ExportData) -> None:
    paths = write("csv", mixed, tmp_path)
    assert paths == sorted(f"csv/{schema}.csv" for schema in {e.schema for e in mixed.entities})
    by_id = {e.id: e for e in mixed.entities}
    for rel in paths:
        rows = read_csv(tmp_path / rel)
        schema = Path(rel).stem
        expected = sorted(e.id for e in mixed.entities if e.schema == schema)
        assert [r["id"] for r in rows] == expected
        header = list(rows[0])
        props = sorted({p for i in expected for p, v in by_id[i].properties.items() if v})
        fixed = ["source_id", "target_id"] if mixed.ontology.get(schema).is_edge else []
        assert header == ["id", "caption", *fixed, *props, "classification", "compartments"]
        for row in rows:
            entity = by_id[row["id"]]
            assert undefuse(row["caption"]) == entity.caption
            assert int(row["classification"]) == max(la.classification for la in entity.labels)
            if fixed:
                assert (row["source_id"], row["target_id"]) == (entity.source_id, entity.target_id)


def test_csv_multi_values_round_trip_and_formulas_are_defused(
    tmp_path: Path, hostile: ExportData
) -> None:
    write("csv", hostile, tmp_path)
    person = {r["id"]: r for r in read_csv(tmp_path / "csv" / "Person.csv")}["p-hostile"]
    values = [undefuse(v) for v in person["name"].split(MULTI_VALUE_SEPARATOR)]
    assert values == HOSTILE  # quotes, newlines, tabs, 200,000 characters: all back
    assert person["name"].startswith("O'Brien")
    assert "\n'=HYPERLINK(" not in person["name"]
    assert "; '=HYPERLINK(" in person["name"]
    assert "; '+31 20" in person["name"]
    assert "; '-2+3" in person["name"]
    assert "; '@SUM(" in person["name"]
    assert person["compartments"] == "FIN; HUM"
    assert person["classification"] == "2"
    company = read_csv(tmp_path / "csv" / "Company.csv")[0]
    assert company["notes"] == "'=1+1"
    account = read_csv(tmp_path / "csv" / "Account.csv")[0]
    assert account["username"] == "'-admin"
    # No cell of any file starts with a character a spreadsheet would evaluate.
    for path in (tmp_path / "csv").iterdir():
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


# -- stix ----------------------------------------------------------------------------------


def load_bundle(tmp_path: Path, data: ExportData) -> dict[str, Any]:
    write("stix", data, tmp_path)
    bundle: dict[str, Any] = json.loads((tmp_path / "stix" / "bundle.json").read_text("utf-8"))
    return bundle


def no_empty_lists(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value) and all(no_empty_lists(v) for v in value)
    if isinstance(value, dict):
        return all(no_empty_lists(v) for v in value.values())
    return True


@pytest.mark.parametrize("fixture", ["demo", "public", "partial", "hostile"])
def test_stix_bundle_is_well_formed(
    fixture: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    data: ExportData = request.getfixturevalue(fixture)
    bundle = load_bundle(tmp_path, data)
    objects = bundle["objects"]
    ids = [o["id"] for o in objects]
    assert len(ids) == len(set(ids))
    every = sorted(e.id for e in data.entities)
    expected = uuid.uuid5(STIX_NAMESPACE, json.dumps(every, separators=(",", ":")))
    assert bundle["id"] == f"bundle--{expected}"
    for obj in objects:
        assert obj["spec_version"] == "2.1"
        assert STIX_ID.fullmatch(obj["id"])
        assert obj["id"].startswith(obj["type"] + "--")
        # STIX forbids empty lists (the labels are Labels.to_dict() as they are).
        assert no_empty_lists({k: v for k, v in obj.items() if k != "x_intelgraph_labels"})
        if obj["type"] not in SCO_TYPES:
            assert STIX_TIME.fullmatch(obj["created"])
            assert STIX_TIME.fullmatch(obj["modified"])
            assert obj["modified"] >= obj["created"]
        for key, value in obj.items():
            if key.endswith("_ref"):
                assert value in ids, (obj["id"], key)
            if key.endswith("_refs"):
                assert set(value) <= set(ids), (obj["id"], key)
    # Every node is there (none dropped), every edge whose two ends are, and no other.
    exported = {o["x_intelgraph_id"] for o in objects}
    assert exported == node_ids(data) | set(kept_edges(data))
    relationships = [o for o in objects if o["type"] in ("relationship", "sighting")]
    assert {o["x_intelgraph_id"] for o in relationships} == set(kept_edges(data))
    if fixture == "partial":
        assert any(e.is_edge for e in data.entities if e.id not in kept_edges(data))


def test_stix_types_ids_and_times_follow_the_catalog(tmp_path: Path, hostile: ExportData) -> None:
    bundle = load_bundle(tmp_path, hostile)
    by_entity = {o["x_intelgraph_id"]: o for o in bundle["objects"]}
    actor = by_entity["ta-1"]
    assert actor["id"] == "threat-actor--9b4c7f6a-2a51-4a38-9d0b-3f7a1c8e5d21"  # its own id
    assert actor["name"] == 'Kite "Ember" Group'
    assert actor["aliases"] == ["Ember", "Kite"]
    assert actor["confidence"] == 80
    assert actor["revoked"] is False
    assert actor["created"] == "2020-01-02T00:00:00.000Z"  # createdAt, the object's own time
    assert actor["modified"] == "2024-05-01T12:30:15.123Z"  # last seen, with milliseconds
    assert "x_intelgraph_properties" not in actor
    uses = by_entity["uses-1"]
    assert uses["id"] == "relationship--1f0e6a8b-3c2d-4e5f-8a9b-0c1d2e3f4a5b"
    assert (uses["relationship_type"], uses["source_ref"], uses["target_ref"]) == (
        "uses",
        actor["id"],
        by_entity["mal-1"]["id"],
    )
    assert by_entity["mal-1"]["is_family"] is True
    owns = by_entity["own-1"]
    assert owns["relationship_type"] == "owns"
    assert owns["x_intelgraph_properties"]["role"] == HOSTILE
    assert "own-dangling" not in by_entity
    assert by_entity["assoc-1"]["relationship_type"] == "associate-of"
    person = by_entity["p-hostile"]
    assert person["type"] == CUSTOM_TYPE  # no STIX equivalent: kept, not dropped
    assert person["id"] == f"{CUSTOM_TYPE}--{uuid.uuid5(STIX_NAMESPACE, 'p-hostile')}"
    assert person["x_intelgraph_properties"]["name"] == HOSTILE
    assert person["x_intelgraph_labels"] == [SECRET_HUM.to_dict()]
    assert by_entity["ip-6"]["type"] == "ipv6-addr"
    assert by_entity["ip-6"]["value"] == "2001:db8::1"
    assert "created" not in by_entity["ip-6"]  # observables have no created/modified
    half = by_entity["ind-nopattern"]
    assert half["type"] == CUSTOM_TYPE  # an indicator without a pattern is not a STIX one
    assert half["x_intelgraph_schema"] == "Indicator"
    sample = by_entity["file-1"]
    assert sample["hashes"] == {"SHA-256": "ab" * 32}
    assert sample["name"] == "x.exe"


def test_stix_values_are_typed_or_kept_aside(tmp_path: Path, ontology: Ontology) -> None:
    coordinates = {"latitude": ["52.52"], "longitude": ["13.405"], "country": ["de"]}
    entities = [
        make(ontology, "loc-1", "Location", {"name": ["Berlin"], **coordinates}),
        make(ontology, "loc-2", "Location", {"name": ["Somewhere"], "latitude": ["1.5"]}),
        make(
            ontology,
            "ta-2",
            "ThreatActor",
            {
                "name": ["X"],
                "confidence": ["NaN"],
                "firstSeen": ["0001-01-01T00:00+05:00", "2019-07"],
                "createdAt": ["2030-01-01"],
            },
        ),
    ]
    bundle = load_bundle(tmp_path, ExportData(entities, (), ontology))
    by_entity = {o["x_intelgraph_id"]: o for o in bundle["objects"]}
    berlin = by_entity["loc-1"]
    assert (berlin["type"], berlin["latitude"], berlin["longitude"]) == ("location", 52.52, 13.405)
    assert berlin["country"] == "de"
    assert by_entity["loc-2"]["type"] == CUSTOM_TYPE  # one coordinate is not a STIX location
    actor = by_entity["ta-2"]
    assert "confidence" not in actor
    assert actor["first_seen"] == "2019-07-01T00:00:00.000Z"
    assert actor["x_intelgraph_properties"] == {
        "confidence": ["NaN"],
        "firstSeen": ["0001-01-01T00:00+05:00", "2019-07"],
    }
    assert actor["created"] == actor["modified"] == "2030-01-01T00:00:00.000Z"


def test_stix_ids_are_stable_across_writes(tmp_path: Path, demo: ExportData) -> None:
    one = load_bundle(tmp_path / "one", demo)
    part = ExportData(demo.entities[: len(demo.entities) // 2], (), demo.ontology)
    two = load_bundle(tmp_path / "two", part)
    first = {o["x_intelgraph_id"]: o["id"] for o in one["objects"]}
    for obj in two["objects"]:
        assert first[obj["x_intelgraph_id"]] == obj["id"]  # same id whatever else is exported
    assert one["id"] != two["id"]


def test_stix_maps_back_through_the_ingest_mapper(
    tmp_path: Path, demo: ExportData, ontology: Ontology
) -> None:
    bundle = load_bundle(tmp_path, demo)
    mapper = StixMapper(ontology)
    by_id = {e.id: e for e in demo.entities}
    checked = 0
    for obj in bundle["objects"]:
        if obj["type"] == CUSTOM_TYPE:
            continue
        (mapped,) = mapper.map(obj)
        entity = by_id[obj["x_intelgraph_id"]]
        schema = ontology.get(entity.schema)
        if schema.stix is None:
            assert mapped.schema == "Relationship"  # e.g. Payment: a generic relationship
            continue
        assert mapped.schema == entity.schema
        kept_aside = obj.get("x_intelgraph_properties", {})
        for name, values in entity.properties.items():
            prop = schema.properties[name]
            if name in kept_aside or prop.stix is None or prop.stix == "id":
                continue
            if prop.type.name not in ("entity", "date"):
                assert mapped.properties[name] == list(values), (entity.schema, name)
                checked += 1
    assert checked > 40


@pytest.mark.shared_data
def test_attack_objects_keep_their_stix_ids_and_times(
    tmp_path: Path, shared_data: Path, ontology: Ontology
) -> None:
    with gzip.open(
        shared_data / "mitre-attack" / "enterprise-attack.json.gz", "rt", encoding="utf-8"
    ) as handle:
        objects = json.load(handle)["objects"]
    by_id = {o["id"]: o for o in objects}
    uses = [
        o
        for o in objects
        if o["type"] == "relationship"
        and o.get("relationship_type") == "uses"
        and o["source_ref"].startswith("intrusion-set--")
    ][:60]
    picked = [
        by_id[i] for i in sorted({r["source_ref"] for r in uses} | {r["target_ref"] for r in uses})
    ]
    mapper = StixMapper(ontology)
    entities = []
    for original in [*picked, *uses]:
        (mapped,) = mapper.map(original)
        schema = ontology.get(mapped.schema)
        ends = None
        if schema.is_edge:
            ends = (
                mapped.properties[schema.edge_source or ""][0],
                mapped.properties[schema.edge_target or ""][0],
            )
        entities.append(make(ontology, mapped.id, mapped.schema, mapped.properties, ends=ends))
    bundle = load_bundle(tmp_path, ExportData(entities, (), ontology))
    assert len(bundle["objects"]) == len(picked) + len(uses)
    for obj in bundle["objects"]:
        original = by_id[obj["id"]]  # the original STIX id, reused
        assert stix_entity_id(obj["id"]) == obj["x_intelgraph_id"]
        assert obj["type"] == original["type"]
        assert obj["created"][:19] == original["created"][:19]
        assert obj["modified"][:19] == original["modified"][:19]
        assert "stixId" not in obj.get("x_intelgraph_properties", {})
        if obj["type"] == "relationship":
            assert (obj["source_ref"], obj["target_ref"]) == (
                original["source_ref"],
                original["target_ref"],
            )
        else:
            assert obj["name"] == original["name"]


# -- followthemoney ------------------------------------------------------------------------


def test_ftm_lines_use_the_catalog_names_and_map_back(
    tmp_path: Path, mixed: ExportData, ontology: Ontology
) -> None:
    write("ftm", mixed, tmp_path)
    lines = (tmp_path / "ftm" / "entities.json").read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == sorted(e.id for e in mixed.entities)
    assert all(set(r) == {"id", "schema", "properties"} for r in records)
    by_record = {r["id"]: r for r in records}
    assert by_record["acct-1"]["schema"] == "UserAccount"
    assert by_record["veh-1"]["properties"]["type"] == ["lorry"]
    assert by_record["ta-1"]["schema"] == "ThreatActor"  # no FtM type: our own name
    assert by_record["p-hostile"]["properties"]["name"] == HOSTILE
    mapper = FtmMapper(ontology)
    for entity in mixed.entities:
        if entity.id.startswith(("p-hostile", "own-1")):
            continue  # the ingest side trims whitespace off hostile values
        (mapped,) = mapper.map(by_record[entity.id])
        assert (mapped.id, mapped.schema) == (entity.id, entity.schema)
        assert mapped.properties == {k: list(v) for k, v in entity.properties.items() if v}


# -- GraphML -------------------------------------------------------------------------------


def graphml(tmp_path: Path, data: ExportData) -> tuple[ET.Element, dict[str, str]]:
    write("graphml", data, tmp_path)
    root = ET.parse(tmp_path / "graph.graphml").getroot()
    assert root.tag == "{http://graphml.graphdrawing.org/xmlns}graphml"
    keys = {k.get("id", ""): k.get("attr.name", "") for k in root.findall("g:key", NS)}
    return root, keys


def data_of(element: ET.Element, keys: Mapping[str, str]) -> dict[str, str]:
    return {keys[d.get("key", "")]: d.text or "" for d in element.findall("g:data", NS)}


@pytest.mark.parametrize("fixture", ["demo", "public", "partial", "hostile"])
def test_graphml_nodes_and_edges_are_complete_and_consistent(
    fixture: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    data: ExportData = request.getfixturevalue(fixture)
    root, keys = graphml(tmp_path, data)
    graph = root.find("g:graph", NS)
    assert graph is not None
    nodes = {n.get("id"): n for n in graph.findall("g:node", NS)}
    edges = {e.get("id"): e for e in graph.findall("g:edge", NS)}
    assert set(nodes) == node_ids(data)
    assert set(edges) == set(kept_edges(data))
    for edge in edges.values():
        assert edge.get("source") in nodes
        assert edge.get("target") in nodes
    used = {d.get("key") for d in root.iter("{http://graphml.graphdrawing.org/xmlns}data")}
    assert used <= set(keys)
    declared = set(keys.values())
    assert {"schema", "caption"} <= declared
    exported = [e for e in data.entities if e.id in nodes or e.id in edges]
    assert {p for e in exported for p, v in e.properties.items() if v} <= declared
    by_id = {e.id: e for e in data.entities}
    for element in [*nodes.values(), *edges.values()]:
        entity = by_id[element.get("id", "")]
        values = data_of(element, keys)
        assert values["schema"] == entity.schema
        assert values["caption"] == XML_ILLEGAL.sub("", entity.caption)


def test_graphml_escapes_values_and_drops_illegal_characters(
    tmp_path: Path, hostile: ExportData
) -> None:
    root, keys = graphml(tmp_path, hostile)
    nodes = {n.get("id"): n for n in root.iter("{http://graphml.graphdrawing.org/xmlns}node")}
    name = data_of(nodes["p-hostile"], keys)["name"]
    assert name.split(MULTI_VALUE_SEPARATOR) == [XML_ILLEGAL.sub("", v) for v in HOSTILE]
    assert "line two\r\nline three" in name  # the carriage return survives parsing
    assert "\x07" not in name
    assert "\x0b" not in name
    assert "bell and vertical tab and  escape and  non-char" in name
    edges = {e.get("id"): e for e in root.iter("{http://graphml.graphdrawing.org/xmlns}edge")}
    assert edges["assoc-1"].get("directed") == "false"  # Associate is undirected
    assert edges["own-1"].get("directed") is None
    assert data_of(edges["own-1"], keys)["percentage"] == "50"


# -- Cypher and neo4j-admin ----------------------------------------------------------------

CYPHER_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "r": "\r", "t": "\t", "b": "\b"}


def read_literal(text: str, start: int) -> tuple[str, int]:
    """The Cypher string literal at ``text[start]`` (a quote): its value and its end."""
    assert text[start] == "'"
    out, i = [], start + 1
    while True:
        ch = text[i]
        if ch == "\\":
            if text[i + 1] == "u":
                out.append(chr(int(text[i + 2 : i + 6], 16)))
                i += 6
            else:
                out.append(CYPHER_ESCAPES[text[i + 1]])
                i += 2
        elif ch == "'":
            return "".join(out), i + 1
        else:
            assert ch not in "\n\r", "a raw line break inside a literal"
            out.append(ch)
            i += 1


def tokens(statement: str) -> tuple[str, list[str]]:
    """The code of a statement outside string literals and identifiers, and the literals."""
    code, literals, i = [], [], 0
    while i < len(statement):
        ch = statement[i]
        if ch == "'":
            value, i = read_literal(statement, i)
            literals.append(value)
            code.append("''")
        elif ch == "`":
            end = statement.index("`", i + 1)
            code.append(statement[i : end + 1])
            i = end + 1
        else:
            code.append(ch)
            i += 1
    return "".join(code), literals


@pytest.mark.parametrize("value", [*HOSTILE, "", "'", "\\", "\\'", "\u2028", "\x00"])
def test_cypher_literals_cannot_be_broken_out_of(value: str) -> None:
    literal = cypher_string(value)
    parsed, end = read_literal(literal, 0)
    assert parsed == value
    assert end == len(literal)  # the literal ends exactly where it should
    assert "\n" not in literal
    assert "\r" not in literal


def test_cypher_script_one_statement_per_line(tmp_path: Path, mixed: ExportData) -> None:
    write("cypher", mixed, tmp_path)
    lines = (tmp_path / "neo4j" / "load.cypher").read_text("utf-8").split("\n")
    assert lines[-1] == ""
    statements = [line for line in lines[:-1] if not line.startswith("//")]
    assert len(statements) == 1 + len(node_ids(mixed)) + len(kept_edges(mixed))
    merged_nodes, merged_edges, seen_values = set(), set(), []
    for statement in statements:
        assert statement.endswith(";")
        code, literals = tokens(statement)
        assert "DELETE" not in code  # the hostile values stayed inside their literals
        assert "//" not in code
        seen_values += literals
        if code.startswith("MERGE (n:Entity {id: ''})"):
            merged_nodes.add(literals[0])
        elif code.startswith("MATCH"):
            assert literals[0] in node_ids(mixed)
            assert literals[1] in node_ids(mixed)
            merged_edges.add(literals[2])
    assert merged_nodes == node_ids(mixed)
    assert merged_edges == set(kept_edges(mixed))
    assert all(value in seen_values for value in HOSTILE)
    person = next(s for s in statements if "'p-hostile'" in s and s.startswith("MERGE"))
    assert "SET n:`Person`:`LegalEntity`:`Thing`, n += {" in person
    assert "`name`: ['O\\'Brien" in person  # a multi-valued property is a string array
    assert "classification: 2, compartments: ['FIN', 'HUM']}" in person
    owns = next(s for s in statements if "{id: 'own-1'}" in s)
    assert "-[r:`OWNERSHIP` {id: 'own-1'}]->" in owns
    assert "`owner`: 'p-hostile'" in owns  # an endpoint holds one value: a plain string


def neo4j_files(out: Path) -> tuple[str, dict[str, list[list[str]]]]:
    readme = (out / "neo4j" / "README.txt").read_text("utf-8")
    tables = {}
    for path in sorted((out / "neo4j").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            tables[path.name] = list(csv.reader(handle))
    return readme, tables


def import_command(readme: str) -> list[str]:
    start = readme.index("neo4j-admin database import full")
    command = readme[start : readme.index("\n\n", start)].replace(" \\\n", " ")
    return command.split()


def test_neo4j_admin_csvs_and_their_import_command(tmp_path: Path, hostile: ExportData) -> None:
    paths = write("cypher", hostile, tmp_path)
    readme, tables = neo4j_files(tmp_path)
    assert paths == sorted(
        ["neo4j/README.txt", "neo4j/load.cypher", *(f"neo4j/{n}" for n in tables)]
    )
    args = import_command(readme)
    assert args[:4] == ["neo4j-admin", "database", "import", "full"]
    assert args[-1] == "neo4j"
    assert '--array-delimiter=";"' in args  # no array value contains ";"
    assert "--multiline-fields=true" in args
    assert sorted(a.removeprefix("--nodes=") for a in args if a.startswith("--nodes=")) == sorted(
        n for n in tables if n.startswith("nodes_")
    )
    assert sorted(
        a.removeprefix("--relationships=") for a in args if a.startswith("--relationships=")
    ) == sorted(n for n in tables if n.startswith("rels_"))
    people = tables["nodes_Person.csv"]
    assert people[0] == [
        "id:ID", "caption", "country:string[]", "name:string[]",
        "classification:int", "compartments:string[]", ":LABEL",
    ]  # fmt: skip
    row = next(r for r in people[1:] if r[0] == "p-hostile")
    assert row[3].split(";") == HOSTILE  # arrays split back on the delimiter
    assert row[-1].split(";") == ["Entity", "Person", "LegalEntity", "Thing"]
    owns = tables["rels_Ownership.csv"]
    assert owns[0][:4] == [":START_ID", ":END_ID", ":TYPE", "id"]
    assert "owner" in owns[0]  # one value: a plain string
    assert [r[:4] for r in owns[1:]] == [["p-hostile", "c-acme", "OWNERSHIP", "own-1"]]
    nodes = {r[0] for name, t in tables.items() if name.startswith("nodes_") for r in t[1:]}
    assert nodes == node_ids(hostile)
    for name, table in tables.items():
        if name.startswith("rels_"):
            assert all(r[0] in nodes and r[1] in nodes for r in table[1:])


def test_neo4j_array_delimiter_avoids_the_values(tmp_path: Path, demo: ExportData) -> None:
    assert array_delimiter(["a", "b"]) == ";"
    assert array_delimiter(["a; b"]) == "|"
    assert array_delimiter(["a; b", "c | d"]) == "\x1f"
    write("cypher", demo, tmp_path)
    readme, tables = neo4j_files(tmp_path)
    # The demo's company notes contain ";", so the arrays are joined with "|".
    assert '--array-delimiter="|"' in import_command(readme)
    companies = tables["nodes_Company.csv"]
    notes = companies[0].index("notes:string[]")
    by_id = {e.id: e for e in demo.entities}
    for row in companies[1:]:
        assert row[notes].split("|") == list(by_id[row[0]].properties["notes"])


def test_neo4j_csv_keeps_line_breaks_inside_values(tmp_path: Path, hostile: ExportData) -> None:
    write("cypher", hostile, tmp_path)
    text = (tmp_path / "neo4j" / "nodes_Person.csv").read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert any("line one\nline two\r\nline three\ttabbed" in cell for row in rows for cell in row)
