/**
 * The formats `requestExport` writes (intelgraph.export.formats.FORMATS, docs/exports.md), in
 * the server's order; jsonl is the lossless default.
 */
export const EXPORT_FORMATS = ["jsonl", "csv", "stix", "ftm", "graphml", "cypher"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const DEFAULT_FORMAT: ExportFormat = "jsonl";
