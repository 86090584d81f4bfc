import type { LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { exportAnalyticsCsv } from "../services/analytics/export.server";
import { csvDownload, shopFileHandle } from "../admin/file-download.server";
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
  return csvDownload({ csv, filename: `afterglow-${kind}-${shopFileHandle(shop)}-${range.from}-${range.to}.csv` });
};
