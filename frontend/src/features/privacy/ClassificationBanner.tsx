/** Placeholder: replaced by the privacy feature. */
export function ClassificationBanner(_props: { position?: "top" | "bottom" }) {
  return null;
}
