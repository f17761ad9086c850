import { describe, expect, it } from "vitest";
import { filenameFromDisposition } from "./download";

describe("file name from Content-Disposition", () => {
  it("reads the server's quoted name", () => {
    expect(filenameFromDisposition('attachment; filename="intelgraph-export-GxOlP0XzTxQu1KLlmZK1zA.zip"')).toBe(
      "intelgraph-export-GxOlP0XzTxQu1KLlmZK1zA.zip",
    );
  });

  it("prefers the RFC 5987 extended name", () => {
    expect(filenameFromDisposition(`attachment; filename="fallback.zip"; filename*=UTF-8''Akte%20M%C3%BCller.zip`)).toBe("Akte Müller.zip");
  });

  it("reads unquoted and escaped names", () => {
    expect(filenameFromDisposition("attachment; filename=bundle.zip; size=3")).toBe("bundle.zip");
    expect(filenameFromDisposition('attachment; filename="a \\"b\\".zip"')).toBe('a "b".zip');
  });

  it("never returns a path or nothing useful", () => {
    expect(filenameFromDisposition('attachment; filename="../../etc/passwd"')).toBe("passwd");
    expect(filenameFromDisposition('attachment; filename=".."')).toBeNull();
    expect(filenameFromDisposition("attachment")).toBeNull();
    expect(filenameFromDisposition(null)).toBeNull();
  });
});
