// One flow as a JSON file, in the format the Flows page's import and the CLI's `flows import` read.
import type { LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { fileDownload } from "../admin/file-download.server";
import { exportFlowFile } from "../services/flows/flow-editor.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const file = await exportFlowFile({ prisma, shop: session.shop, id: params.id ?? "" });
  if (!file) return new Response("This flow is not one of this shop's flows.", { status: 404 });
  return fileDownload({ body: file.json, contentType: "application/json; charset=utf-8", filename: file.filename });
};
