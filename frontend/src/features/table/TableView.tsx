/** Placeholder: replaced by the table feature. */
export function TableView() {
  return null;
}
