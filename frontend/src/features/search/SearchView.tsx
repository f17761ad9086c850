/** Placeholder: replaced by the search feature. */
export function SearchView() {
  return null;
}
