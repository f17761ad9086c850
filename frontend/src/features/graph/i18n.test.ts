import { describe, expect, it } from "vitest";
import { de, en } from "./i18n";

describe("graph strings", () => {
  it("come in complete one/other pairs", () => {
    for (const key of Object.keys(en)) {
      if (key.endsWith(".one")) expect(en[key.replace(/\.one$/, ".other")], key).toBeDefined();
      if (key.endsWith(".other")) expect(en[key.replace(/\.other$/, ".one")], key).toBeDefined();
    }
  });

  it("are all under graph. and translated (not copied) where words differ", () => {
    expect(Object.keys(en).every((key) => key.startsWith("graph."))).toBe(true);
    expect(de["graph.action.remove"]).not.toBe(en["graph.action.remove"]);
    expect(de["graph.keys.help"]).not.toBe(en["graph.keys.help"]);
  });
});
