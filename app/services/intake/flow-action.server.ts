// The Shopify Flow action "Start an Afterglow flow": which flow and which order a run names, in
// the merchant's words when one of them cannot start, then intake's receiveFlowActionRun. Flow
// waits 10 s for the answer, so the Admin API is read once, briefly, and only for an order no
// webhook brought.
import type { PrismaClient } from "@prisma/client";
import type { FlowActionRequest } from "~/domain/flow-action";
import type { OrderFacts } from "~/domain/order-facts";
import { orderFactsFromAdminOrder } from "~/domain/reconciliation";
import { stepFlowProblem } from "~/domain/flow-action";
import { adminClientForShop, type AdminClient } from "~/adapters/shopify-admin/index.server";
import { fetchIntakeOrder } from "~/adapters/shopify-admin/order-facts.server";
import { intakeContext } from "../flows/flows.server";
import { stepFlowFor, triggerLabel } from "../flows/flow-action-steps.server";
import { receiveFlowActionRun } from "./intake.server";
import { followUpsScheduled } from "./follow-ups-scheduled.server";

export type FlowActionOutcome =
  | { kind: "scheduled"; flowKey: string; followUps: { id: string; dueAt: Date }[] }
  | { kind: "duplicate" }
  // Each with the sentence Flow shows the merchant in the workflow's run.
  | { kind: "unknown_shop"; message: string }
  | { kind: "flow_unavailable"; message: string }
  | { kind: "order_not_found"; message: string };

// Within Flow's 10 s with room for the database: one try, no retries; a failure is answered 503
// and Flow sends the run again later.
const ORDER_READ_TIMEOUT_MS = 5_000;

export async function startFlowFromShopifyFlow({
  prisma,
  request,
  clientFor,
  adminApiUrl = null,
  now = new Date(),
}: {
  prisma: PrismaClient;
  request: FlowActionRequest;
  // The shop's Admin API client; by default its stored offline token.
  clientFor?: (shop: string) => Promise<AdminClient>;
  adminApiUrl?: string | null; // SHOPIFY_ADMIN_API_URL; null is Shopify's own
  now?: Date;
}): Promise<FlowActionOutcome> {
  const { shop, actionRunId, stepReference, flowKey, orderId } = request;
  const shopRow = await prisma.shop.findUnique({ where: { domain: shop }, select: { uninstalledAt: true } });
  if (!shopRow || shopRow.uninstalledAt) {
    return { kind: "unknown_shop", message: `${shop} is not connected to Afterglow: install the app from the Shopify admin, then run the workflow again.` };
  }
  // A run Flow sends again is answered as the first was, whatever changed since.
  if (await prisma.flowActionRun.count({ where: { shop, actionRunId } })) return { kind: "duplicate" };

  // The flow chosen on the configuration page; an older workflow's typed key otherwise.
  const flow = await stepFlowFor({ prisma, shop, stepReference, flowKey });
  const unavailable = flow ? stepFlowProblem(flow, triggerLabel) : noFlowMessage(flowKey);
  if (unavailable) return { kind: "flow_unavailable", message: unavailable };

  // Fresh, not the per-process cache: the merchant may have turned the flow on a moment ago.
  const context = await intakeContext(prisma, shop, "shopify_flow", 0);
  if (!context.ok) return { kind: "unknown_shop", message: `${context.reason} Install the app from the Shopify admin, then run the workflow again.` };

  // An order a webhook brought keeps its fuller facts (line items, tags); any other is read once.
  const stored = await prisma.order.count({ where: { shop, orderId } });
  let facts: OrderFacts | null = null;
  if (!stored) {
    const client = await (
      clientFor ??
      ((s: string) =>
        adminClientForShop({ prisma, shop: s, maxRetries: 0, timeoutMs: ORDER_READ_TIMEOUT_MS, ...(adminApiUrl ? { urlTemplate: adminApiUrl } : {}) }))
    )(shop);
    const node = await fetchIntakeOrder(client, orderId);
    if (!node) return { kind: "order_not_found", message: `${shop} has no order ${orderId}; the workflow's order could not be found in Shopify.` };
    facts = orderFactsFromAdminOrder(node);
  }

  const outcome = await receiveFlowActionRun({ prisma, run: { shop, actionRunId, orderId }, flowId: flow!.id, context, facts, now });
  if (outcome.kind === "duplicate") return outcome;
  if (outcome.kind !== "scheduled") throw new Error(`${shop}: Shopify Flow run ${actionRunId} ended as ${outcome.kind}`);
  await followUpsScheduled(outcome.followUps);
  return { kind: "scheduled", flowKey: flow!.key, followUps: outcome.followUps };
}

function noFlowMessage(key: string | null): string {
  if (key) return `Afterglow has no flow with the key "${key}". Open the action in Shopify Flow and choose the Afterglow flow on its configuration page.`;
  return "No Afterglow flow is chosen for this step. Open the action in Shopify Flow and choose the flow on its configuration page.";
}
