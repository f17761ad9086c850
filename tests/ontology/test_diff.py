"""Catalog diffs on edited copies of the shipped catalog: what changed, what breaks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from intelgraph.errors import OntologyError
from intelgraph.ontology import (
    CATALOG_DIR,
    Change,
    diff_catalogs,
    format_changes,
    has_breaking,
)


@pytest.fixture
def catalogs(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(CATALOG_DIR, old)
    shutil.copytree(CATALOG_DIR, new)
    return old, new


def edit(directory: Path, file: str, old: str, new: str) -> None:
    path = directory / file
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} must occur once in {file}"
    path.write_text(text.replace(old, new))


def bump(directory: Path, version: str) -> None:
    edit(directory, "catalog.yaml", 'version: "1.0.0"', f'version: "{version}"')


def find(changes: list[Change], name: str) -> list[Change]:
    return [c for c in changes if c.name == name]


def test_identical_catalogs_have_no_changes(catalogs: tuple[Path, Path]) -> None:
    old, new = catalogs
    assert diff_catalogs(old, new) == []
    assert format_changes([]) == "no changes"


def test_added_type_and_optional_property_are_compatible(catalogs: tuple[Path, Path]) -> None:
    old, new = catalogs
    bump(new, "1.1.0")
    edit(new, "investigations.yaml", "      religion: {type: keyword",
         "      hobby: {type: text, label: Hobby}\n      religion: {type: keyword")  # fmt: skip
    (new / "extra.yaml").write_text(
        "types:\n  Trust:\n    extends: [LegalEntity]\n    label: Trust\n"
    )
    edit(new, "catalog.yaml", "  - edges.yaml\n", "  - edges.yaml\n  - extra.yaml\n")
    changes = diff_catalogs(old, new)
    assert find(changes, "Trust") == [Change("added", "type", "Trust", "type added", False)]
    assert find(changes, "Person.hobby") == [
        Change("added", "property", "Person.hobby", "property added", False)
    ]
    assert not has_breaking(changes)
    assert len(changes) == 2


def test_removals_are_breaking_and_reported_once(catalogs: tuple[Path, Path]) -> None:
    old, new = catalogs
    bump(new, "2.0.0")
    edit(
        new,
        "investigations.yaml",
        "      legalForm: {type: name, label: Legal form, ftm: legalForm}\n",
        "",
    )
    text = (new / "observables.yaml").read_text()
    start = text.index("  AutonomousSystem:")
    (new / "observables.yaml").write_text(text[:start])
    changes = diff_catalogs(old, new)
    assert Change("removed", "type", "AutonomousSystem", "type removed", True) in changes
    # Defined on LegalEntity: reported there, not again on Person, Company, …
    removed = [c for c in changes if c.kind == "removed" and c.target == "property"]
    assert [c.name for c in removed] == ["LegalEntity.legalForm"]
    assert not any(c.name.startswith("AutonomousSystem.") for c in changes)
    assert has_breaking(changes)
    assert not find(changes, "version")  # major bump: no version warning


@pytest.mark.parametrize(
    ("file", "before", "after", "name", "detail", "breaking"),
    [
        ("investigations.yaml", "birthDate: {type: date, label: Birth date, privacy: pii",
         "birthDate: {type: text, label: Birth date, privacy: pii",
         "Person.birthDate", "type date → text", True),
        ("investigations.yaml", "birthDate: {type: date, label: Birth date, privacy: pii",
         "birthDate: {type: date, label: Birth date, privacy: public",
         "Person.birthDate", "privacy pii → public", True),
        ("investigations.yaml", "bankName: {type: name, label: Bank,",
         "bankName: {type: name, label: Bank, privacy: sensitive,",
         "BankAccount.bankName", "privacy public → sensitive", False),
        ("investigations.yaml", "middleName: {type: name, label: Middle name,",
         "middleName: {type: name, label: Middle name, required: true,",
         "Person.middleName", "required False → True", True),
        ("threat.yaml", "malicious activity.\n    required: [pattern]\n", "malicious activity.\n",
         "Indicator.pattern", "required True → False", False),
        ("edges.yaml", "owner: {type: entity, label: Owner, range: LegalEntity",
         "owner: {type: entity, label: Owner, range: Person",
         "Ownership.owner", "range LegalEntity → Person", True),
        ("edges.yaml", "owner: {type: entity, label: Owner, range: LegalEntity",
         "owner: {type: entity, label: Owner, range: Thing",
         "Ownership.owner", "range LegalEntity → Thing", False),
        ("investigations.yaml", "tonnage: {type: number, label: Tonnage,",
         "tonnage: {type: number, label: Tonnage, multiple: false,",
         "Vessel.tonnage", "multiple True → False", True),
        ("investigations.yaml", "latitude: {type: number, label: Latitude, multiple: false, ftm",
         "latitude: {type: number, label: Latitude, ftm",
         "Address.latitude", "multiple False → True", False),
        ("investigations.yaml", "tonnage: {type: number, label: Tonnage,",
         "tonnage: {type: number, label: Gross tonnage,",
         "Vessel.tonnage", "label 'Tonnage' → 'Gross tonnage'", False),
        ("edges.yaml", "label: associate of, directed: false}", "label: associate of}",
         "Associate", "directed False → True", True),
        ("threat.yaml", "    stix: threat-actor\n", "    stix: x-threat-actor\n",
         "ThreatActor", "stix mapping threat-actor → x-threat-actor", True),
        ("investigations.yaml", "  PublicBody:\n    label: Public body\n",
         "  PublicBody:\n    label: Public body\n    abstract: true\n",
         "PublicBody", "abstract False → True", True),
    ],
)  # fmt: skip
def test_property_and_type_changes(
    catalogs: tuple[Path, Path],
    file: str,
    before: str,
    after: str,
    name: str,
    detail: str,
    breaking: bool,
) -> None:
    old, new = catalogs
    bump(new, "2.0.0" if breaking else "1.1.0")
    edit(new, file, before, after)
    changes = diff_catalogs(old, new)
    target = "property" if "." in name else "type"
    assert Change("changed", target, name, detail, breaking) in changes
    assert has_breaking(changes) is breaking
    assert not find(changes, "version")


def test_version_warnings(catalogs: tuple[Path, Path]) -> None:
    old, new = catalogs
    role = "      role: {type: text, label: Role, ftm: role}\n"
    edit(new, "edges.yaml", role + "    edge: {source: owner", "    edge: {source: owner")
    changes = diff_catalogs(old, new)
    warning = find(changes, "version")
    assert len(warning) == 1
    assert warning[0].target == "catalog"
    assert not warning[0].breaking
    assert "bump" in warning[0].detail
    bump(new, "1.1.0")
    warning = find(diff_catalogs(old, new), "version")
    assert len(warning) == 1
    assert "major" in warning[0].detail


def test_format_changes_table(catalogs: tuple[Path, Path]) -> None:
    old, new = catalogs
    bump(new, "2.0.0")
    edit(
        new,
        "investigations.yaml",
        "      legalForm: {type: name, label: Legal form, ftm: legalForm}\n",
        "",
    )
    table = format_changes(diff_catalogs(old, new))
    lines = table.splitlines()
    assert lines[0].split() == ["kind", "target", "name", "detail"]
    assert any(line.startswith("BREAKING") and "LegalEntity.legalForm" in line for line in lines)
    assert lines[-1] == "1 change(s), 1 breaking"
    assert str(Change("removed", "type", "X", "type removed", True)) == (
        "BREAKING removed type X: type removed"
    )


def test_diff_refuses_a_broken_catalog(catalogs: tuple[Path, Path]) -> None:
    old, new = catalogs
    edit(new, "core.yaml", "extends: [Base]\n    ftm: Thing", "extends: [Bsae]\n    ftm: Thing")
    with pytest.raises(OntologyError) as info:
        diff_catalogs(old, new)
    assert "unknown-parent" in info.value.message
