import type { LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { exportSuppressionList } from "../services/consent/suppressions.server";
import { csvDownload, shopFileHandle } from "../admin/file-download.server";
import { staffActor } from "../admin/form-post.server";

// The shop's whole suppression list as a spreadsheet. It is a list of customer emails: no caching.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const { csv } = await exportSuppressionList(prisma, { shop, actor: staffActor(session) });
  const day = new Date().toISOString().slice(0, 10);
  return csvDownload({ csv, filename: `afterglow-suppressions-${shopFileHandle(shop)}-${day}.csv` });
};
