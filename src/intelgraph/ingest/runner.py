"""Loading files end to end: the steps ``intelgraph ingest PATH…`` and API uploads share.

The CLI and the API's background jobs both turn "these files, this mapping, this
source" into a pipeline run; keeping the steps here (mapper choice, source and
privacy, format options, inputs, the pipeline itself) means an upload is loaded
exactly as the same file given on the command line would be.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intelgraph.errors import InvalidInput
from intelgraph.ingest.auto import AutoMapper
from intelgraph.ingest.connectors.files import FileInput, expand_paths
from intelgraph.ingest.formats import FormatOptions
from intelgraph.ingest.ftm import FtmMapper
from intelgraph.ingest.keys import tokenization_key
from intelgraph.ingest.mapping import MappingSpec, SourceSpec, load_mapping
from intelgraph.ingest.pipeline import (
    IngestOptions,
    IngestPipeline,
    Mapper,
    ProgressCallback,
    RunSummary,
)
from intelgraph.ingest.records import Input
from intelgraph.ingest.sources import SourceOptions, build_source
from intelgraph.ingest.stix import StixMapper
from intelgraph.model import Source

if TYPE_CHECKING:
    from intelgraph.config import Settings
    from intelgraph.platform import Platform

FORMAT_OPTION_KEYS = ("encoding", "delimiter", "quotechar", "sheet", "records_path")


@dataclass(frozen=True, slots=True)
class RunStarted:
    """A run is open: its id, source, and how many records to expect (None: unknown)."""

    run_id: str
    source: str
    inputs: int
    expected_records: int | None


def mapper_for(platform: Platform, mapping: MappingSpec | None, formats: Sequence[str]) -> Mapper:
    """The mapping when given, else the mapper the formats describe themselves with."""
    if mapping is not None:
        return mapping
    ontology = platform.ontology
    kinds = set(formats)
    if kinds <= {"stix"}:
        return StixMapper(ontology)
    if kinds <= {"ftm"}:
        return FtmMapper(ontology)
    tabular = sorted(kinds & {"csv", "xlsx"})
    if tabular:
        raise InvalidInput(
            f"{'/'.join(tabular).upper()} input needs a mapping to say what each row is",
            hint="pass --mapping FILE (see docs/ingest-mappings.md; an example is "
            "docs/examples/donations.yml)",
        )
    return AutoMapper(ontology)


def token_key(settings: Settings, privacy: Mapping[str, str]) -> bytes:
    """The tokenization key, read (or made) only when some class is tokenized."""
    return tokenization_key(settings.data_dir) if "token" in privacy.values() else b""


def run_source(
    platform: Platform,
    mapping: MappingSpec | None,
    options: SourceOptions,
    default_name: str,
    *,
    tenant: str | None = None,
) -> tuple[Source, dict[str, str]]:
    """The run's source (mapping ``source`` block under the given options) and privacy;
    ``tenant`` replaces the platform default (an upload lands in its uploader's tenant)."""
    return build_source(
        mapping.source if mapping else SourceSpec(),
        options,
        default_name=default_name,
        default_tenant=tenant or platform.settings.default_tenant,
    )


def build_pipeline(
    platform: Platform,
    *,
    source: tuple[Source, dict[str, str]],
    mapping: MappingSpec | None,
    formats: Sequence[str],
    connector: str,
    drift: str = "warn",
    batch_size: int | None = None,
    run_options: Mapping[str, Any] | None = None,
    progress: ProgressCallback | None = None,
) -> IngestPipeline:
    """One run's pipeline, wired to the platform's store, ledger and settings."""
    settings = platform.settings
    made, privacy = source
    options: dict[str, Any] = {"format": ",".join(formats), **(run_options or {})}
    if mapping is not None:
        options["mapping"] = str(Path(mapping.path).resolve())  # DLQ replay reloads it
    return IngestPipeline(
        platform.store,
        made,
        mapper_for(platform, mapping, formats),
        connector=connector,
        mapping_hash=mapping.hash if mapping is not None else None,
        options=IngestOptions(
            batch_size=batch_size or settings.ingest_batch_size, drift=drift, privacy=privacy
        ),
        token_key=token_key(settings, privacy),
        checkpoint=platform.ledger.checkpoint,
        checkpoint_every=settings.ledger_checkpoint_seconds,
        progress=progress,
        run_options=options,
    )


def load_mapping_file(platform: Platform, path: Path | None) -> MappingSpec | None:
    return load_mapping(path, platform.ontology) if path else None


def format_options(
    mapping: MappingSpec | None,
    fmt: str | None = None,
    given: Mapping[str, str | None] | None = None,
) -> tuple[str | None, FormatOptions]:
    """The format and parse options (``FORMAT_OPTION_KEYS``): given values over the
    mapping's own."""
    merged = dict(mapping.format_options) if mapping else {}
    merged.update({k: v for k, v in (given or {}).items() if v is not None})
    fmt = fmt or merged.pop("format", None)
    merged.pop("format", None)
    return fmt, FormatOptions(**merged)


def file_inputs(
    settings: Settings,
    targets: Sequence[str],
    fmt: str | None,
    options: FormatOptions,
    s3_endpoint: str | None = None,
) -> list[Input]:
    """Inputs for local files and directories, and ``s3://bucket/prefix`` objects."""
    inputs: list[Input] = []
    for target in targets:
        if target.startswith("s3://"):
            from intelgraph.ingest.connectors.s3 import s3_inputs  # boto3 loads slowly

            inputs.extend(
                s3_inputs(
                    target,
                    fmt=fmt,
                    options=options,
                    endpoint_url=s3_endpoint or settings.s3_endpoint_url,
                )
            )
        elif target.startswith(("http://", "https://")):
            raise InvalidInput(
                f"{target} is a URL",
                hint=f"to pull a JSON API use: intelgraph ingest http {target}",
            )
        else:
            inputs.extend(expand_paths([Path(target)], fmt, options))
    return inputs


def default_source_name(target: str) -> str:
    """A source name from the first input: ``donations`` for ``…/donations.csv.gz``."""
    return Path(target.rstrip("/")).stem.split(".")[0] or "files"


def estimate_records(inputs: Sequence[Input]) -> int | None:
    """Records to expect (lines of local CSV/JSONL files), for an ETA; None if unknown."""
    total = 0
    for item in inputs:
        if not isinstance(item, FileInput) or item.format not in ("csv", "jsonl", "ftm"):
            return None
        if item.path.name.endswith(".gz"):
            return None
        with item.path.open("rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
        total += max(lines - (1 if item.format == "csv" else 0), 0)
    return total


def ingest_paths(
    platform: Platform,
    paths: Sequence[str | Path],
    *,
    fmt: str | None = None,
    mapping_path: Path | None = None,
    source_name: str | None = None,
    progress: ProgressCallback | None = None,
    connector: str = "upload",
    tenant: str | None = None,
    started: Callable[[RunStarted], None] | None = None,
) -> RunSummary:
    """Load files or directories as ``intelgraph ingest PATH…`` does (default options);
    ``started`` learns the run id as soon as the run is open, before any record."""
    if not paths:
        raise InvalidInput("nothing to ingest", hint="name files or a directory")
    mapping = load_mapping_file(platform, mapping_path)
    fmt, options = format_options(mapping, fmt)
    targets = [str(path) for path in paths]
    inputs = file_inputs(platform.settings, targets, fmt, options)
    pipeline = build_pipeline(
        platform,
        source=run_source(
            platform,
            mapping,
            SourceOptions(name=source_name),
            default_source_name(targets[0]),
            tenant=tenant,
        ),
        mapping=mapping,
        formats=sorted({i.format for i in inputs}),
        connector=connector,
        run_options=options.to_dict(),
        progress=progress,
    )
    if started is None:
        return pipeline.run(inputs)
    expected = estimate_records(inputs)
    name = pipeline.source.name
    return pipeline.run(
        inputs,
        started=lambda active: started(RunStarted(active.run.id, name, len(inputs), expected)),
    )


__all__ = [
    "FORMAT_OPTION_KEYS",
    "RunStarted",
    "build_pipeline",
    "default_source_name",
    "estimate_records",
    "file_inputs",
    "format_options",
    "ingest_paths",
    "load_mapping_file",
    "mapper_for",
    "run_source",
    "token_key",
]
