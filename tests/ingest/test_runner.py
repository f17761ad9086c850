"""``ingest_paths``, the file-loading path the CLI and API upload jobs share: the run id
is known before the first record, uploads can land in a given tenant, and format
options merge as on the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from intelgraph.config import load_settings
from intelgraph.errors import InvalidInput
from intelgraph.ingest.mapping.load import parse_mapping
from intelgraph.ingest.runner import (
    RunStarted,
    default_source_name,
    format_options,
    ingest_paths,
)
from intelgraph.model import ViewerScope
from intelgraph.platform import Platform

PEOPLE = (
    '{"id": "p1", "schema": "Person", "properties": {"name": ["Ada Quill"]}}\n'
    '{"id": "p2", "schema": "Person", "properties": {"name": ["Bo Quill"]}}\n'
)


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    with Platform.open(load_settings(data_dir=tmp_path / "ig"), upgrade=True) as opened:
        yield opened


def test_the_run_id_is_known_before_the_first_record(platform: Platform, tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    path.write_text(PEOPLE)
    events: list[object] = []
    summary = ingest_paths(
        platform,
        [path],
        progress=lambda uri, records: events.append(("progress", records)),
        started=events.append,
        tenant="umbrella",
    )
    assert summary.status == "completed"
    assert summary.source == "people"
    first = events[0]
    assert isinstance(first, RunStarted)
    assert first == RunStarted(summary.run_id, "people", 1, 2)
    assert events[1:] == [("progress", 2)]
    run = platform.store.ingest.run(ViewerScope.make(tenant="umbrella"), summary.run_id)
    assert run.connector == "upload"
    assert platform.store.source(run.source_id).labels.tenant == "umbrella"


def test_nothing_to_ingest_is_refused(platform: Platform) -> None:
    with pytest.raises(InvalidInput, match="nothing to ingest"):
        ingest_paths(platform, [])


def test_format_options_merge_given_over_the_mapping(platform: Platform) -> None:
    mapping = parse_mapping(
        """
        queries:
          - format: csv
            delimiter: ";"
            entities:
              c: {schema: Company, key: n, properties: {name: {column: n}}}
        """,
        platform.ontology,
    )
    fmt, options = format_options(mapping)
    assert (fmt, options.delimiter) == ("csv", ";")
    # a format given beside a mapping that names one too (used to be a TypeError)
    fmt, options = format_options(mapping, "json", {"delimiter": "|", "encoding": None})
    assert (fmt, options.delimiter, options.encoding) == ("json", "|", None)


@pytest.mark.parametrize(
    ("target", "name"),
    [("data/donations.csv.gz", "donations"), ("some/dir/", "dir"), ("s3://bucket/", "bucket")],
)
def test_default_source_names(target: str, name: str) -> None:
    assert default_source_name(target) == name
