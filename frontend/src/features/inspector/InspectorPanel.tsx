/** Placeholder: replaced by the inspector feature. */
export function InspectorPanel() {
  return null;
}
