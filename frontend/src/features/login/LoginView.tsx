/** Placeholder: replaced by the login feature. */
export function LoginView() {
  return null;
}
