"""The shipped catalog: coverage of the required types, edges, privacy and lookups."""

from __future__ import annotations

from pathlib import Path

import pytest

from intelgraph.errors import InvalidValue, OntologyError
from intelgraph.ontology import Ontology, default_ontology

INVESTIGATION_TYPES = [
    "Thing", "LegalEntity", "Person", "Organization", "Company", "PublicBody", "Address",
    "Account", "BankAccount", "Payment", "Ownership", "Directorship", "Membership", "Family",
    "Associate", "Phone", "Email", "Vehicle", "Vessel", "Document", "Event", "Sanction",
    "Employment", "Note", "UnknownLink",
]  # fmt: skip
THREAT_TYPES = [
    "ThreatActor", "IntrusionSet", "Campaign", "Malware", "Tool", "AttackPattern", "Tactic",
    "CourseOfAction", "Indicator", "Vulnerability", "Infrastructure", "Domain", "IPAddress",
    "URL", "FileHash", "Identity", "Report", "Relationship", "Uses", "Targets", "Indicates",
    "Mitigates", "AttributedTo", "ResolvesTo", "SubtechniqueOf",
]  # fmt: skip


@pytest.fixture(scope="module")
def ont() -> Ontology:
    return default_ontology()


def test_default_ontology_is_cached_and_versioned(ont: Ontology) -> None:
    assert default_ontology() is ont
    assert ont.version == "1.0.0"


def test_at_least_30_concrete_types(ont: Ontology) -> None:
    concrete = [s for s in ont.schemata.values() if not s.abstract]
    assert len(concrete) >= 30


@pytest.mark.parametrize("name", INVESTIGATION_TYPES + THREAT_TYPES)
def test_required_type_present(ont: Ontology, name: str) -> None:
    schema = ont.get(name)
    assert schema.name == name
    assert schema.label
    assert schema.plural
    assert schema.description


def test_thing_is_abstract_and_every_type_has_a_label(ont: Ontology) -> None:
    assert ont.get("Thing").abstract
    for schema in ont.schemata.values():
        assert schema.label, schema.name
        for prop in schema.properties.values():
            assert prop.label, prop.qname


def test_every_edge_joins_non_edge_types(ont: Ontology) -> None:
    edges = ont.edge_types()
    assert len(edges) >= 15
    for edge in edges:
        for prop_name, rng in ((edge.edge_source, edge.source_range),
                               (edge.edge_target, edge.target_range)):  # fmt: skip
            assert prop_name is not None, edge.name
            assert rng is not None, edge.name
            prop = edge.properties[prop_name]
            assert prop.type.name == "entity"
            assert not prop.multiple
            assert prop_name in edge.required
            assert not ont.get(rng).is_edge, f"{edge.name}.{prop_name} ranges over an edge"
        assert edge.edge_label


def test_unknown_link_joins_any_things(ont: Ontology) -> None:
    link = ont.get("UnknownLink")
    assert link.is_edge
    assert not link.directed
    assert (link.source_range, link.target_range) == ("Thing", "Thing")
    assert ont.get("Associate").directed is False
    assert ont.get("Ownership").directed is True


@pytest.mark.parametrize(
    "prop",
    ["birthDate", "nationality", "idNumber", "email", "phone", "passportNumber", "birthPlace"],
)
def test_person_personal_data_is_pii(ont: Ontology, prop: str) -> None:
    assert ont.get("Person").properties[prop].privacy == "pii"


def test_privacy_of_other_properties(ont: Ontology) -> None:
    assert ont.get("BankAccount").properties["iban"].privacy == "sensitive"
    assert ont.get("BankAccount").properties["accountNumber"].privacy == "sensitive"
    # A company's e-mail address is not personal data; a person's is.
    assert ont.get("Company").properties["email"].privacy == "public"
    assert ont.get("Company").properties["name"].privacy == "public"


