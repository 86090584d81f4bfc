// The Settings page's live preview: the default flow's first email with the brand the merchant
// has not saved yet, as an HTML document for an iframe.
import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { previewBrand } from "../services/shop/brand.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  let brand: unknown;
  try {
    brand = JSON.parse(String((await request.formData()).get("brand") ?? "{}"));
  } catch {
    return new Response("Send the brand as JSON in the `brand` field.", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  const preview = await previewBrand({ prisma, shop: session.shop, brand });
  if (!preview.ok) return Response.json({ problems: preview.problems }, { status: 422 });
  return new Response(preview.html, {
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "X-Afterglow-Subject": encodeURIComponent(preview.subject) },
  });
};
