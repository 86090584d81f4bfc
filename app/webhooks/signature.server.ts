// Shopify's webhook check as authenticate.webhook makes it (@shopify/shopify-api's
// webhooks.validate), on the raw bytes and header strings a Node server already has: no Fetch
// Request is built and no session is loaded. The order topics never use the shop's session, and
// at hundreds of webhooks a second those two steps cost more than storing the order.
// test/integration/webhook-direct.test.ts holds this and authenticate.webhook to the same answers.
import { createHmac, timingSafeEqual } from "node:crypto";

// A header's value by its lower-case name, repeated headers joined by ", " (Node and Fetch agree).
export type HeaderReader = (name: string) => string | undefined;

export interface VerifiedWebhook {
  ok: true;
  shop: string;
  topic: string; // as authenticate.webhook gives it: "ORDERS_CREATE"
  webhookId: string;
  apiVersion: string;
  eventId: string | null;
  triggeredAt: string | null;
  payload: unknown;
}

export interface RefusedWebhook {
  ok: false;
  status: 400 | 401;
  reason: "missing_headers" | "bad_hmac" | "invalid_json";
}

// Shopify's two header sets: classic webhooks, and the newer "events" deliveries.
const HEADERS = {
  webhooks: {
    hmac: "x-shopify-hmac-sha256",
    topic: "x-shopify-topic",
    domain: "x-shopify-shop-domain",
    apiVersion: "x-shopify-api-version",
    webhookId: "x-shopify-webhook-id",
    triggeredAt: "x-shopify-triggered-at",
    eventId: "x-shopify-event-id",
  },
  events: {
    hmac: "shopify-hmac-sha256",
    topic: "shopify-topic",
    domain: "shopify-shop-domain",
    apiVersion: "shopify-api-version",
    webhookId: "shopify-webhook-id",
    triggeredAt: "shopify-triggered-at",
    eventId: null,
  },
} as const;

// Shopify's HMAC: base64 of HMAC-SHA256 over the raw body with the app's client secret. Flow's
// trigger lifecycle callback is signed the same way (app/webhooks/flow-lifecycle.server.ts).
export const hmacMatches = (rawBody: Buffer, secret: string, given: string): boolean => {
  const expected = Buffer.from(createHmac("sha256", secret).update(rawBody).digest("base64"));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
};

// The same order of checks as the library, so the same request gets the same status: empty
// body or no signature 400, wrong signature 401, a missing Shopify header 400. A body that is
// not JSON is 400 too (authenticate.webhook throws SyntaxError there; our routes answer 400).
export function verifyShopifyWebhook({
  header,
  rawBody,
  secret,
}: {
  header: HeaderReader;
  rawBody: Buffer;
  secret: string;
}): VerifiedWebhook | RefusedWebhook {
  const names = header(HEADERS.events.hmac) ? HEADERS.events : HEADERS.webhooks;
  if (rawBody.length === 0) return { ok: false, status: 400, reason: "missing_headers" };
  const hmac = header(names.hmac);
  if (!hmac) return { ok: false, status: 400, reason: "missing_headers" };
  if (!hmacMatches(rawBody, secret, hmac)) return { ok: false, status: 401, reason: "bad_hmac" };
  const topic = header(names.topic);
  const shop = header(names.domain);
  const apiVersion = header(names.apiVersion);
  const webhookId = header(names.webhookId);
  if (!topic || !shop || !apiVersion || !webhookId) return { ok: false, status: 400, reason: "missing_headers" };
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody.toString("utf8"));
  } catch {
    return { ok: false, status: 400, reason: "invalid_json" };
  }
  return {
    ok: true,
    shop,
    topic: topic.toUpperCase().replace(/\/|\./g, "_"),
    webhookId,
    apiVersion,
    eventId: (names.eventId && header(names.eventId)) || null,
    triggeredAt: header(names.triggeredAt) || null,
    payload,
  };
}

// Shopify Flow's action requests (authenticate.flow's check, api.flow.validate): the same HMAC of
// the raw body with the app's secret in X-Shopify-Hmac-Sha256, and no other Shopify header; the
// shop is named inside the signed body. A missing or wrong signature is 401, an empty body 400.
export function verifyShopifyFlowRequest({
  header,
  rawBody,
  secret,
}: {
  header: HeaderReader;
  rawBody: Buffer;
  secret: string;
}): { ok: true } | { ok: false; status: 400 | 401; reason: "missing_body" | "bad_hmac" } {
  if (rawBody.length === 0) return { ok: false, status: 400, reason: "missing_body" };
  const hmac = header(HEADERS.webhooks.hmac);
  if (!hmac || !hmacMatches(rawBody, secret, hmac)) return { ok: false, status: 401, reason: "bad_hmac" };
  return { ok: true };
}
