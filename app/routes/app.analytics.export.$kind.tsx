import type { LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { exportAnalyticsCsv } from "../services/analytics/export.server";
import { UTF8_BOM } from "../domain/csv";
import { staffActor } from "../admin/form-post.server";

// The analytics as spreadsheets: `metrics` (one line per day, step and variant) or `messages`
// (one line per follow-up, with customer emails: never cached, and the export is audited).
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const kind = params.kind;
  if (kind !== "metrics" && kind !== "messages") {
    return new Response("Unknown export: use /app/analytics/export/metrics or /app/analytics/export/messages.", { status: 404 });
  }
  const shop = session.shop;
  const url = new URL(request.url);
  const { csv, range } = await exportAnalyticsCsv(prisma, {
    shop,
    kind,
    from: url.searchParams.get("from"),
    to: url.searchParams.get("to"),
    actor: staffActor(session),
  });
  const handle = shop.replace(/\.myshopify\.com$/, "").replace(/[^a-z0-9-]/gi, "-");
  return new Response(`${UTF8_BOM}${csv}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="afterglow-${kind}-${handle}-${range.from}-${range.to}.csv"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
};
