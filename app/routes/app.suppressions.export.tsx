import type { LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { exportSuppressionList } from "../services/consent/suppressions.server";
import { UTF8_BOM } from "../domain/csv";
import { staffActor } from "../admin/form-post.server";

// The shop's whole suppression list as a spreadsheet. It is a list of customer emails: no caching.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const { csv } = await exportSuppressionList(prisma, { shop, actor: staffActor(session) });
  const day = new Date().toISOString().slice(0, 10);
  const handle = shop.replace(/\.myshopify\.com$/, "").replace(/[^a-z0-9-]/gi, "-");
  return new Response(`${UTF8_BOM}${csv}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="afterglow-suppressions-${handle}-${day}.csv"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
};
