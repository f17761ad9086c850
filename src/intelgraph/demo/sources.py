"""The fictional sources of the demo investigation, with their licences and labels."""

from __future__ import annotations

from intelgraph.model import Labels, LicenceClass, RetentionTier, Source

REGISTRY = Source(
    name="demo-company-registries",
    licence=LicenceClass.OPEN_DATA_OK,
    retention=RetentionTier.LONG_1825D,
    purposes=frozenset({"investigation"}),
    residency="eu",
    labels=Labels.make(purposes=["investigation"], residency="eu"),
    description="Fictional extracts of offshore company registries (public).",
)
LEAKS = Source(
    name="demo-incorporation-leak",
    licence=LicenceClass.RESTRICTED_TOS,
    retention=RetentionTier.STANDARD_365D,
    purposes=frozenset({"investigation"}),
    residency="eu",
    labels=Labels.make(classification="CONFIDENTIAL", purposes=["investigation"], residency="eu"),
    description="Fictional leaked incorporation files from a corporate service provider.",
)
BANK = Source(
    name="demo-bank-reports",
    licence=LicenceClass.PROPRIETARY_CLIENT,
    retention=RetentionTier.STANDARD_365D,
    purposes=frozenset({"aml", "investigation"}),
    residency="eu",
    labels=Labels.make(
        classification="SECRET",
        compartments=["FIN"],
        purposes=["aml", "investigation"],
        residency="eu",
    ),
    description="Fictional suspicious-transaction reports from a bank (financial compartment).",
)
TELECOM = Source(
    name="demo-subscriber-records",
    licence=LicenceClass.EMBARGOED,
    retention=RetentionTier.SHORT_30D,
    purposes=frozenset({"investigation"}),
    residency="eu",
    labels=Labels.make(
        classification="SECRET", compartments=["HUM"], purposes=["investigation"], residency="eu"
    ),
    description="Fictional telecom subscriber records obtained under warrant.",
)
CTI = Source(
    name="demo-threat-feed",
    licence=LicenceClass.MIT_OK,
    retention=RetentionTier.LONG_1825D,
    purposes=frozenset({"cti", "investigation"}),
    labels=Labels.make(
        classification="CONFIDENTIAL", compartments=["CTI"], purposes=["cti", "investigation"]
    ),
    description="Fictional threat-intelligence feed: an actor, its malware and infrastructure.",
)

ALL_SOURCES = (REGISTRY, LEAKS, BANK, TELECOM, CTI)

__all__ = ["ALL_SOURCES", "BANK", "CTI", "LEAKS", "REGISTRY", "TELECOM"]
