/**
 * CSV for spreadsheets: RFC 4180 (CRLF rows, quoted fields where needed), a UTF-8 byte
 * order mark so Excel reads umlauts, and cells that a spreadsheet would run as a formula
 * (starting with =, +, -, @, tab or CR) prefixed with ' so they stay text.
 */

const BOM = "\uFEFF";
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [header, ...rows].map((cells) => cells.map(csvCell).join(","));
  return `${BOM}${lines.join("\r\n")}\r\n`;
}

/**
 * A file name that says where the file came from, how it is classified (the highest level
 * among its rows, so a file lying around still carries its marking) and when it was made.
 */
export function csvFileName(now: Date, classification?: string): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  const mark = (classification ?? "").replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  return `intelgraph-table-${mark ? `${mark}-` : ""}${stamp}.csv`;
}
