import { describe, expect, it } from "vitest";
import { CATALOGUES } from "./catalog";
import { formatNumber, interpolate, preferredLocale, translate } from "./index";

describe("catalogues", () => {
  it("German has every English key and no extra ones", () => {
    const en = Object.keys(CATALOGUES.en).sort();
    const de = Object.keys(CATALOGUES.de).sort();
    expect(de).toEqual(en);
  });

  it("no translation is empty and placeholders match", () => {
    for (const [key, english] of Object.entries(CATALOGUES.en)) {
      const german = CATALOGUES.de[key] ?? "";
      expect(german.trim(), key).not.toBe("");
      const holes = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(holes(german), key).toEqual(holes(english));
    }
  });
});

describe("formatting", () => {
  it("formats numbers per locale", () => {
    expect(formatNumber(1234567.5, "en")).toBe("1,234,567.5");
    expect(formatNumber(1234567.5, "de")).toBe("1.234.567,5");
  });

  it("interpolates and falls back to the key", () => {
    expect(interpolate("{n} of {total}", { n: 3, total: 1200 }, "de")).toBe("3 of 1.200");
    expect(translate("de", "no.such.key")).toBe("no.such.key");
    expect(translate("de", "nav.search")).toBe("Suche");
  });

  it("picks the first supported browser language", () => {
    expect(preferredLocale(["fr-FR", "de-AT", "en"])).toBe("de");
    expect(preferredLocale(["fr"])).toBe("en");
  });
});