def test_inheritance(ont: Ontology) -> None:
    company = ont.get("Company")
    assert company.is_a("LegalEntity")
    assert company.is_a("Asset")
    assert company.is_a("Thing")
    assert company.is_a("Company")
    assert not company.is_a("Person")
    assert company.extends == ("Organization", "Asset")
    assert "name" in company.properties
    assert "amount" in company.properties
    assert company.properties["name"].schema == "Thing"
    assert ont.get("Person").properties["email"].schema == "Person"
    assert ont.get("Person").properties["email"].label == "E-mail"  # merged from LegalEntity
    assert "Person" in ont.descendants("LegalEntity")
    assert "Uses" in ont.descendants("Link")


def test_caption_and_text_properties(ont: Ontology) -> None:
    person = ont.get("Person")
    assert person.caption[0] == "name"
    assert person.make_caption({"lastName": ["Doe"], "name": []}) == "Doe"
    assert person.make_caption({}) == "Person"
    assert "name" in person.text_properties()
    assert "birthDate" not in person.text_properties()
    assert "birthDate" in person.matchable_properties()
    assert "addressEntity" in person.entity_properties()


def test_get_unknown_type_suggests_close_matches(ont: Ontology) -> None:
    with pytest.raises(OntologyError) as info:
        ont.get("Persn")
    assert info.value.hint is not None
    assert "Person" in info.value.hint
    assert "Persn" in info.value.message


def test_by_stix_and_by_ftm(ont: Ontology) -> None:
    assert ont.by_stix("intrusion-set") is ont.get("IntrusionSet")
    assert ont.by_stix("ipv6-addr") is ont.get("IPAddress")
    assert ont.by_stix("relationship") is ont.get("Relationship")
    assert ont.by_stix("relationship", "uses") is ont.get("Uses")
    assert ont.by_stix("relationship", "derived-from") is ont.get("Relationship")
    assert ont.by_stix("relationship", "related-to") is ont.get("UnknownLink")
    assert ont.by_stix("no-such-type") is None
    assert ont.by_ftm("Company") is ont.get("Company")
    assert ont.by_ftm("UserAccount") is ont.get("Account")
    assert ont.by_ftm("Nothing") is None
    for name in ("Person", "Ownership", "Directorship", "Payment", "Address", "BankAccount",
                 "Vessel", "Sanction"):  # fmt: skip
        assert ont.get(name).ftm == name


def test_normalize_through_the_ontology(ont: Ontology) -> None:
    assert ont.normalize("Person", "birthDate", "1970-01-02T00:00:00Z") == "1970-01-02T00:00:00"
    assert ont.normalize("Person", "phone", "030 1234567", hint="de") == "+49301234567"
    assert ont.normalize("Person", "nationality", "Germany") == "de"
    with pytest.raises(InvalidValue) as info:
        ont.normalize("Person", "birthDate", "2023-02-30")
    assert "Person.birthDate" in info.value.message
    with pytest.raises(OntologyError) as unknown:
        ont.normalize("Person", "birthdate", "2020")
    assert unknown.value.hint is not None
    assert "birthDate" in unknown.value.hint


def test_validate(ont: Ontology) -> None:
    assert ont.validate("Person", {"name": ["Jane Doe"], "birthDate": ["1970"]}) == []
    problems = ont.validate(
        "Person", {"birthDate": ["1970-13"], "shoeSize": ["44"], "email": ["nope"]}
    )
    text = "\n".join(problems)
    assert "Person.name is required" in text
    assert "Person.birthDate" in text
    assert "month" in text
    assert "no property 'shoeSize'" in text
    assert "Person.email" in text
    assert len(problems) == 4
    assert any("abstract" in p for p in ont.validate("Thing", {"name": ["x"]}))
    edge = ont.validate("Ownership", {"owner": ["a"], "asset": ["b", "c"]})
    assert edge == ["Ownership.asset takes one value, got 2"]
    assert ont.validate("Ownership", {"owner": ["a"]}) == [
        "Ownership.asset is required but has no value"
    ]


def test_docs_list_every_type(ont: Ontology) -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "ontology.md"
    text = docs.read_text(encoding="utf-8")
    missing = [s.name for s in ont if f"| **{s.name}** (" not in text]
    assert missing == [], "add these types to the table in docs/ontology.md"
