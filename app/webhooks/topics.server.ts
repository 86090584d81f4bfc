// What each Shopify webhook topic (app/webhooks/subscriptions.ts) does once it is authenticated.
// The routes (app/routes/webhooks.*) and the server's direct intake path both run these handlers,
// so a topic behaves the same whichever way it arrives.
import prisma from "../db.server";
import type { WebhookContext } from "./receive.server";
import type { WebhookTopicPath } from "./subscriptions";
import {
  receiveFulfillmentEvent,
  receiveOrderCancelled,
  receiveOrderCreated,
  receiveOrderTrigger,
  receiveOrderUpdated,
  recordDelivery,
} from "../services/intake/intake.server";
import { followUpsScheduled } from "../services/intake/follow-ups-scheduled.server";
import { receiveConsentWebhook } from "../services/consent/consent.server";
import { disconnectShop, updateShopProfile } from "../services/shop/shops.server";
import { shopConnection } from "../services/flows/flows.server";
import { receiveCustomersDataRequest } from "../services/compliance/data-request.server";
import { receiveCustomersRedact } from "../services/compliance/customer-redact.server";
import { receiveShopRedact } from "../services/compliance/shop-redact.server";
import { parseCompliancePayload, payloadProblem } from "../services/compliance/requests.server";
import { fulfillmentEventFromWebhook, orderFactsFromWebhook, orderIdFromWebhook } from "../domain/order-facts";
import { consentFromWebhook, InvalidConsentPayloadError } from "../domain/consent";
import {
  assertCancelledOrder,
  assertComplianceShop,
  assertFulfilledOrder,
  assertNotAnOrder,
  assertShopResource,
  orderShopFromStatusUrl,
  RefusedWebhookPayloadError,
  shopProfileFromWebhook,
  subscriptionUpdateFromWebhook,
} from "../domain/webhook-payloads";
import { recordSubscriptionStatus, UnknownSubscriptionError } from "../services/billing/plans.server";
import { adminClientForShop } from "../adapters/shopify-admin/index.server";
import { orderExistsInShop } from "../adapters/shopify-admin/order-facts.server";
import { config } from "../platform/config.server";

// May return intake's outcome; it only feeds the metrics.
export type WebhookHandler = (ctx: WebhookContext) => Promise<unknown>;

// A delivery for a shop that is not connected (never installed, or uninstalled) starts nothing
// and keeps nothing: Shopify only needs its 200.
const NOT_CONNECTED = { kind: "ignored", reason: "The shop is not connected to Afterglow." } as const;

async function connectedShop(shop: string) {
  const row = await shopConnection(prisma, shop);
  return row && !row.uninstalledAt ? row : null;
}

// The Admin API read that settles whose order a body is when its order_status_url cannot: within
// Shopify's 5 s, so one try with a short timeout; a failure is a 500 and Shopify retries later.
const ORDER_CHECK_TIMEOUT_MS = 3_000;

async function isShopsOrder(shop: string, orderId: string): Promise<boolean> {
  // An order stored under the shop was checked when it came.
  if (await prisma.order.count({ where: { shop, orderId } })) return true;
  const adminApiUrl = config().shopify.adminApiUrl;
  const client = await adminClientForShop({
    prisma,
    shop,
    maxRetries: 0,
    timeoutMs: ORDER_CHECK_TIMEOUT_MS,
    ...(adminApiUrl ? { urlTemplate: adminApiUrl } : {}),
  });
  return orderExistsInShop(client, orderId);
}

// An order body (every orders/* topic): its shape first, then whether the shop is ours, then
// whether the order is the shop's. Nothing is stored before all three pass.
function orderTopic(
  check: (payload: unknown) => string, // throws on a body of the wrong shape; returns the order id
  act: (ctx: WebhookContext) => Promise<unknown>,
): WebhookHandler {
  return async (ctx) => {
    const orderId = check(ctx.payload);
    const shop = await connectedShop(ctx.delivery.shop);
    if (!shop) return NOT_CONNECTED;
    const whose = orderShopFromStatusUrl({ payload: ctx.payload, shop: ctx.delivery.shop, storefrontUrl: shop.storefrontUrl });
    if (whose === "another shop") {
      throw new RefusedWebhookPayloadError("shop_mismatch", ["the order's order_status_url is on another shop's myshopify.com domain"]);
    }
    if (whose === "unknown" && !(await isShopsOrder(ctx.delivery.shop, orderId))) {
      throw new RefusedWebhookPayloadError("shop_mismatch", [`${ctx.delivery.shop}'s Admin API has no order ${orderId}`]);
    }
    return act(ctx);
  };
}

const anOrder = (payload: unknown) => orderFactsFromWebhook(payload).orderId;

