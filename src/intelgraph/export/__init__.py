"""Signed export bundles: format writers, the bundle, and the offline verifier."""

from intelgraph.export.formats import FORMATS, ExportData, write_format
from intelgraph.export.service import (
    AuthorityCheck,
    Exporter,
    ExportRefused,
    ExportRequest,
    ExportResult,
    Selection,
)
from intelgraph.export.verify import EXIT_CODES, BundleInvalid, BundleReport, verify_bundle

__all__ = [
    "EXIT_CODES",
    "FORMATS",
    "AuthorityCheck",
    "BundleInvalid",
    "BundleReport",
    "ExportData",
    "ExportRefused",
    "ExportRequest",
    "ExportResult",
    "Exporter",
    "Selection",
    "verify_bundle",
    "write_format",
]
