import { describe, expect, it } from "vitest";
import { grantCommand, missingFields, parseIds, requestText, shellQuote, type AuthorityRequest } from "./request";

const request: AuthorityRequest = {
  kind: "court-order",
  issuer: "District Court",
  reference: "case 2024/117",
  purpose: "investigation",
  entityIds: ["407a1721ad059c1ce55710de2a8097d5be55c9ae"],
  licences: ["Restricted-TOS"],
  days: 30,
  justification: "Suspected layering through\nshell companies.",
};

describe("authority request", () => {
  it("builds the admin's grant command, quoted for the shell", () => {
    expect(grantCommand(request, { name: "alice", tenant: "default" })).toBe(
      "intelgraph authority grant --kind court-order --issuer 'District Court' --reference 'case 2024/117' " +
        "--purpose investigation --entities 407a1721ad059c1ce55710de2a8097d5be55c9ae --licences Restricted-TOS --holders alice --days 30",
    );
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it("lists every field and the command in the text", () => {
    const t = (key: string) => `<${key}>`;
    const text = requestText(request, { name: "alice", tenant: "default" }, t);
    expect(text).toContain("<privacy.request.textRequester>: alice (<privacy.request.textTenant> default)");
    expect(text).toContain("<privacy.request.purpose>: investigation");
    expect(text).toContain("  Suspected layering through\n  shell companies.");
    expect(text.trim().split("\n").at(-1)).toMatch(/^intelgraph authority grant /);
  });

  it("needs a justification, a purpose and something to cover", () => {
    expect(missingFields(request)).toEqual([]);
    expect(missingFields({ ...request, justification: " ", entityIds: [], licences: [] })).toEqual(["justification", "scope"]);
  });

  it("reads ids from pasted text", () => {
    expect(parseIds("a, b\nc  a;d")).toEqual(["a", "b", "c", "d"]);
  });
});
