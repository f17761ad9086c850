/** Placeholder: replaced by the graph feature. */
export function GraphView() {
  return null;
}
