// The one CSV writer behind the analytics, suppression and data request exports.
import { describe, expect, it } from "vitest";
import { csvCell, csvLine, UTF8_BOM } from "~/domain/csv";

describe("csvCell", () => {
  it("writes plain text, numbers and booleans as they are", () => {
    expect(csvCell("ada@example.com")).toBe("ada@example.com");
    expect(csvCell(42)).toBe("42");
    expect(csvCell(0)).toBe("0");
    expect(csvCell(true)).toBe("true");
    expect(csvCell(12n)).toBe("12");
  });

  it("leaves missing values empty and writes times in ISO form", () => {
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell("")).toBe("");
    expect(csvCell(new Date("2026-01-02T03:04:05.000Z"))).toBe("2026-01-02T03:04:05.000Z");
  });

  it("quotes cells with commas, quotes or line breaks, doubling the quotes", () => {
    expect(csvCell("Juniper, Pine")).toBe('"Juniper, Pine"');
    expect(csvCell('He said "no"')).toBe('"He said ""no"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("carriage\rreturn")).toBe('"carriage\rreturn"');
  });

  it("turns text a spreadsheet would run as a formula into quoted text", () => {
    expect(csvCell("=HYPERLINK(\"http://evil.example\")")).toBe('"\'=HYPERLINK(""http://evil.example"")"');
    expect(csvCell("+SUM(1,2)")).toBe(`"'+SUM(1,2)"`);
    expect(csvCell("-2+3@example.com")).toBe(`"'-2+3@example.com"`);
    expect(csvCell("@merchant")).toBe(`"'@merchant"`);
    expect(csvCell("\tTab")).toBe(`"'\tTab"`);
    expect(csvCell("\rReturn")).toBe(`"'\rReturn"`);
    // A formula character later in the text is harmless.
    expect(csvCell("a=b")).toBe("a=b");
  });

  it("keeps negative numbers numbers, but guards the same digits given as text", () => {
    expect(csvCell(-3)).toBe("-3");
    expect(csvCell("-3.50")).toBe(`"'-3.50"`);
  });
});

describe("csvLine", () => {
  it("joins cells with commas and ends the line with CRLF", () => {
    expect(csvLine(["day", "flow", "sent"])).toBe("day,flow,sent\r\n");
    expect(csvLine(["2026-03-01", "Thank you, and more", 3, null, "=1+1"])).toBe(`2026-03-01,"Thank you, and more",3,,"'=1+1"\r\n`);
    expect(csvLine([])).toBe("\r\n");
  });

  it("offers the byte order mark that makes Excel read UTF-8", () => {
    expect(UTF8_BOM).toBe("\uFEFF");
  });
});
