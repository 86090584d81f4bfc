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
import { disconnectShop } from "../services/shop/shops.server";
import { receiveCustomersDataRequest } from "../services/compliance/data-request.server";
import { receiveCustomersRedact } from "../services/compliance/customer-redact.server";
import { receiveShopRedact } from "../services/compliance/shop-redact.server";

// May return intake's outcome; it only feeds the metrics.
export type WebhookHandler = (ctx: WebhookContext) => Promise<unknown>;

// Each topic's handler by the path of its route (/webhooks/<path>).
const TOPICS = {
  // Shopify may deliver the same webhook twice; X-Shopify-Webhook-Id is the dedupe key.
  "orders/create": async ({ delivery, payload }) => {
    const outcome = await receiveOrderCreated({ prisma, delivery, payload });
    if (outcome.kind === "scheduled") await followUpsScheduled(outcome.followUps);
    return outcome;
  },
  // Starts the shop's "order_paid" flows; a redelivery or a second delivery changes nothing.
  "orders/paid": async ({ delivery, payload }) => {
    const outcome = await receiveOrderTrigger({ prisma, delivery, payload, trigger: "order_paid" });
    if (outcome.kind === "scheduled") await followUpsScheduled(outcome.followUps);
    return outcome;
  },
  "orders/fulfilled": async ({ delivery, payload }) => {
    const outcome = await receiveOrderTrigger({ prisma, delivery, payload, trigger: "order_fulfilled" });
    if (outcome.kind === "scheduled") await followUpsScheduled(outcome.followUps);
    return outcome;
  },
  // A carrier's "delivered" starts the shop's "order_delivered" flows; other statuses are recorded only.
  "fulfillment_events/create": async ({ delivery, payload }) => {
    const outcome = await receiveFulfillmentEvent({ prisma, delivery, payload });
    if (outcome.kind === "scheduled") await followUpsScheduled(outcome.followUps);
    return outcome;
  },
  "orders/cancelled": ({ delivery, payload }) => receiveOrderCancelled({ prisma, delivery, payload }),
  // Kept for the "fully refunded" exit rule (financial_status "refunded").
  "orders/updated": async ({ delivery, payload }) => {
    await receiveOrderUpdated({ prisma, delivery, payload });
  },
  // Keeps our copy of consent current between sends. Shopify may deliver it twice or out of
  // order; consent_updated_at decides which change wins.
  "customers/email_marketing_consent/update": async ({ delivery, payload }) => {
    await receiveConsentWebhook({ prisma, delivery, payload });
  },
  "app/uninstalled": async ({ delivery }) => {
    if ((await recordDelivery({ prisma, delivery, outcome: "uninstalled" })) === "duplicate") return;
    await disconnectShop({ prisma, shop: delivery.shop });
  },
  // Mandatory compliance topics. The report is built at once and shown on the Data requests
  // page; erasures finish before we answer, so a 200 means done and a failure is retried.
  "customers/data_request": async ({ delivery, payload }) => {
    await receiveCustomersDataRequest({ prisma, delivery, payload });
  },
  "customers/redact": async ({ delivery, payload }) => {
    await receiveCustomersRedact({ prisma, delivery, payload });
  },
  "shop/redact": async ({ delivery, payload }) => {
    await receiveShopRedact({ prisma, delivery, payload });
  },
} satisfies Record<WebhookTopicPath, WebhookHandler>;

export { type WebhookTopicPath };

export const WEBHOOK_HANDLERS: Record<WebhookTopicPath, WebhookHandler> = TOPICS;
