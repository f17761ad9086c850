"""The mapping language: every documented key, ids, problems with their lines, donations."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from textwrap import dedent

import pytest

from intelgraph.errors import InvalidInput, InvalidValue
from intelgraph.ingest.formats import FormatOptions, read_records
from intelgraph.ingest.mapping import (
    MappedEntity,
    MappingSpec,
    RecordError,
    column_values,
    external_id,
    load_mapping,
    parse_mapping,
)
from intelgraph.model import sha256_hex
from intelgraph.ontology import Ontology, make_entity_id

REPO = Path(__file__).resolve().parents[2]


def parse(text: str, ontology: Ontology, base: Path | None = None) -> MappingSpec:
    return parse_mapping(dedent(text), ontology, path="m.yml", base=base)


def problems(text: str, ontology: Ontology) -> list[str]:
    """The problems a broken mapping reports; each is also in the error message."""
    with pytest.raises(InvalidInput) as caught:
        parse_mapping(dedent(text), ontology, path="m.yml")
    found: list[str] = caught.value.details["problems"]
    assert found
    for problem in found:
        assert problem.startswith("m.yml:")
        assert problem in caught.value.message
    return found


def line(text: str, fragment: str) -> int:
    """The 1-based line of the one line of ``text`` that holds ``fragment``."""
    numbers = [n for n, row in enumerate(dedent(text).splitlines(), 1) if fragment in row]
    assert len(numbers) == 1, (fragment, numbers)
    return numbers[0]


def by_name(entities: list[MappedEntity], schema: str) -> list[MappedEntity]:
    return [e for e in entities if e.schema == schema]


def only(entities: list[MappedEntity]) -> MappedEntity:
    assert len(entities) == 1, entities
    return entities[0]


# -- keys and ids -------------------------------------------------------------------------

PEOPLE = """
queries:
  - entities:
      person:
        schema: Person
        keys: [first, last]
        properties:
          name: {columns: [first, last], join: " "}
