/** Placeholder: replaced by the ingest feature. */
export function IngestView() {
  return null;
}
