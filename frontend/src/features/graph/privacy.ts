/**
 * Safe mode and captions on the canvas, in the node list and in the path panel: the rule
 * every view shares (features/privacy/mask.ts), memoised per type.
 */
import type { OntologyIndex } from "../../state/ontology";
import { captionIsPii } from "../privacy/mask";

export { captionIsPii };

/** A memoising predicate: which types' captions to mask right now. */
export function maskPredicate(ontology: OntologyIndex | null, safeMode: boolean): (schema: string) => boolean {
  if (!safeMode) return () => false;
  const cache = new Map<string, boolean>();
  return (schema) => {
    let masked = cache.get(schema);
    if (masked === undefined) {
      masked = captionIsPii(ontology, schema);
      cache.set(schema, masked);
    }
    return masked;
  };
}
