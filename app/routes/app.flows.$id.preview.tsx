// The editor's live preview: the step rendered by the dispatcher's own render path, as an HTML
// document for an iframe. GET renders the saved step; POST renders the unsaved draft. `variant`
// shows an A/B variant; a real `order` gets the shop's own recommendations when Shopify answers.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { isTemplateId, TEMPLATES } from "../domain/templates";
import {
  loadFlowDraft,
  parseDraft,
  previewDocument,
  findPreviewOrder,
  previewRecommendations,
  previewStep,
  VariantNotFoundError,
  type FlowDraft,
} from "../services/flows/flow-editor.server";

const text = (body: string, status: number) => new Response(body, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });

async function preview({ shop, flowKey, draft, url }: { shop: string; flowKey: string; draft: FlowDraft; url: URL }) {
  const index = Number(url.searchParams.get("step") ?? "0");
  const step = draft.steps[Number.isInteger(index) ? index : 0];
  if (!step) return text("This flow has no such step yet.", 404);
  const orderId = url.searchParams.get("order") || null;
  const real = await findPreviewOrder(prisma, { shop, orderId });
  if (orderId && !real) return text("That order is not one of this shop's orders.", 404);
  const shopRow = await prisma.shop.findUnique({ where: { domain: shop } });
  if (!shopRow) return text("The shop is not connected to Afterglow.", 404);
  // Templates without a product grid show no recommendations: nothing to ask Shopify.
  const needsProducts = !isTemplateId(step.template) || TEMPLATES[step.template].needs.recommendations;
  const recommendations = needsProducts ? await previewRecommendations({ prisma, shop: shopRow, real }) : null;
  try {
    const rendered = await previewStep({
      prisma,
      shop: shopRow,
      flowKey,
      step,
      order: real,
      locale: url.searchParams.get("locale"),
      variantKey: url.searchParams.get("variant") || null,
      recommendations: recommendations?.products,
    });
    return new Response(previewDocument(rendered), {
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Afterglow-Subject": encodeURIComponent(rendered.subject),
        "X-Afterglow-Recommendations": recommendations?.source ?? "none",
        "X-Afterglow-Recommendations-Note": encodeURIComponent(recommendations?.note ?? ""),
      },
    });
  } catch (err) {
    if (err instanceof VariantNotFoundError) return text(err.message, 404);
    return text(`The email could not be rendered: ${err instanceof Error ? err.message : String(err)}`, 422);
  }
}

async function flowKeyOf(shop: string, id: string): Promise<string | null> {
  if (id === "new") return "new-flow";
  return (await prisma.flow.findFirst({ where: { shop, id }, select: { key: true } }))?.key ?? null;
}

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = params.id ?? "";
  const draft = id === "new" ? null : await loadFlowDraft(prisma, { shop: session.shop, id });
  if (!draft) return text("This flow is not one of this shop's flows.", 404);
  return preview({ shop: session.shop, flowKey: (await flowKeyOf(session.shop, id))!, draft, url: new URL(request.url) });
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = params.id ?? "";
  const flowKey = await flowKeyOf(session.shop, id);
  if (!flowKey) return text("This flow is not one of this shop's flows.", 404);
  const draft = parseDraft(String((await request.formData()).get("flow") ?? ""));
  if (!draft) return text("Send the flow as JSON in the `flow` field.", 400);
  return preview({ shop: session.shop, flowKey, draft, url: new URL(request.url) });
};
