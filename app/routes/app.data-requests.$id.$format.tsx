import type { LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { dataRequestDownload } from "../services/compliance/reports.server";
import { fileDownload } from "../admin/file-download.server";

// A customer data report as a file. The report holds personal data: no caching anywhere.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const format = params.format;
  if (format !== "json" && format !== "csv") {
    return new Response("Ask for the report as json or csv.", { status: 404 });
  }
  const file = await dataRequestDownload(prisma, session.shop, params.id ?? "", format);
  if (!file) return new Response("No report for that request in this shop.", { status: 404 });
  return fileDownload(file);
};
