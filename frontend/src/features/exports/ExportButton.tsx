/** Placeholder: replaced by the exports feature. Exports `ids` (entities) as a signed bundle. */
export function ExportButton(_props: { ids: string[] }) {
  return null;
}
