/** Placeholder: replaced by the privacy feature. */
export function PrivacyToolbar() {
  return null;
}