"""


def test_keys_make_deterministic_ids(ontology: Ontology) -> None:
    mapping = parse(PEOPLE, ontology)
    first = only(mapping.map({"first": "Ada", "last": "Lovelace"}))
    again = only(mapping.map({"last": "Lovelace", "first": "Ada", "other": "x"}))
    assert first.id == again.id == make_entity_id("Person", ["Ada", "Lovelace"])
    assert first.schema == "Person"
    assert first.properties == {"name": ["Ada Lovelace"]}
    assert first.lenient == frozenset()
    other = only(mapping.map({"first": "Ada", "last": "Byron"}))
    assert other.id != first.id


def test_order_of_keys_matters(ontology: Ontology) -> None:
    swapped = parse(PEOPLE.replace("keys: [first, last]", "keys: [last, first]"), ontology)
    record = {"first": "Ada", "last": "Lovelace"}
    assert only(swapped.map(record)).id == make_entity_id("Person", ["Lovelace", "Ada"])
    assert only(swapped.map(record)).id != only(parse(PEOPLE, ontology).map(record)).id


def test_an_empty_key_keeps_its_position(ontology: Ontology) -> None:
    mapping = parse(PEOPLE, ontology)
    only_first = only(mapping.map({"first": "Smith", "last": ""}))
    only_last = only(mapping.map({"first": "", "last": "Smith"}))
    assert only_first.id != only_last.id
    assert only_last.id == make_entity_id("Person", ["", "Smith"])


@pytest.mark.parametrize(
    "record", [{"first": "", "last": ""}, {"first": "  ", "last": "\t"}, {}, {"first": None}]
)
def test_empty_keys_make_no_entity(ontology: Ontology, record: dict[str, object]) -> None:
    assert parse(PEOPLE, ontology).map(record) == []


def test_key_literal_changes_the_id(ontology: Ontology) -> None:
    text = """
    queries:
      - entities:
          a:
            schema: Organization
            key: name
            key_literal: party
            properties: {name: {column: name}}
          b:
            schema: Organization
            key: name
            key_literal: donor
            properties: {name: {column: name}}
          c:
            schema: Organization
            key: name
            properties: {name: {column: name}}
    """
    a, b, c = parse(text, ontology).map({"name": "Die Partei"})
    assert a.id == make_entity_id("Organization", ["party", "Die Partei"])
    assert b.id == make_entity_id("Organization", ["donor", "Die Partei"])
    assert c.id == make_entity_id("Organization", ["Die Partei"])
    assert len({a.id, b.id, c.id}) == 3


def test_id_column(ontology: Ontology) -> None:
    text = """
    queries:
      - entities:
          company:
            schema: Company
            id_column: ref
            properties: {name: {column: name}}
    """
    mapping = parse(text, ontology)
    assert only(mapping.map({"ref": " GB-0123:x_y ", "name": "A"})).id == "GB-0123:x_y"
    odd = "ref with spaces/and slashes"
    assert only(mapping.map({"ref": odd, "name": "B"})).id == sha256_hex(odd.encode())[:40]
    assert mapping.map({"ref": "", "name": "C"}) == []
    assert external_id("x" * 65) == sha256_hex(b"x" * 65)[:40]


# -- property values ----------------------------------------------------------------------


def test_column_columns_join_literal_literals(ontology: Ontology) -> None:
    text = """
    queries:
      - entities:
          person:
            schema: Person
            key: id
            properties:
              name: {column: name}
              alias: {columns: [nick, alias]}
              address: {columns: [street, zip, city], join: ", "}
              country: {literal: de}
              keywords: {literals: [donor, "2011"]}
              notes: {columns: [missing]}
    """
    record = {
        "id": "7",
        "name": " Anna ",
        "nick": "Annie",
        "alias": "",
        "street": "Hauptstr. 1",
        "zip": "",
        "city": "Köln",
    }
    person = only(parse(text, ontology).map(record))
    assert person.properties == {
        "name": ["Anna"],
        "alias": ["Annie"],
        "address": ["Hauptstr. 1, Köln"],
        "country": ["de"],
        "keywords": ["donor", "2011"],
    }


def test_template(ontology: Ontology) -> None:
    text = """
    queries:
      - entities:
          pay:
            schema: Payment
            key: id
            properties:
              amount: {template: "{{ amount }} {{currency}}"}
              purpose: {template: "{{amount}} EUR"}
    """
    mapping = parse(text, ontology)
    pay = only(mapping.map({"id": "1", "amount": "12.50", "currency": "EUR"}))
    assert pay.properties == {"amount": ["12.50 EUR"], "purpose": ["12.50 EUR"]}
    partial = only(mapping.map({"id": "2", "amount": "3", "currency": ""}))
    assert partial.properties == {"amount": ["3"], "purpose": ["3 EUR"]}
    # A template with nothing filled in is no value (not " EUR").
    assert only(mapping.map({"id": "3", "amount": "", "currency": ""})).properties == {}


def test_entity_reference_is_the_other_entity_id(ontology: Ontology) -> None:
    text = """
    queries:
      - entities:
          owner:
            schema: Person
            key: owner
            properties: {name: {column: owner}}
          company:
            schema: Company
            key: company
            properties: {name: {column: company}}
          stake:
            schema: Ownership
            keys: [owner, company]
            properties:
              owner: {entity: owner}
              asset: {entity: company}
              percentage: {column: share}
    """
    owner, company, stake = parse(text, ontology).map(
        {"owner": "Ada", "company": "Engines Ltd", "share": "51"}
    )
    assert (owner.schema, company.schema, stake.schema) == ("Person", "Company", "Ownership")
    assert stake.properties == {"owner": [owner.id], "asset": [company.id], "percentage": ["51"]}
    # Without an owner there is no owner entity and no reference to one.
    _company, lone = parse(text, ontology).map({"company": "Engines Ltd", "share": "5"})
    assert lone.properties == {"asset": [company.id], "percentage": ["5"]}
    assert lone.id == make_entity_id("Ownership", ["", "Engines Ltd"])


def test_split(ontology: Ontology) -> None:
    text = """
    queries:
      - entities:
          person:
            schema: Person
            key: id
            properties:
              alias: {column: aliases, split: ";"}
              email: {columns: [a, b], join: ",", split: ","}
    """
    person = only(
        parse(text, ontology).map(
            {"id": "1", "aliases": "Ann; Annie;; Nan ;", "a": "x@example.org", "b": "y@example.org"}
        )
    )
    assert person.properties == {
        "alias": ["Ann", "Annie", "Nan"],
        "email": ["x@example.org", "y@example.org"],
    }


DATES = """
queries:
  - entities:
      person:
        schema: Person
        key: id
        properties:
          birthDate: {column: born, format: "%d.%m.%Y"}
          deathDate: {column: died, format: ["%d.%m.%Y", "%Y/%m/%d", "%d.%m.%Y %H:%M"]}
