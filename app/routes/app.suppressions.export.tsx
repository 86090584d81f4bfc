import type { LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { audit } from "../services/compliance/audit.server";
import { exportSuppressionsCsv } from "../services/consent/suppressions.server";

// The shop's whole suppression list as a spreadsheet. It is a list of customer emails: no caching.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const csv = await exportSuppressionsCsv(prisma, shop);
  const rows = await prisma.suppression.count({ where: { shop } });
  // Not a change, but a copy of customer data leaving the app is worth a line in the log.
  await audit(prisma, {
    shop,
    actor: session.onlineAccessInfo?.associated_user?.email || "staff",
    action: "suppressions.exported",
    detail: { rows },
  });
  const day = new Date().toISOString().slice(0, 10);
  const handle = shop.replace(/\.myshopify\.com$/, "").replace(/[^a-z0-9-]/gi, "-");
  // The byte order mark makes Excel read the file as UTF-8.
  return new Response(`\uFEFF${csv}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="afterglow-suppressions-${handle}-${day}.csv"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
};
