// CSV as spreadsheets read it (RFC 4180: CRLF line ends, quotes doubled inside quoted cells),
// used by every export the merchant downloads.

// Spreadsheets run a cell starting with = + - @ (or tab/CR) as a formula; a leading apostrophe
// makes it text, and the cell is quoted so the apostrophe is plainly part of it (OWASP's advice
// for CSV injection). Only text is guarded: a number such as -3 stays a number.
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = value instanceof Date ? value.toISOString() : String(value);
  const guarded = typeof value === "string" && FORMULA_START.test(text);
  const cell = guarded ? `'${text}` : text;
  return guarded || NEEDS_QUOTES.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

// One line, with its CRLF.
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

// Excel reads a file as UTF-8 (names like Łódź) only when it starts with a byte order mark.
export const UTF8_BOM = "\uFEFF";