"""


@pytest.mark.parametrize(
    ("died", "expected"),
    [
        ("31.01.2024", "2024-01-31"),
        ("2024/02/29", "2024-02-29"),
        ("01.03.2024 13:45", "2024-03-01T13:45:00"),
    ],
)
def test_date_formats(ontology: Ontology, died: str, expected: str) -> None:
    person = only(parse(DATES, ontology).map({"id": "1", "born": "10.12.1815", "died": died}))
    assert person.properties == {"birthDate": ["1815-12-10"], "deathDate": [expected]}


def test_date_not_matching_its_format_is_a_record_error(ontology: Ontology) -> None:
    mapping = parse(DATES, ontology)
    with pytest.raises(RecordError) as caught:
        mapping.map({"id": "1", "born": "1815-12-10"})
    assert caught.value.reason == "birthDate: '1815-12-10' does not match the date format %d.%m.%Y"
    with pytest.raises(RecordError, match=r"^deathDate: 'soon' does not match .* or %Y/%m/%d"):
        mapping.map({"id": "1", "died": "soon"})
    assert only(mapping.map({"id": "1", "born": ""})).properties == {}


def test_required_skips_the_entity_and_references_to_it(ontology: Ontology) -> None:
    text = """
    queries:
      - entities:
          donor:
            schema: Person
            key: donor_id
            properties:
              name: {column: donor, required: true}
          party:
            schema: Organization
            key: party
            properties:
              name: {column: party}
          gift:
            schema: Payment
            keys: [donor_id, party]
            properties:
              payer: {entity: donor, required: true}
              beneficiary: {entity: party}
          note:
            schema: Note
            key: party
            properties:
              content: {literal: seen}
              about: {entity: gift}
    """
    mapping = parse(text, ontology)
    full = mapping.map({"donor_id": "1", "donor": "Ada", "party": "P"})
    assert [e.schema for e in full] == ["Person", "Organization", "Payment", "Note"]
    donor, party, gift, note = full
    assert gift.properties == {"payer": [donor.id], "beneficiary": [party.id]}
    assert note.properties == {"content": ["seen"], "about": [gift.id]}
    # No donor name: the donor is skipped, so is the payment that requires it, and the
    # note no longer points at the payment that was not made.
    partial = mapping.map({"donor_id": "1", "donor": "", "party": "P"})
    assert [e.schema for e in partial] == ["Organization", "Note"]
    assert partial[1].properties == {"content": ["seen"]}


def test_invalid_drop_marks_the_property_lenient(ontology: Ontology) -> None:
    text = """
    queries:
      - entities:
          address:
            schema: Address
            key: full
            properties:
              full: {column: full}
              country: {column: country, invalid: drop}
              city: {column: city, invalid: reject}
    """
    address = only(parse(text, ontology).map({"full": "x", "country": "Atlantis", "city": "y"}))
    assert address.lenient == frozenset({"country"})
    assert address.properties["country"] == ["Atlantis"]  # dropped later, when normalised


def test_filters_and_filters_not(ontology: Ontology) -> None:
    text = """
    queries:
      - filters:
          kind: PERSON
          year: [2010, "2011"]
        filters_not:
          status: [deleted, hidden]
          flag: "x"
        entities:
          person:
            schema: Person
            key: name
            properties: {name: {column: name}}
    """
    mapping = parse(text, ontology)
    base = {"kind": "PERSON", "year": "2011", "status": "ok", "flag": "", "name": "Ada"}
    assert len(mapping.map(base)) == 1
    assert len(mapping.map({**base, "year": "2010", "kind": " PERSON "})) == 1
    assert mapping.map({**base, "kind": "COMPANY"}) == []
    assert mapping.map({**base, "year": "2012"}) == []
    assert mapping.map({**base, "status": "hidden"}) == []
    assert mapping.map({**base, "flag": "x"}) == []
    assert mapping.map({k: v for k, v in base.items() if k != "kind"}) == []


def test_dotted_column_paths_into_nested_json(ontology: Ontology) -> None:
    text = """
    queries:
      - entities:
          company:
            schema: Company
            key: meta.id
            properties:
              name: {column: names.official}
              alias: {column: names.others}
              address: {column: offices.city}
              registrationNumber: {column: reg.no}
              sector: {column: meta.active}
    """
    record = {
        "meta": {"id": 42, "active": True},
        "names": {"official": "Engines Ltd", "others": ["AE", "", "Engines"]},
        "offices": [{"city": "London"}, {"city": "Leeds"}, "not an office", {"zip": "1"}],
        "reg.no": "R-1",  # a key with a dot in it wins over the path
        "reg": {"no": "unused"},
    }
    company = only(parse(text, ontology).map(record))
    assert company.id == make_entity_id("Company", ["42"])
    assert company.properties == {
        "name": ["Engines Ltd"],
        "alias": ["AE", "Engines"],
        "address": ["London", "Leeds"],
        "registrationNumber": ["R-1"],
        "sector": ["true"],
    }
    assert column_values(record, "names") == []  # an object is not a value
    assert column_values(record, "meta.nothing.deeper") == []


def test_ftm_multi_dataset_form(ontology: Ontology) -> None:
    text = """
    gb_companies:
      source:
        name: companies-house
      queries:
        - entities:
            company:
              schema: Company
              key: number
              properties: {name: {column: name}}
    gb_people:
      query:
        entities:
          person:
            schema: Person
            key: id
            properties: {name: {column: name}}
    """
    mapping = parse(text, ontology)
    assert len(mapping.queries) == 2
    assert mapping.source.name == "companies-house"
    mapped = mapping.map({"number": "01", "id": "p1", "name": "Ada"})
    assert [(e.schema, e.properties) for e in mapped] == [
        ("Company", {"name": ["Ada"]}),
        ("Person", {"name": ["Ada"]}),
    ]


def test_ftm_schema_and_property_names_resolve_to_the_catalog(ontology: Ontology) -> None:
    text = """
    queries:
      - entities:
          entity:
            schema: LegalEntity
            key: id
            properties: {name: {column: name}, addressEntity: {entity: address}}
          address:
            schema: Address
            key: id
            properties: {full: {column: addr}, postalCode: {column: zip}}
          login:
            schema: UserAccount
            key: user
            properties: {username: {column: user}, owner: {entity: entity}}
          car:
            schema: Vehicle
            key: plate
            properties: {registrationNumber: {column: plate}, type: {literal: car}}
          passport:
            schema: Identification
            key: doc
            properties: {number: {column: doc}, type: {literal: passport}, holder: {entity: entity}}
          note:
            schema: Note
            key: id
            properties: {content: {literal: hi}, entity: {entity: car}}
    """
    record = {
        "id": "1",
        "name": "Ada",
        "addr": "1 Road",
        "zip": "N1",
        "user": "ada",
        "plate": "AB-12",
        "doc": "X123",
    }
    entity, address, login, car, passport, note = parse(text, ontology).map(record)
    assert [e.schema for e in (entity, address, login, car, passport, note)] == [
        "LegalEntity",
        "Address",
        "Account",
        "Vehicle",
        "Identification",
        "Note",
    ]
    assert entity.properties == {"name": ["Ada"], "addressEntity": [address.id]}
    assert login.id == make_entity_id("Account", ["ada"])
    assert login.properties == {"username": ["ada"], "owner": [entity.id]}
    assert car.properties == {"registrationNumber": ["AB-12"], "vehicleType": ["car"]}
    assert passport.properties == {
        "number": ["X123"],
        "documentType": ["passport"],
        "holder": [entity.id],
    }
    assert note.properties == {"content": ["hi"], "about": [car.id]}


def test_source_block(ontology: Ontology) -> None:
    text = """
    source:
      name: leak-2024
      description: A leaked register
      licence: Restricted-TOS
      retention: short-30d
      purposes: [investigation, journalism]
      residency: eu
      labels:
        tenant: newsroom
        classification: 2
        compartments: [alpha, beta]
      privacy:
        pii: token
        sensitive: drop
    queries:
      - entities:
          p: {schema: Person, key: id, properties: {name: {column: name}}}
    """
    source = parse(text, ontology).source
    assert source.name == "leak-2024"
    assert source.description == "A leaked register"
    assert source.licence == "Restricted-TOS"
    assert source.retention == "short-30d"
    assert source.purposes == ("investigation", "journalism")
    assert source.residency == "eu"
    assert source.labels == {
        "tenant": "newsroom",
        "classification": 2,
        "compartments": ["alpha", "beta"],
    }
    assert source.privacy == {"pii": "token", "sensitive": "drop"}
    american = parse(text.replace("licence:", "license:"), ontology).source
    assert american.licence == "Restricted-TOS"
    bare = parse(text[text.index("queries:") :], ontology).source
    assert (bare.name, bare.licence, bare.purposes, dict(bare.labels)) == (None, None, (), {})


def test_csv_urls_and_format_options(tmp_path: Path, ontology: Ontology) -> None:
    folder = tmp_path / "maps"
    folder.mkdir()
    path = folder / "m.yml"
    path.write_text(
        dedent(
            """
            queries:
              - csv_url: ../data/people.csv
                format: csv
                delimiter: ";"
                encoding: latin-1
                entities:
                  p: {schema: Person, key: id, properties: {name: {column: name}}}
              - csv_urls: [https://example.org/a.json, /abs/b.json]
                records: result.items
                sheet: Sheet1
                entities:
                  p: {schema: Person, key: id, properties: {name: {column: name}}}
            """
        ),
        encoding="utf-8",
    )
    mapping = load_mapping(path, ontology)
    assert mapping.path == str(path)
    assert mapping.urls == [
        str((tmp_path / "data" / "people.csv").resolve()),
        "https://example.org/a.json",
        "/abs/b.json",
    ]
    assert mapping.queries[0].options == {"format": "csv", "delimiter": ";", "encoding": "latin-1"}
    assert dict(mapping.format_options) == {
        "format": "csv",
        "delimiter": ";",
        "encoding": "latin-1",
        "records_path": "result.items",
        "sheet": "Sheet1",
    }
    # Without a base folder the URL is kept as written.
    text = path.read_text(encoding="utf-8")
    assert parse_mapping(text, ontology).urls[0] == "../data/people.csv"


def test_mapping_hash_follows_content(ontology: Ontology) -> None:
    first = parse(PEOPLE, ontology)
    assert first.hash == parse(PEOPLE + "\n# a comment\n", ontology).hash
    assert len(first.hash) == 64
    assert first.hash != parse(PEOPLE.replace("join: ", "split: "), ontology).hash


def test_yaml_syntax_error_names_its_line(ontology: Ontology) -> None:
    text = """\
    queries:
      - entities:
          p:
            schema: Person
            properties: {name: {column: name}
            keys: [id]
    """
    found = problems(text, ontology)
    assert len(found) == 1
    assert found[0].startswith("m.yml:6: the mapping is not valid YAML")


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- b\n", "just text\n"])
def test_a_mapping_must_be_a_yaml_mapping(ontology: Ontology, text: str) -> None:
    assert problems(text, ontology) == ["m.yml:1: a mapping file is a YAML mapping with 'queries'"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("queries: []\n", "m.yml:1: the mapping defines no queries"),
        ("source:\n  name: x\nqueries: {}\n", "m.yml:3: 'queries' must be a list"),
        ("queries:\n  - 1\n", "m.yml:2: each query must be a mapping"),
        ("query: [1]\n", "m.yml:1: 'query' must be a mapping"),
        ("queries:\n  - filters: {a: b}\n", "m.yml:2: query 1 needs an 'entities' mapping"),
        ("queries:\n  - entities: {}\n", "m.yml:2: query 1 needs an 'entities' mapping"),
        (
            "quieries:\n  - entities: {}\n",
            "m.yml:1: 'quieries' is neither 'source' nor a dataset with 'queries'",
        ),
    ],
)
def test_empty_or_misshapen_queries(ontology: Ontology, text: str, expected: str) -> None:
    assert problems(text, ontology) == [expected]


def test_unknown_type_with_close_match(ontology: Ontology) -> None:
    text = """
    queries:
      - entities:
          p:
            schema: Persn
            key: id
    """
    (found,) = problems(text, ontology)
    assert found.startswith(f"m.yml:{line(text, 'Persn')}: unknown type 'Persn'")
    assert "did you mean Person" in found


def test_abstract_type(ontology: Ontology) -> None:
    text = """
    queries:
      - entities:
          t:
            key: id
            schema: Thing
    """
    assert problems(text, ontology) == [
        f"m.yml:{line(text, 'Thing')}: Thing is abstract; use a concrete subtype"
    ]


ENTITY_PROBLEMS = """
queries:
  - entities:
      donor:
        schema: Person
        key: id
        properties:
          name: {column: name}
          nmae: {column: name}
          nationality: {literal: Atlantis}
          addressEntity: {column: address_id}
          firstName: {entity: donor}
          lastName: {column: last, literal: Smith}
          birthDate: {column: born, format: "%Y"}
          title: {column: title, format: "%Y"}
          address: {column: street, colour: red}
          gender: {column: gender, invalid: ignore}
          email: {}
      gift:
        schema: Payment
        properties:
          payer: {entity: donor}
          beneficiary: {entity: party}
          amount: {column: eur}
"""


def test_many_problems_each_with_its_line(ontology: Ontology) -> None:
    text = ENTITY_PROBLEMS

    def at(fragment: str, message: str) -> str:
        return f"m.yml:{line(text, fragment)}: {message}"

    expected = [
        at("nmae", "type Person has no property 'nmae'; did you mean name?"),
        at("Atlantis", "Person.nationality: 'Atlantis' is not a valid country"),
        at("address_id", "Person.addressEntity references an entity: use 'entity: NAME'"),
        at("firstName", "Person.firstName is not an entity reference"),
        at(
            "lastName",
            "property 'lastName' needs exactly one of column, columns, literal, "
            "literals, entity, template",
        ),
        at("title:", "format only applies to dates; Person.title is name"),
        at("colour", "unknown key 'colour' in property 'address'"),
        at("ignore", "invalid must be 'reject' (the default) or 'drop'"),
        at(
            "email",
            "property 'email' needs exactly one of column, columns, literal, "
            "literals, entity, template",
        ),
        at("gift:", "entity 'gift' needs key, keys or id_column so that its id is stable"),
        at("party", "entity 'party' is not defined in this query"),
    ]
    with pytest.raises(InvalidInput) as caught:
        parse_mapping(dedent(text), ontology, path="m.yml")
    error = caught.value
    assert error.details["problems"] == expected
    assert error.message.startswith(f"the mapping m.yml has {len(expected)} problem(s):\n  ")
    assert all(f"\n  {p}" in error.message for p in expected)
    assert error.hint is not None
    assert error.code == "invalid_input"


def test_unknown_keys_at_every_level(ontology: Ontology) -> None:
    text = """
    source:
      name: x
      owner: me
    queries:
      - tables: [a]
        bogus: 1
        entities:
          p:
            schema: Person
            key: id
            keyz: [id]
            properties:
              name: {column: name, colum: other}
    extra: 1
    """
    assert problems(text, ontology) == [
        f"m.yml:{line(text, 'extra')}: unknown top-level key 'extra'",
        f"m.yml:{line(text, 'owner')}: unknown source key 'owner' (allowed: description, "
        "labels, licence, license, name, privacy, purposes, residency, retention)",
        f"m.yml:{line(text, 'tables')}: 'tables' (SQL database queries) is not supported; "
        "export the table to CSV and map that",
        f"m.yml:{line(text, 'bogus')}: unknown query key 'bogus'",
        f"m.yml:{line(text, 'keyz')}: unknown key 'keyz' in entity 'p'",
        f"m.yml:{line(text, 'colum:')}: unknown key 'colum' in property 'name'",
    ]


def test_sql_database_queries_are_refused_with_a_csv_hint(ontology: Ontology) -> None:
    text = """
    queries:
      - database: postgresql://db/register
        tables: [companies]
        joins: []
        entities:
          c: {schema: Company, key: id}
    """
    found = problems(text, ontology)
    assert [p.split(": ", 1)[0] for p in found] == [
        f"m.yml:{line(text, 'database')}",
        f"m.yml:{line(text, 'tables')}",
        f"m.yml:{line(text, 'joins')}",
    ]
    assert all("export the table to CSV and map that" in p for p in found)


def test_duplicate_keys_at_any_depth(ontology: Ontology) -> None:
    text = """
    queries:
      - entities:
          p:
            schema: Person
            key: id
            properties:
              name: {column: name}
              name: {column: other}
          p:
            schema: Company
            key: id
    queries: []
    """
    lines = [n for n, row in enumerate(dedent(text).splitlines(), 1) if "name:" in row]
    assert problems(text, ontology) == [
        f"m.yml:{line(text, 'queries: []')}: key 'queries' is given twice",
        f"m.yml:{line(text, 'schema: Company') - 1}: key 'p' is given twice",
        f"m.yml:{lines[1]}: key 'name' is given twice",
    ]


def test_keys_and_id_column_together(ontology: Ontology) -> None:
    text = """
    queries:
      - entities:
          p:
            schema: Person
            keys: [a]
            id_column: ref
    """
    assert problems(text, ontology) == [
        f"m.yml:{line(text, 'id_column')}: entity 'p': use keys or id_column, not both"
    ]


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("schema: Person\n    key: {a: 1}", "key/keys must be column names"),
        ("schema: Person\n    key: a\n    id_column: [a]", "id_column must be a column name"),
        ("schema: Person\n    key: a\n    properties: [a]", "properties must be a mapping"),
        ("key: a", "entity 'p' needs a schema (a type from docs/ontology.md)"),
        (
            "schema: Person\n    key: a\n    properties: {name: name}",
            "property 'name' must be a mapping (column, literal, entity, …)",
        ),
        (
            "schema: Person\n    key: a\n    properties: {name: {column: {x: 1}}}",
            "column(s) and literal(s) of 'name' must be text",
        ),
        (
            "schema: Person\n    key: a\n    properties: {birthDate: {column: b, format: {x: 1}}}",
            "format must be a date format or a list of them",
        ),
    ],
)
def test_malformed_entity_parts(ontology: Ontology, snippet: str, message: str) -> None:
    text = "queries:\n  - entities:\n      p:\n" + "\n".join(
        "        " + row.strip() for row in snippet.split("\n")
    )
    (found,) = problems(text, ontology)
    assert found.split(": ", 1)[1] == message


def test_malformed_query_parts(ontology: Ontology) -> None:
    text = """
    queries:
      - csv_url: {a: 1}
        delimiter: 1
        filters: [a]
        filters_not: {a: {b: c}}
        entities:
          p: []
    """
    assert problems(text, ontology) == [
        f"m.yml:{line(text, 'p: []')}: entity 'p' must be a mapping",
        f"m.yml:{line(text, 'csv_url')}: csv_url must be text or a list of text",
        f"m.yml:{line(text, 'delimiter')}: delimiter must be text",
        f"m.yml:{line(text, 'filters:')}: filters must map a column to a value or a list of values",
        f"m.yml:{line(text, 'filters_not')}: filters_not.a must be a value or a list of values",
    ]


def test_malformed_source_block(ontology: Ontology) -> None:
    text = """
    source:
      name: [a]
      labels: [secret]
      privacy: {pii: [token]}
    queries:
      - entities:
          p: {schema: Person, key: id}
    """
    assert sorted(problems(text, ontology)) == sorted(
        [
            f"m.yml:{line(text, 'labels')}: 'labels' must be a mapping of tenant, "
            "classification, compartments",
            f"m.yml:{line(text, 'privacy')}: 'privacy' maps a privacy class to keep, token or drop",
            f"m.yml:{line(text, 'name:')}: source name must be text",
        ]
    )
    assert problems("source: x\nqueries: []\n", ontology) == ["m.yml:1: 'source' must be a mapping"]


def test_load_mapping_file_errors(tmp_path: Path, ontology: Ontology) -> None:
    with pytest.raises(InvalidInput, match="cannot read the mapping"):
        load_mapping(tmp_path / "missing.yml", ontology)
    latin = tmp_path / "latin.yml"
    latin.write_bytes("# Köln\nqueries: []\n".encode("latin-1"))
    with pytest.raises(InvalidInput, match="is not UTF-8 text"):
        load_mapping(latin, ontology)
    broken = tmp_path / "broken.yml"
    broken.write_text("queries:\n  - entities:\n      p: {schema: Persn, key: id}\n")
    with pytest.raises(InvalidInput) as caught:
        load_mapping(broken, ontology)
    assert caught.value.details["problems"][0].startswith(f"{broken}:3: unknown type 'Persn'")


# -- the shipped example ------------------------------------------------------------------


@pytest.mark.shared_data
def test_donations_example_maps_every_row(shared_data: Path, ontology: Ontology) -> None:
    mapping = load_mapping(REPO / "docs" / "examples" / "donations.yml", ontology)
    assert mapping.source.name == "de-party-donations"
    assert mapping.source.licence == "Open-Data-OK"
    assert mapping.source.purposes == ("investigation", "research")
    path = shared_data / "donations" / "donations.csv"
    opener = lambda: path.open("rb")  # noqa: E731 - the opener a connector would pass
    records = list(read_records("csv", opener, cursor=None, options=FormatOptions()))
    assert len(records) == 292
    assert all(r.data is not None and r.error is None for r in records)

    donor_schema = {"PERSON": "Person", "COMPANY": "Company", "ORG": "Organization"}
    schemas: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    for record in records:
        row = record.data
        assert row is not None
        mapped = mapping.map(row)
        assert len(mapped) == 4, (record.location, mapped)
        kind = donor_schema[row["DonorType"]]
        party = only([e for e in mapped if "legalForm" in e.properties])
        (address,) = by_name(mapped, "Address")
        (payment,) = by_name(mapped, "Payment")
        (donor,) = [e for e in mapped if e not in (party, address, payment)]
        schemas.update(e.schema for e in mapped)

        assert party.schema == "Organization"
        assert party.id == make_entity_id("Organization", ["party", row["Party"]])
        assert party.properties == {
            "name": [row["Party"].strip()],
            "country": ["de"],
            "legalForm": ["political party"],
        }
        assert donor.schema == kind
        assert donor.properties["name"] == [row["Donor"].strip()]
        assert donor.properties["addressEntity"] == [address.id]
        assert payment.properties["payer"] == [donor.id]
        assert payment.properties["beneficiary"] == [party.id]
        assert payment.properties["amount"] == [f"{row['DonationEUR']} EUR"]
        assert payment.properties["date"] == [row["DonationDate"]]
        assert address.lenient == frozenset({"country"})
        assert donor.lenient == party.lenient == payment.lenient == frozenset()

        # What the pipeline does with the values: only Address.country may be dropped.
        for entity in mapped:
            kept: dict[str, list[str]] = {}
            for name, values in entity.properties.items():
                for value in values:
                    try:
                        normal = ontology.normalize(entity.schema, name, value)
                    except InvalidValue:
                        assert (entity.schema, name) == ("Address", "country"), value
                        assert name in entity.lenient
                        dropped[value] += 1
                    else:
                        kept.setdefault(name, []).append(normal)
            assert ontology.validate(entity.schema, kept) == []
            if entity is address:
                assert kept["full"] == [
                    ", ".join(
                        v.strip() for v in (row["Street"], row["City"], row["Country"]) if v.strip()
                    )
                ]
                assert kept.get("country") == (["de"] if row["Country"] == "Deutschland" else None)

    assert schemas == Counter(
        {"Organization": 292 + 42, "Address": 292, "Payment": 292, "Company": 202, "Person": 48}
    )
    assert dropped == Counter({"Niedlerlande": 8, "Großbritannien": 2, "Zypern": 1, "Luxemburg": 1})
