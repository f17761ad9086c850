import { describe, expect, it } from "vitest";
import { ICON_NAMES, iconUri } from "./icons";
import { pluralKey } from "./plural";
import {
  FAMILY_STYLES,
  classificationBadge,
  classificationBorder,
  familyIcon,
  familyOf,
  graphStylesheet,
  iconOf,
  nodeLabel,
  pathStepMark,
  truncate,
} from "./style";

describe("type families", () => {
  it("maps each named type family", () => {
    const cases: [string, string][] = [
      ["Person", "person"],
      ["Company", "organization"],
      ["Organization", "organization"],
      ["BankAccount", "account"],
      ["Address", "address"],
      ["Phone", "contact"],
      ["Email", "contact"],
      ["Domain", "network"],
      ["URL", "network"],
      ["IPAddress", "network"],
      ["Malware", "malware"],
      ["ThreatActor", "threat"],
      ["Indicator", "indicator"],
      ["AttackPattern", "indicator"],
      ["Document", "document"],
    ];
    for (const [schema, family] of cases) expect(familyOf(schema), schema).toBe(family);
  });

  it("falls back on ancestors, then on the default", () => {
    expect(familyOf("Vessel", ["Vehicle", "Asset", "Thing"])).toBe("default");
    expect(familyOf("Bank", ["Company", "Organization"])).toBe("organization");
    expect(familyOf("Unknown")).toBe("default");
  });

  it("gives phones and e-mail addresses different icons in one family", () => {
    expect(iconOf("Phone", "contact")).toBe("phone");
    expect(iconOf("Email", "contact")).toBe("email");
    expect(familyIcon("Phone", "contact")).not.toBe(familyIcon("Email", "contact"));
    expect(iconOf("Malware", "malware")).toBe("malware");
  });

  it("gives every family a distinct shape", () => {
    const shapes = Object.values(FAMILY_STYLES).map((style) => style.shape);
    expect(new Set(shapes).size).toBe(shapes.length);
  });

  it("draws every icon as an SVG data URI in the requested colour", () => {
    for (const name of ICON_NAMES) {
      const uri = iconUri(name, "#123456");
      expect(uri.startsWith("data:image/svg+xml;utf8,")).toBe(true);
      expect(decodeURIComponent(uri)).toContain('stroke="#123456"');
    }
  });
});

describe("classification marking", () => {
  it("abbreviates the standard scale and a tenant's own names", () => {
    expect(classificationBadge("SECRET", 2)).toBe("S");
    expect(classificationBadge("top secret", 3)).toBe("TS");
    expect(classificationBadge("UNCLASSIFIED", 0)).toBe("U");
    expect(classificationBadge("Company Internal", 1)).toBe("CI");
    expect(classificationBadge("  ", 4)).toBe("4");
  });

  it("colours borders like the banner, differently per level", () => {
    expect(classificationBorder(2)).not.toBe(classificationBorder(0));
  });
});

describe("labels", () => {
  const base = { caption: "Aurora Maritime Holdings Ltd", badge: "C", pinned: false, masked: false, maskedWord: "masked" };

  it("puts the badge in the text, so the marking is not colour alone", () => {
    expect(nodeLabel(base)).toBe("[C] Aurora Maritime Holdings Ltd");
  });

  it("masks the caption in words and marks pins and path steps", () => {
    expect(nodeLabel({ ...base, masked: true })).toBe("[C] •••• (masked)");
    expect(nodeLabel({ ...base, pinned: true, step: 2 })).toBe("② [C] Aurora Maritime Holdings Ltd ⚑");
  });

  it("never shows a masked caption, even partly", () => {
    expect(nodeLabel({ ...base, caption: "Anna Adler", masked: true })).not.toContain("Anna");
  });

  it("numbers path steps with circled digits, then in brackets", () => {
    expect(pathStepMark(1)).toBe("①");
    expect(pathStepMark(20)).toBe("⑳");
    expect(pathStepMark(21)).toBe("(21)");
    expect(truncate("abcdef", 4)).toBe("abc…");
  });
});

describe("stylesheet", () => {
  it("trades edge labels and curves for speed on big graphs", () => {
    const edgeStyle = (big: boolean) => graphStylesheet(big).find((block) => "selector" in block && block.selector === "edge") as unknown as { style: Record<string, unknown> };
    expect(edgeStyle(true).style["curve-style"]).toBe("straight");
    expect(edgeStyle(true).style.label).toBe("");
    expect(edgeStyle(false).style["curve-style"]).toBe("bezier");
    expect(edgeStyle(false).style.label).toBe("data(label)");
  });

  it("marks a path with a dashed line, not only a colour", () => {
    const path = graphStylesheet(false).find((block) => "selector" in block && block.selector === "edge.on-path") as unknown as { style: Record<string, unknown> };
    expect(path.style["line-style"]).toBe("dashed");
  });
});

describe("plural keys", () => {
  it("picks one for exactly one, other otherwise", () => {
    expect(pluralKey("graph.x", 1)).toBe("graph.x.one");
    expect(pluralKey("graph.x", 0)).toBe("graph.x.other");
    expect(pluralKey("graph.x", 12)).toBe("graph.x.other");
  });
});
