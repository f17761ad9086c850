"""The generated demo investigation (``intelgraph demo``)."""

from __future__ import annotations

from dataclasses import dataclass

from intelgraph.demo.generator import DemoData, batches, generate
from intelgraph.demo.sources import ALL_SOURCES
from intelgraph.ledger.leaves import BatchLeaf
from intelgraph.model import ViewerScope, utcnow
from intelgraph.store import Store

DEMO_COMPARTMENTS = ("FIN", "HUM", "CTI")
DEMO_PURPOSES = ("investigation", "aml", "cti")  # the demo admin's; the first is its default
# A reader who may see every demo label: used for the loader's summary only.
DEMO_FULL_SCOPE = ViewerScope.make(clearance="TOP_SECRET", compartments=DEMO_COMPARTMENTS)


@dataclass(frozen=True)
class DemoSummary:
    sources: int
    statements: int
    statements_new: int
    records: int
    by_schema: dict[str, int]


def load_demo(store: Store, *, scale: int = 1) -> DemoSummary:
    """Generate the investigation and write it; loading twice changes nothing."""
    data = generate(scale)
    for source in data.sources:
        store.put_source(source)
    new = 0
    for number, (statements, records) in enumerate(batches(data)):
        leaf = BatchLeaf(
            "ingest-batch",
            {
                "run": None,
                "source": "demo",
                "mapping": None,
                "input": f"demo:generator?scale={scale}",
                "cursor": str(number),
            },
            utcnow(),
        )
        new += store.write(statements, records, leaf=leaf).statements_new
    counts = store.counts(DEMO_FULL_SCOPE)
    return DemoSummary(
        sources=len(data.sources),
        statements=len(data.statements),
        statements_new=new,
        records=len({r.id for r in data.records}),
        by_schema=counts.by_schema,
    )


__all__ = ["ALL_SOURCES", "DEMO_FULL_SCOPE", "DemoData", "DemoSummary", "generate", "load_demo"]
