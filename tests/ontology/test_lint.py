"""The linter on deliberately broken catalogs: right code, right file, right line.

Each fixture marks the lines where an issue is expected with ``# expect: <code>``;
the linter must report exactly those issues, no more and no fewer.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from intelgraph.errors import OntologyError
from intelgraph.ontology import CATALOG_DIR, LintIssue, lint_catalog, load_ontology

FIXTURES = Path(__file__).parent / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*([a-z-]+)")


def expected_issues(directory: Path) -> set[tuple[str, int, str]]:
    found = set()
    for path in directory.glob("*.yaml"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for match in EXPECT.finditer(line):
                found.add((path.name, number, match.group(1)))
    return found


def reported(directory: Path) -> set[tuple[str, int, str]]:
    return {(Path(i.file).name, i.line, i.code) for i in lint_catalog(directory)}


@pytest.mark.parametrize(
    ("fixture", "code"),
    [
        ("yaml_syntax", "yaml-syntax"),
        ("missing_version", "missing-version"),
        ("unknown_property_type", "unknown-property-type"),
        ("unknown_parent", "unknown-parent"),
        ("inheritance_cycle", "inheritance-cycle"),
        ("dangling_range", "dangling-range"),
        ("missing_range", "missing-range"),
        ("duplicate_type", "duplicate-type"),
        ("duplicate_property", "duplicate-property"),
        ("edge_endpoint_missing", "edge-endpoint-missing"),
        ("edge_endpoint_type", "edge-endpoint-type"),
        ("edge_endpoint_range", "edge-endpoint-range"),
        ("invalid_privacy", "invalid-privacy"),
        ("required_undefined", "required-undefined"),
        ("caption_undefined", "caption-undefined"),
        ("bad_type_name", "bad-type-name"),
    ],
)
def test_each_defect_is_reported_at_its_line(fixture: str, code: str) -> None:
    directory = FIXTURES / fixture
    want = expected_issues(directory)
    assert want, f"fixture {fixture} marks no expected issue"
    assert {c for _, _, c in want} == {code}
    assert reported(directory) == want


def test_several_defects_are_all_reported() -> None:
    directory = FIXTURES / "many_defects"
    want = expected_issues(directory)
    assert len(want) >= 12
    assert reported(directory) == want


def test_valid_fixture_is_clean_and_loads() -> None:
    assert lint_catalog(FIXTURES / "valid") == []
    ont = load_ontology(FIXTURES / "valid" / "catalog.yaml")
    assert ont.get("Link").is_edge
    assert ont.get("Person").properties["birthDate"].privacy == "pii"


def test_shipped_catalog_lints_clean() -> None:
    issues = lint_catalog(CATALOG_DIR)
    assert issues == [], "\n".join(map(str, issues))


def test_issue_string_form() -> None:
    issue = LintIssue("types.yaml", 7, "dangling-range", "Link.object ranges over 'X'")
    assert str(issue) == "types.yaml:7: dangling-range: Link.object ranges over 'X'"


def test_loading_a_broken_catalog_lists_issues() -> None:
    with pytest.raises(OntologyError) as info:
        load_ontology(FIXTURES / "many_defects")
    error = info.value
    assert error.code == "catalog_invalid"
    assert "types.yaml:13: invalid-privacy" in error.message
    assert len(error.details["issues"]) == len(expected_issues(FIXTURES / "many_defects"))
    assert error.hint is not None
    assert "schema lint" in error.hint


def test_missing_catalog_directory(tmp_path: Path) -> None:
    issues = lint_catalog(tmp_path / "nowhere")
    assert [i.code for i in issues] == ["missing-file"]


def test_glob_file_list_and_default_glob(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "valid", tmp_path / "cat")
    (tmp_path / "cat" / "catalog.yaml").write_text('version: "2.0.0"\n')
    assert lint_catalog(tmp_path / "cat") == []
    assert load_ontology(tmp_path / "cat").version == "2.0.0"
    (tmp_path / "cat" / "catalog.yaml").write_text('version: "2.0.0"\nfiles: ["nope-*.yaml"]\n')
    assert [i.code for i in lint_catalog(tmp_path / "cat")] == ["missing-file"]


def test_duplicate_mapping_and_type_conflict(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text('version: "1.0.0"\nfiles: [t.yaml]\n')
    (tmp_path / "t.yaml").write_text(
        "types:\n"
        "  Thing:\n"
        "    properties:\n"
        "      name: {type: name}\n"
        "  Malware:\n"
        "    extends: [Thing]\n"
        "    stix: malware\n"
        "  Virus:\n"
        "    extends: [Thing]\n"
        "    stix: malware\n"
        "    properties:\n"
        "      name: {type: date}\n"
        "      kind: {label: Kind}\n"
    )
    got = {(i.line, i.code) for i in lint_catalog(tmp_path)}
    assert got == {(10, "duplicate-mapping"), (12, "property-type-conflict"), (13, "missing-type")}


ODD_SHAPES = """\
types:
  Thing:
    properties:
      name: {type: name}
      weird: [1, 2]
      typed: {type: [name], range: [Thing], privacy: [pii], label: 5}
  Listy:
    extends: 5
    required: true
    caption: {a: b}
    properties: [name]
    edge: [source]
  Edgy:
    extends: [Thing]
    edge: {source: 5, target: name, directed: sometimes}
  Stringy: just a string
  ? [complex, key]
  : {}
"""


def test_odd_shapes_are_reported_not_crashed_on(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text('version: "1.0.0"\nfiles: [t.yaml]\n')
    (tmp_path / "t.yaml").write_text(ODD_SHAPES)
    codes = {i.code for i in lint_catalog(tmp_path)}
    assert {"bad-structure", "bad-value", "edge-endpoint-missing", "edge-endpoint-type"} <= codes
    assert "bad-type-name" in codes  # the complex key
    with pytest.raises(OntologyError):
        load_ontology(tmp_path)


@pytest.mark.parametrize(
    "content",
    ["", "types: 5\n", "- a\n- b\n", "types:\n  Thing: {extends: [Thing]}\n", "\t:bad"],
)
def test_degenerate_type_files(tmp_path: Path, content: str) -> None:
    (tmp_path / "catalog.yaml").write_text('version: "1.0.0"\nfiles: [t.yaml]\n')
    (tmp_path / "t.yaml").write_text(content)
    issues = lint_catalog(tmp_path)
    assert content == "" or issues
    for issue in issues:
        assert issue.file.endswith("t.yaml")
        assert issue.line >= 1


@pytest.mark.parametrize("content", ["", "version: [1]\n", "- 1\n", 'version: "1.0.0"\nfiles: 7\n'])
def test_degenerate_catalog_files(tmp_path: Path, content: str) -> None:
    (tmp_path / "catalog.yaml").write_text(content)
    assert lint_catalog(tmp_path)
