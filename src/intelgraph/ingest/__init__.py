"""Ingest: connectors read records, one pipeline maps, validates, redacts and stores them.

The public surface: the pipeline, the input protocol connectors implement, the
mapping language, and the mappers for self-describing formats (STIX, FtM).
"""

from intelgraph.ingest.auto import AutoMapper
from intelgraph.ingest.formats import FORMATS, FormatOptions, detect_format, read_records
from intelgraph.ingest.ftm import FtmMapper
from intelgraph.ingest.mapping import MappedEntity, MappingSpec, RecordError, load_mapping
from intelgraph.ingest.pipeline import (
    ActiveRun,
    DriftError,
    IngestOptions,
    IngestPipeline,
    Mapper,
    RunSummary,
)
from intelgraph.ingest.records import Input, RawRecord
from intelgraph.ingest.stix import StixMapper, stix_entity_id

__all__ = [
    "FORMATS",
    "ActiveRun",
    "AutoMapper",
    "DriftError",
    "FormatOptions",
    "FtmMapper",
    "IngestOptions",
    "IngestPipeline",
    "Input",
    "MappedEntity",
    "Mapper",
    "MappingSpec",
    "RawRecord",
    "RecordError",
    "RunSummary",
    "StixMapper",
    "detect_format",
    "load_mapping",
    "read_records",
    "stix_entity_id",
]