// Each topic's handler by the path of its route (/webhooks/<path>).
const TOPICS = {
  // Shopify may deliver the same webhook twice; X-Shopify-Webhook-Id is the dedupe key.
  "orders/create": orderTopic(anOrder, async ({ delivery, payload }) => {
    const outcome = await receiveOrderCreated({ prisma, delivery, payload });
    if (outcome.kind === "scheduled") await followUpsScheduled(outcome.followUps);
    return outcome;
  }),
  // Starts the shop's "order_paid" flows; a redelivery or a second delivery changes nothing.
  "orders/paid": orderTopic(anOrder, async ({ delivery, payload }) => {
    const outcome = await receiveOrderTrigger({ prisma, delivery, payload, trigger: "order_paid" });
    if (outcome.kind === "scheduled") await followUpsScheduled(outcome.followUps);
    return outcome;
  }),
  "orders/fulfilled": orderTopic(
    (payload) => {
      const orderId = anOrder(payload);
      assertFulfilledOrder(payload);
      return orderId;
    },
    async ({ delivery, payload }) => {
      const outcome = await receiveOrderTrigger({ prisma, delivery, payload, trigger: "order_fulfilled" });
      if (outcome.kind === "scheduled") await followUpsScheduled(outcome.followUps);
      return outcome;
    },
  ),
  // A carrier's "delivered" starts the shop's "order_delivered" flows; other statuses are recorded
  // only. The event names its order by id alone, and acts only on an order stored under the shop.
  "fulfillment_events/create": async ({ delivery, payload }) => {
    fulfillmentEventFromWebhook(payload);
    if (!(await connectedShop(delivery.shop))) return NOT_CONNECTED;
    const outcome = await receiveFulfillmentEvent({ prisma, delivery, payload });
    if (outcome.kind === "scheduled") await followUpsScheduled(outcome.followUps);
    return outcome;
  },
  // The id is enough to cancel, but the body must be a cancelled order.
  "orders/cancelled": orderTopic(
    (payload) => {
      const orderId = orderIdFromWebhook(payload);
      assertCancelledOrder(payload);
      return orderId;
    },
    ({ delivery, payload }) => receiveOrderCancelled({ prisma, delivery, payload }),
  ),
  // Kept for the "fully refunded" exit rule (financial_status "refunded").
  "orders/updated": orderTopic(orderIdFromWebhook, async ({ delivery, payload }) => {
    await receiveOrderUpdated({ prisma, delivery, payload });
  }),
  // Keeps our copy of consent current between sends. Shopify may deliver it twice or out of
  // order; consent_updated_at decides which change wins.
  "customers/email_marketing_consent/update": async ({ delivery, payload }) => {
    assertNotAnOrder(payload, "consent");
    try {
      consentFromWebhook(payload);
    } catch (err) {
      if (err instanceof InvalidConsentPayloadError) throw new RefusedWebhookPayloadError("wrong_shape", err.problems);
      throw err;
    }
    if (!(await connectedShop(delivery.shop))) return NOT_CONNECTED;
    await receiveConsentWebhook({ prisma, delivery, payload });
  },
  "app/uninstalled": async ({ delivery, payload }) => {
    assertShopResource(payload, delivery.shop);
    // A shop we never had has nothing to disconnect.
    if (!(await prisma.shop.count({ where: { domain: delivery.shop } }))) return NOT_CONNECTED;
    if ((await recordDelivery({ prisma, delivery, outcome: "uninstalled" })) === "duplicate") return;
    await disconnectShop({ prisma, shop: delivery.shop });
  },
  // The body is the shop itself: bound to the shop header, then what it says replaces the stored profile.
  "shop/update": async ({ delivery, payload }) => {
    const profile = shopProfileFromWebhook(payload, delivery.shop);
    if (!(await connectedShop(delivery.shop))) return NOT_CONNECTED;
    if ((await recordDelivery({ prisma, delivery, outcome: "shop_updated" })) === "duplicate") return;
    await updateShopProfile({ prisma, shop: delivery.shop, profile });
  },
  // The shop's plan. Taken for a shop that uninstalled too: Shopify cancels its subscription
  // then, and a reinstall must not find it still paid. A redelivery or an older status changes nothing.
  "app_subscriptions/update": async ({ delivery, payload }) => {
    const update = subscriptionUpdateFromWebhook(payload);
    if (!(await prisma.shop.count({ where: { domain: delivery.shop } }))) return NOT_CONNECTED;
    try {
      return await recordSubscriptionStatus({ prisma, shop: delivery.shop, update });
    } catch (err) {
      if (!(err instanceof UnknownSubscriptionError)) throw err;
      const owner = await prisma.planSubscription.findUnique({ where: { id: update.id }, select: { shop: true } });
      if (owner) throw new RefusedWebhookPayloadError("shop_mismatch", [`${update.id} is another shop's subscription`]);
      return { kind: "ignored", reason: "Not a subscription the shop asked for through Afterglow." };
    }
  },
  // Mandatory compliance topics. The report is built at once and shown on the Data requests
  // page; erasures finish before we answer, so a 200 means done and a failure is retried.
  // They are honoured for an uninstalled shop too (shop/redact always comes after uninstall).
  "customers/data_request": complianceTopic(true, async ({ delivery, payload }) => {
    await receiveCustomersDataRequest({ prisma, delivery, payload });
  }),
  "customers/redact": complianceTopic(true, async ({ delivery, payload }) => {
    await receiveCustomersRedact({ prisma, delivery, payload });
  }),
  "shop/redact": complianceTopic(false, async ({ delivery, payload }) => {
    await receiveShopRedact({ prisma, delivery, payload });
  }),
} satisfies Record<WebhookTopicPath, WebhookHandler>;

// A compliance body must name this shop (and, for a customer's, the customer); a shop we hold
// nothing for (never installed, or already erased by shop/redact) is acknowledged as done.
function complianceTopic(needsCustomer: boolean, act: WebhookHandler): WebhookHandler {
  return async (ctx) => {
    assertComplianceShop(ctx.payload, ctx.delivery.shop);
    assertNotAnOrder(ctx.payload, "compliance");
    const problem = payloadProblem(parseCompliancePayload(ctx.payload), ctx.delivery.shop, needsCustomer);
    if (problem) throw new RefusedWebhookPayloadError("wrong_shape", [problem]);
    if (!(await prisma.shop.count({ where: { domain: ctx.delivery.shop } }))) return { kind: "ignored", reason: "Afterglow holds nothing for the shop." };
    return act(ctx);
  };
}

export { type WebhookTopicPath };

export const WEBHOOK_HANDLERS: Record<WebhookTopicPath, WebhookHandler> = TOPICS;
