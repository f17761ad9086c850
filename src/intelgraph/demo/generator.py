"""A deterministic fictional investigation: shell companies, money and a threat actor.

Each scale unit is one self-contained cell of the story (owners, a chain of
shell companies across jurisdictions, their bank accounts and payments, shared
phones and addresses, a threat actor with malware, infrastructure and
indicators); consecutive units are tied together by associates so the graph is
one connected network. Unit 0 carries the names the README tour uses.

Everything is derived from the unit number, so the same scale always yields
the same records, statements and ids.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from intelgraph.demo.sources import BANK, CTI, LEAKS, REGISTRY, TELECOM
from intelgraph.model import Record, Source, Statement, canonical_json
from intelgraph.ontology import default_ontology, make_entity_id

NAMESPACE = "demo"
EPOCH = datetime(2024, 3, 1, tzinfo=UTC)

FIRST = (
    "Anna",
    "Boris",
    "Clara",
    "Dmitri",
    "Elena",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Katya",
    "Luca",
    "Mira",
    "Nikolai",
    "Olga",
    "Pavel",
    "Rosa",
    "Sven",
    "Tamar",
    "Viktor",
)
LAST = (
    "Adler",
    "Brandt",
    "Costa",
    "Dragan",
    "Ekberg",
    "Falk",
    "Galea",
    "Horvat",
    "Ivanova",
    "Jansen",
    "Kovac",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Ortega",
    "Petrov",
    "Quist",
    "Rossi",
    "Sokolova",
    "Tamm",
)
WORDS = (
    "Aurora",
    "Boreal",
    "Cobalt",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Onyx",
    "Polaris",
    "Quartz",
    "Riviera",
    "Sable",
    "Tundra",
)
TRADES = (
    "Maritime",
    "Trading",
    "Capital",
    "Logistics",
    "Ventures",
    "Resources",
    "Shipping",
    "Consulting",
)
SUFFIX = {
    "cy": "Ltd",
    "vg": "Ltd",
    "pa": "S.A.",
    "mt": "Ltd",
    "ae": "FZE",
    "lu": "S.à r.l.",
    "sc": "Ltd",
    "bz": "Ltd",
}
CITIES = {
    "cy": "Limassol",
    "vg": "Road Town",
    "pa": "Panama City",
    "mt": "Valletta",
    "ae": "Dubai",
    "lu": "Luxembourg",
    "sc": "Victoria",
    "bz": "Belize City",
}
TECHNIQUES = (
    ("T1566", "Phishing"),
    ("T1071", "Application Layer Protocol"),
    ("T1027", "Obfuscated Files or Information"),
    ("T1105", "Ingress Tool Transfer"),
)


@dataclass
class DemoData:
    sources: tuple[Source, ...]
    records: list[Record] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)


class _Unit:
    """Builds one cell of the story; ``emit`` turns an observed row into statements."""

    def __init__(self, unit: int, data: DemoData) -> None:
        self.unit = unit
        self.rng = random.Random(f"intelgraph-demo-{unit}")
        self.data = data

    def seen(self, source: Source) -> datetime:
        offset = {REGISTRY.name: 0, LEAKS.name: 9, BANK.name: 21, TELECOM.name: 33, CTI.name: 40}
        return EPOCH + timedelta(days=offset[source.name] + self.unit % 300)

    def emit(
        self,
        source: Source,
        schema: str,
        keys: Sequence[str],
        props: Mapping[str, str | Sequence[str]],
    ) -> str:
        entity_id = make_entity_id(schema, list(keys), NAMESPACE)
        row = {"schema": schema, "keys": list(keys), "properties": dict(props), "unit": self.unit}
        record = Record(
            source_id=source.id,
            content=canonical_json(row),
            uri=f"demo://{source.name}/unit-{self.unit}",
            location=f"{schema}:{'/'.join(keys)}",
            labels=source.labels,
        )
        self.data.records.append(record)
        moment = self.seen(source)
        ontology = default_ontology()
        for prop, values in props.items():
            for raw in [values] if isinstance(values, str) else values:
                value = ontology.normalize(schema, prop, raw)
                self.data.statements.append(
                    Statement(
                        entity_id=entity_id,
                        schema=schema,
                        prop=prop,
                        value=value,
                        source_id=source.id,
                        record_id=record.id,
                        labels=source.labels,
                        first_seen=moment,
                    )
                )
        return entity_id

    def person(self, index: int) -> str:
        first = FIRST[(self.unit * 7 + index * 3) % len(FIRST)]
        last = LAST[(self.unit * 11 + index * 5) % len(LAST)]
        name = f"{first} {last}" if self.unit == 0 else f"{first} {last} {self.unit}"
        key = [f"person-{self.unit}-{index}"]
        country = self.rng.choice(("de", "ru", "cy", "gb", "ee", "rs"))
        person = self.emit(REGISTRY, "Person", key, {"name": name, "country": country})
        year, month, day = (
            1955 + self.rng.randrange(40),
            1 + self.rng.randrange(12),
            1 + self.rng.randrange(28),
        )
        birth = f"{year}-{month:02d}-{day:02d}"
        self.emit(LEAKS, "Person", key, {"name": name, "birthDate": birth, "nationality": country})
        return person

    def company(self, index: int, jurisdiction: str) -> str:
        if self.unit == 0 and index == 0:
            name = "Aurora Maritime Holdings Ltd"
        else:
            word = WORDS[(self.unit * 3 + index * 7) % len(WORDS)]
            trade = TRADES[(self.unit + index) % len(TRADES)]
            name = f"{word} {trade} {SUFFIX[jurisdiction]}"
            if self.unit:
                name = f"{word} {trade} {self.unit}-{index} {SUFFIX[jurisdiction]}"
        key = [f"company-{self.unit}-{index}"]
        number = f"{jurisdiction.upper()}{100000 + self.unit * 100 + index}"
        props = {
            "name": name,
            "jurisdiction": jurisdiction,
            "registrationNumber": number,
            "incorporationDate": f"{2012 + (self.unit + index) % 10}-0{1 + index}-15",
        }
        company = self.emit(REGISTRY, "Company", key, props)
        self.emit(
            LEAKS,
            "Company",
            key,
            {"name": name, "notes": "Client of a corporate service provider; nominee directors."},
        )
        return company

    def edge(self, source: Source, schema: str, tag: str, props: Mapping[str, str]) -> str:
        return self.emit(source, schema, [f"{schema.lower()}-{self.unit}-{tag}"], props)

    def build(self) -> dict[str, str]:
        jurisdictions = self.rng.sample(sorted(SUFFIX), 6)
        people = [self.person(i) for i in range(4)]
        companies = [self.company(i, j) for i, j in enumerate(jurisdictions)]
        # Ownership chain person0 → c0 → c1 → c2, a second route person1 → c3 → c2.
        for tag, owner, asset, share in (
            ("p0c0", people[0], companies[0], "100"),
            ("c0c1", companies[0], companies[1], "75"),
            ("c1c2", companies[1], companies[2], "60"),
            ("p1c3", people[1], companies[3], "100"),
            ("c3c2", companies[3], companies[2], "40"),
            ("c2c4", companies[2], companies[4], "100"),
        ):
            self.edge(
                LEAKS if owner in people else REGISTRY,
                "Ownership",
                tag,
                {"owner": owner, "asset": asset, "percentage": share},
            )
        for tag, director, org in (
            ("d0", people[2], companies[0]),
            ("d1", people[2], companies[1]),
            ("d2", people[3], companies[3]),
            ("d3", people[2], companies[5]),
        ):
            self.edge(
                REGISTRY,
                "Directorship",
                tag,
                {"director": director, "organization": org, "role": "nominee director"},
            )
        self._money(companies)
        self._contacts(people, companies, jurisdictions)
        actor = self._threat(companies)
        return {
            "person0": people[0],
            "person1": people[1],
            "company0": companies[0],
            "actor": actor,
        }

    def _money(self, companies: list[str]) -> None:
        accounts = []
        for i, company in enumerate(companies):
            iban = f"CY{17 + i:02d}00200128{self.unit:08d}{i:06d}"
            account = self.emit(
                BANK,
                "BankAccount",
                [f"account-{self.unit}-{i}"],
                {"iban": iban, "bankName": "Fictional Bank of Limassol"},
            )
            accounts.append(account)
            self.edge(BANK, "Ownership", f"acct{i}", {"owner": company, "asset": account})
        for number, (payer, beneficiary) in enumerate(((1, 3), (2, 4), (4, 5), (5, 0), (3, 1))):
            amount = f"{(self.rng.randrange(50, 900)) * 1000} EUR"
            self.edge(
                BANK,
                "Payment",
                f"pay{number}",
                {
                    "payer": companies[payer],
                    "beneficiary": companies[beneficiary],
                    "payerAccount": accounts[payer],
                    "beneficiaryAccount": accounts[beneficiary],
                    "amount": amount,
                    "purpose": "consulting services",
                    "date": f"2023-{1 + number:02d}-{10 + number:02d}",
                },
            )

    def _contacts(self, people: list[str], companies: list[str], jurisdictions: list[str]) -> None:
        phone = self.emit(
            TELECOM,
            "Phone",
            [f"phone-{self.unit}"],
            # Cypriot mobile range 99: valid in the numbering plan for every unit (the
            # earlier 9xx… pattern was invalid from unit 10 on, so --scale > 1 failed).
            {"value": f"+35799{self.unit % 1_000_000:06d}"},
        )
        for who in (people[0], people[2]):
            self.edge(
                TELECOM,
                "UnknownLink",
                f"phone-{who[:8]}",
                {"subject": who, "object": phone, "role": "subscriber"},
            )
        city = CITIES[jurisdictions[0]]
        street = f"{self.rng.randrange(1, 200)} {WORDS[self.unit % len(WORDS)]} Street"
        address = self.emit(
            REGISTRY,
            "Address",
            [f"address-{self.unit}"],
            {
                "full": f"{street}, {city}",
                "street": street,
                "city": city,
                "country": jurisdictions[0],
            },
        )
        for who in (companies[0], companies[1], companies[2]):
            self.edge(
                REGISTRY,
                "UnknownLink",
                f"addr-{who[:8]}",
                {"subject": who, "object": address, "role": "registered address"},
            )
        home = self.emit(
            LEAKS,
            "Address",
            [f"home-{self.unit}"],
            {
                "full": f"{self.unit + 3} Harbour Road, Limassol",
                "city": "Limassol",
                "country": "cy",
            },
        )
        for who in (people[1], people[3]):
            self.edge(
                LEAKS,
                "UnknownLink",
                f"home-{who[:8]}",
                {"subject": who, "object": home, "role": "residence"},
            )

    def _threat(self, companies: list[str]) -> str:
        tag = WORDS[(self.unit * 13 + 4) % len(WORDS)]
        name = "Ember Kite" if self.unit == 0 else f"{tag} Kite {self.unit}"
        actor = self.emit(
            CTI,
            "ThreatActor",
            [f"actor-{self.unit}"],
            {
                "name": name,
                "primaryMotivation": "financial-gain",
                "sophistication": "advanced",
                "description": "Financially motivated group that launders proceeds "
                "through shell companies.",
            },
        )
        malware = [
            self.emit(
                CTI,
                "Malware",
                [f"malware-{self.unit}-{i}"],
                {"name": f"{tag}{'Loader' if i == 0 else 'Rat'}", "isFamily": "true"},
            )
            for i in range(2)
        ]
        infra = self.emit(
            CTI,
            "Infrastructure",
            [f"infra-{self.unit}"],
            {"name": f"{tag} C2 cluster", "infrastructureTypes": "command-and-control"},
        )
        for i, target in enumerate([*malware, infra]):
            self.edge(CTI, "Uses", f"use{i}", {"source": actor, "target": target})
        for i, (technique_id, technique) in enumerate(TECHNIQUES[: 2 + self.unit % 3]):
            pattern = self.emit(
                CTI,
                "AttackPattern",
                [technique_id],
                {"name": technique, "externalId": technique_id},
            )
            self.edge(CTI, "Uses", f"tech{i}", {"source": actor, "target": pattern})
        for i in range(3):
            domain_name = f"{tag.lower()}-update{i}.example"
            domain = self.emit(CTI, "Domain", [domain_name], {"value": domain_name})
            ip_value = f"203.0.{self.unit % 256}.{10 + i}"
            ip = self.emit(CTI, "IPAddress", [ip_value], {"value": ip_value})
            self.edge(CTI, "ResolvesTo", f"dns{i}", {"source": domain, "target": ip})
            indicator = self.emit(
                CTI,
                "Indicator",
                [f"indicator-{self.unit}-{i}"],
                {
                    "name": f"{domain_name} (C2 domain)",
                    "pattern": f"[domain-name:value = '{domain_name}']",
                },
            )
            self.edge(CTI, "Indicates", f"ind{i}", {"source": indicator, "target": malware[i % 2]})
        # Where cyber meets money: the C2 hosting is paid for by one of the shell companies.
        self.edge(
            LEAKS,
            "UnknownLink",
            "hosting",
            {"subject": companies[4], "object": infra, "role": "pays hosting for"},
        )
        return actor


def generate(scale: int = 1) -> DemoData:
    """The whole demo investigation at ``scale`` units (deterministic)."""
    data = DemoData(sources=(REGISTRY, LEAKS, BANK, TELECOM, CTI))
    previous: dict[str, str] | None = None
    for unit in range(scale):
        cell = _Unit(unit, data)
        anchors = cell.build()
        if previous is not None:
            cell.edge(
                LEAKS,
                "Associate",
                "prev",
                {
                    "person": anchors["person0"],
                    "associate": previous["person1"],
                    "relationship": "business partner",
                },
            )
        previous = anchors
    return data


def batches(data: DemoData, size: int = 20_000) -> Iterator[tuple[list[Statement], list[Record]]]:
    """Statements with the records they cite, in write-sized batches."""
    by_record: dict[str, list[Statement]] = {}
    for statement in data.statements:
        by_record.setdefault(statement.record_id, []).append(statement)
    statements: list[Statement] = []
    records: list[Record] = []
    for record in data.records:
        group = by_record.pop(record.id, None)
        if group is None:
            continue
        statements.extend(group)
        records.append(record)
        if len(statements) >= size:
            yield statements, records
            statements, records = [], []
    if statements:
        yield statements, records


__all__ = ["DemoData", "batches", "generate"]
