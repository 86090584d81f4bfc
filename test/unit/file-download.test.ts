import { describe, expect, it } from "vitest";
import { csvDownload, fileDownload, shopFileHandle } from "~/admin/file-download.server";

describe("files the merchant downloads", () => {
  it("are attachments no cache keeps and no browser sniffs", () => {
    const res = fileDownload({ body: "{}", contentType: "application/json; charset=utf-8", filename: "report.json" });
    expect(res.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("Content-Disposition")).toBe('attachment; filename="report.json"');
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });

  it("start a spreadsheet with the byte order mark Excel needs for UTF-8", async () => {
    const res = csvDownload({ csv: "email\r\nłucja@example.com\r\n", filename: "list.csv" });
    expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(new Uint8Array(await res.arrayBuffer()).slice(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
  });

  it("name the shop by its handle, with nothing a file system minds", () => {
    expect(shopFileHandle("glow-store.myshopify.com")).toBe("glow-store");
    expect(shopFileHandle("odd shop/.example.com")).toBe("odd-shop--example-com");
  });
});
