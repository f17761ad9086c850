"""Signed export bundles: format writers, the bundle, and the offline verifier."""

from intelgraph.export.formats import FORMATS, ExportData, write_format
from intelgraph.export.service import (
    Exporter,
    ExportGuard,
    ExportRefused,
    ExportRequest,
    ExportResult,
    LicenceGate,
    Selection,
)
from intelgraph.export.verify import EXIT_CODES, BundleInvalid, BundleReport, verify_bundle

__all__ = [
    "EXIT_CODES",
    "FORMATS",
    "BundleInvalid",
    "BundleReport",
    "ExportData",
    "ExportGuard",
    "ExportRefused",
    "ExportRequest",
    "ExportResult",
    "Exporter",
    "LicenceGate",
    "Selection",
    "verify_bundle",
    "write_format",
]
