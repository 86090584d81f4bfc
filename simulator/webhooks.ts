// Webhook deliveries exactly as Shopify makes them over HTTPS: the raw JSON body, signed with
// the app's client secret, and every header Shopify sends with it.

import { createHmac, randomUUID } from "node:crypto";
import { supportedAdminVersions } from "./schema";

export interface WebhookArgs {
  topic: string; // "orders/create"
  shop: string; // the myshopify.com domain
  payload: unknown; // serialised as Shopify does (compact JSON); a string is sent as is
  secret: string; // the app's client secret (SHOPIFY_API_SECRET)
  apiVersion?: string;
  webhookId?: string; // reuse one to simulate a redelivery of the same webhook
  eventId?: string; // shared by every delivery caused by one merchant action
  triggeredAt?: string | Date;
  name?: string; // the subscription's name, sent only when the subscription has one
}

export interface WebhookRequest {
  headers: Record<string, string>;
  body: string;
}

// Base64 HMAC-SHA256 of the raw body bytes, keyed with the client secret (X-Shopify-Hmac-Sha256).
export function signWebhookBody(body: string | Buffer, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

// Shopify stamps X-Shopify-Triggered-At with nanoseconds; Date only knows milliseconds.
function triggeredAtHeader(value: string | Date | undefined): string {
  if (typeof value === "string") return value;
  return (value ?? new Date()).toISOString().replace(/Z$/, "000000Z");
}

export function webhookRequest({
  topic,
  shop,
  payload,
  secret,
  apiVersion = "2025-10",
  webhookId = randomUUID(),
  eventId = randomUUID(),
  triggeredAt,
  name,
}: WebhookArgs): WebhookRequest {
  if (!/^[a-z_]+\/[a-z_]+$/.test(topic)) {
    throw new Error(`"${topic}" is not a Shopify webhook topic; topics look like orders/create.`);
  }
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) {
    throw new Error(`"${shop}" is not a myshopify.com domain; Shopify always names the shop by it.`);
  }
  if (!secret) throw new Error(`A webhook for ${shop} needs the app's client secret to be signed.`);
  if (!supportedAdminVersions().includes(apiVersion)) {
    throw new Error(`Shopify sends webhooks only in a supported API version; ${apiVersion} is not one of ${supportedAdminVersions().join(", ")}.`);
  }
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": "Shopify-Captain-Hook",
    Accept: "*/*",
    "X-Shopify-Topic": topic,
    "X-Shopify-Hmac-Sha256": signWebhookBody(body, secret),
    "X-Shopify-Shop-Domain": shop,
    "X-Shopify-API-Version": apiVersion,
    "X-Shopify-Webhook-Id": webhookId,
    "X-Shopify-Event-Id": eventId,
    "X-Shopify-Triggered-At": triggeredAtHeader(triggeredAt),
  };
  if (name) headers["X-Shopify-Name"] = name;
  // Order topics also carry the order's numeric id in a header of their own.
  const orderId = (payload as { id?: unknown } | null)?.id;
  if (topic.startsWith("orders/") && typeof payload === "object" && orderId != null) {
    headers["X-Shopify-Order-Id"] = String(orderId);
  }
  return { headers, body };
}

export async function sendWebhook(url: string, args: WebhookArgs): Promise<Response> {
  const { headers, body } = webhookRequest(args);
  return fetch(url, { method: "POST", headers, body });
}
