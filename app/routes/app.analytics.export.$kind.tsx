import type { LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { audit } from "../services/compliance/audit.server";
import { defaultRange, messagesCsv, metricsCsv, parseRange } from "../services/analytics/analytics.server";

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
  const row = await prisma.shop.findUnique({ where: { domain: shop }, select: { ianaTimezone: true } });
  const range = parseRange({ from: url.searchParams.get("from"), to: url.searchParams.get("to") }, defaultRange(new Date(), row?.ianaTimezone ?? null));
  const { csv, rows } = kind === "metrics" ? await metricsCsv(prisma, { shop, range }) : await messagesCsv(prisma, { shop, range });
  await audit(prisma, {
    shop,
    actor: session.onlineAccessInfo?.associated_user?.email || "staff",
    action: `analytics.${kind}_exported`,
    detail: { rows, from: range.from, to: range.to },
  });
  const handle = shop.replace(/\.myshopify\.com$/, "").replace(/[^a-z0-9-]/gi, "-");
  // The byte order mark makes Excel read the file as UTF-8.
  return new Response(`\uFEFF${csv}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="afterglow-${kind}-${handle}-${range.from}-${range.to}.csv"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
};
