import { describe, expect, it } from "vitest";
import { INDEX } from "./fixtures";
import { captionIsPii, maskPredicate } from "./privacy";

describe("safe-mode captions", () => {
  it("masks people (and sub-types) and types whose caption property is pii", () => {
    expect(captionIsPii(INDEX, "Person")).toBe(true);
    expect(captionIsPii(INDEX, "Informant")).toBe(true);
    expect(captionIsPii(INDEX, "Email")).toBe(true);
    expect(captionIsPii(INDEX, "Company")).toBe(false);
    expect(captionIsPii(INDEX, "Domain")).toBe(false);
  });

  it("masks nothing when safe mode is off, and people even before the ontology loads", () => {
    expect(maskPredicate(INDEX, false)("Person")).toBe(false);
    const mask = maskPredicate(null, true);
    expect(mask("Person")).toBe(true);
    expect(mask("Company")).toBe(false);
  });
});
