/** English and German both need two forms: "one" for exactly 1, "other" for the rest. */
export function pluralKey(key: string, count: number): string {
  return `${key}.${count === 1 ? "one" : "other"}`;
}
