import { describe, expect, it } from "vitest";
import { csvCell, csvFileName, toCsv } from "./csv";

describe("CSV cells", () => {
  it("quotes commas, quotes and line breaks (RFC 4180)", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("line\nbreak")).toBe('"line\nbreak"');
    expect(csvCell("cr\rhere")).toBe('"cr\rhere"');
    expect(csvCell("")).toBe("");
  });

  it("defuses cells a spreadsheet would run as formulas", () => {
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("+49 30 1234")).toBe("'+49 30 1234");
    expect(csvCell("-2")).toBe("'-2");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\tx")).toBe("'\tx");
    expect(csvCell("\rx")).toBe("\"'\rx\"");
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell("a=b")).toBe("a=b");
  });
});

describe("CSV documents", () => {
  it("starts with a BOM, has a header row, ends rows with CRLF", () => {
    const text = toCsv(["Name", "Stadt"], [["Müller", "Köln, Innenstadt"], ["=cmd", ""]]);
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.slice(1)).toBe('Name,Stadt\r\nMüller,"Köln, Innenstadt"\r\n\'=cmd,\r\n');
  });

  it("writes only a header for no rows", () => {
    expect(toCsv(["A"], [])).toBe("\uFEFFA\r\n");
  });

  it("names the file by its marking and time", () => {
    const now = new Date(2024, 2, 5, 7, 9);
    expect(csvFileName(now)).toBe("intelgraph-table-20240305-0709.csv");
    expect(csvFileName(now, "TOP_SECRET")).toBe("intelgraph-table-TOP_SECRET-20240305-0709.csv");
    expect(csvFileName(now, "../x y")).toBe("intelgraph-table-x_y-20240305-0709.csv");
  });
});
