// The shared shape of our webhook routes: authenticate first (bad HMAC → 401, nothing stored),
// then act; a body we cannot use is 400 so Shopify shows it failed instead of retrying forever.
import { authenticate } from "../shopify.server";
import { InvalidOrderPayloadError } from "../domain/order-facts";
import { assertTopicOfRoute, RefusedWebhookPayloadError } from "../domain/webhook-payloads";
import type { WebhookDeliveryInfo } from "../services/intake/intake.server";
import { logger } from "../platform/logger.server";
import { config } from "../platform/config.server";
import { topicOfRequest, webhookHandled, webhookReceived, webhookRejected } from "../platform/metrics.server";

export interface WebhookContext {
  delivery: WebhookDeliveryInfo;
  payload: unknown;
}

// Shopify's largest order payloads are a few hundred KB; anything far beyond is not Shopify.
export const WEBHOOK_MAX_BYTES = config().webhooks.maxBytes;

// Checked before reading the body, so an oversized or non-JSON request costs nothing and stores nothing.
export function refuseUnreadable(contentType: string | null | undefined, contentLength: string | null | undefined): WebhookAnswer | null {
  const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") return { status: 415, message: "Webhooks must be sent as application/json.", reason: "not_json" };
  if (Number(contentLength ?? "0") > WEBHOOK_MAX_BYTES) return tooLarge();
  return null;
}

export const tooLarge = (): WebhookAnswer => ({ status: 413, message: `The body is larger than ${WEBHOOK_MAX_BYTES} bytes.`, reason: "too_large" });

function rejectUnreadable(request: Request): Response | null {
  if (request.method !== "POST") return null; // authenticate.webhook answers 405
  const refused = refuseUnreadable(request.headers.get("content-type"), request.headers.get("content-length"));
  if (!refused) return null;
  // The unread body is thrown away by Node's server after the answer (bounded by its request
  // timeout); closing the socket instead would reset it and hide the 413 from the sender.
  return toResponse(refused);
}

const REJECTED: Record<number, string> = { 400: "missing_headers", 401: "bad_hmac", 405: "method_not_allowed", 413: "too_large", 415: "not_json" };

// What a webhook's answer says, before it becomes a Fetch Response (routes) or is written to
// the socket (the server's direct path).
export interface WebhookAnswer {
  status: number;
  message?: string;
  reason?: string; // X-Afterglow-Reason, and the "rejected" metric's label
}

// `act` may return intake's outcome; it only feeds the metrics.
export async function handleWebhook(
  request: Request,
  act: (ctx: WebhookContext) => Promise<unknown>,
): Promise<Response> {
  const topic = topicOfRequest(request);
  const refused = rejectUnreadable(request);
  if (refused) {
    webhookRejected(topic, REJECTED[refused.status] ?? String(refused.status));
    return refused;
  }
  let ctx: WebhookContext;
  try {
    const { shop, topic, payload, webhookId, triggeredAt, ...rest } = await authenticate.webhook(request);
    ctx = {
      delivery: {
        shop,
        topic: String(topic),
        webhookId,
        eventId: "eventId" in rest ? (rest.eventId as string | undefined) ?? null : null,
        triggeredAt: triggeredAt ?? null,
      },
      payload,
    };
  } catch (err) {
    if (err instanceof Response) {
      webhookRejected(topic, REJECTED[err.status] ?? String(err.status));
      return err;
    }
    // The HMAC matched but the body is not JSON.
    if (err instanceof SyntaxError) return toResponse(rejected(topic, { status: 400, message: "The webhook body is not valid JSON.", reason: "invalid_json" }));
    throw err;
  }
  return toResponse(await actOnWebhook(topic, ctx, act));
}

// After authentication, the same for both paths: act, count, and turn errors into answers
// Shopify understands (400: do not retry this body; 500: retry later).
export async function actOnWebhook(
  topic: string,
  ctx: WebhookContext,
  act: (ctx: WebhookContext) => Promise<unknown>,
): Promise<WebhookAnswer> {
  webhookReceived(topic);
  try {
    // Shopify signs the body only: a body posted to another topic's URL is not that topic's.
    assertTopicOfRoute(topic, ctx.delivery.topic);
    webhookHandled(topic, await act(ctx));
  } catch (err) {
    if (err instanceof InvalidOrderPayloadError || err instanceof RefusedWebhookPayloadError) {
      const reason = err instanceof RefusedWebhookPayloadError ? err.reason : "invalid_payload";
      logger.warn("webhook rejected", { shop: ctx.delivery.shop, topic: ctx.delivery.topic, reason, problems: err.problems });
      return rejected(topic, { status: 400, message: err.message, reason });
    }
    logger.error("webhook failed; Shopify will retry it", {
      shop: ctx.delivery.shop,
      topic: ctx.delivery.topic,
      webhookId: ctx.delivery.webhookId,
      err,
    });
    return rejected(topic, { status: 500, message: "Internal error; please retry.", reason: "handler_error" });
  }
  return { status: 200 };
}

export function rejected(topic: string, answer: WebhookAnswer): WebhookAnswer {
  webhookRejected(topic, answer.reason ?? REJECTED[answer.status] ?? String(answer.status));
  return answer;
}

function toResponse({ status, message, reason }: WebhookAnswer): Response {
  if (status === 200) return new Response();
  const headers: Record<string, string> = { "Content-Type": "text/plain; charset=utf-8" };
  if (reason) headers["X-Afterglow-Reason"] = reason;
  return new Response(message ?? null, { status, headers });
}
