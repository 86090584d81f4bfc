// Files the merchant downloads from the admin: reports and exports of customers' data.
import { UTF8_BOM } from "../domain/csv";

// Personal data: kept out of every cache, and never sniffed into something a browser would run.
export function fileDownload({ body, contentType, filename }: { body: string; contentType: string; filename: string }): Response {
  return new Response(body, {
    headers: {
      "Content-Type": contentType,
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

export function csvDownload({ csv, filename }: { csv: string; filename: string }): Response {
  return fileDownload({ body: `${UTF8_BOM}${csv}`, contentType: "text/csv; charset=utf-8", filename });
}

// The shop in a file name: its myshopify.com handle, with nothing a file system minds.
export function shopFileHandle(shop: string): string {
  return shop.replace(/\.myshopify\.com$/, "").replace(/[^a-z0-9-]/gi, "-");
}
