// The shared shape of our webhook routes: authenticate first (bad HMAC → 401, nothing stored),
// then act; a body we cannot use is 400 so Shopify shows it failed instead of retrying forever.
import { authenticate } from "./shopify.server";
import { InvalidOrderPayloadError } from "./domain/order-facts";
import type { WebhookDeliveryInfo } from "./services/intake.server";
import { logger } from "./logger.server";
import { topicOfRequest, webhookHandled, webhookReceived, webhookRejected } from "./metrics.server";

export interface WebhookContext {
  delivery: WebhookDeliveryInfo;
  payload: unknown;
}

// Shopify's largest order payloads are a few hundred KB; anything far beyond is not Shopify.
export const WEBHOOK_MAX_BYTES = Number(process.env.WEBHOOK_MAX_BYTES || 2 * 1024 * 1024);

// Checked before reading the body, so an oversized or non-JSON request costs nothing and stores nothing.
function rejectUnreadable(request: Request): Response | null {
  if (request.method !== "POST") return null; // authenticate.webhook answers 405
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") {
    return new Response("Webhooks must be sent as application/json.", { status: 415 });
  }
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > WEBHOOK_MAX_BYTES) {
    // Unread body left on the socket: close it rather than let the client reuse it.
    return new Response(`The body is larger than ${WEBHOOK_MAX_BYTES} bytes.`, {
      status: 413,
      headers: { Connection: "close" },
    });
  }
  return null;
}

const REJECTED: Record<number, string> = { 400: "missing_headers", 401: "bad_hmac", 405: "method_not_allowed", 413: "too_large", 415: "not_json" };

// `act` may return intake's outcome; it only feeds the metrics.
export async function handleWebhook(
  request: Request,
  act: (ctx: WebhookContext) => Promise<unknown>,
): Promise<Response> {
  const topic = topicOfRequest(request);
  const response = await respond({ request, act, topic });
  if (response.status >= 400) webhookRejected(topic, response.headers.get("X-Afterglow-Reason") ?? REJECTED[response.status] ?? String(response.status));
  return response;
}

async function respond({
  request,
  act,
  topic,
}: {
  request: Request;
  act: (ctx: WebhookContext) => Promise<unknown>;
  topic: string;
}): Promise<Response> {
  const refused = rejectUnreadable(request);
  if (refused) return refused;
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
    if (err instanceof Response) return err;
    // The HMAC matched but the body is not JSON.
    if (err instanceof SyntaxError) return badRequest("The webhook body is not valid JSON.", "invalid_json");
    throw err;
  }
  webhookReceived(topic);
  try {
    webhookHandled(topic, await act(ctx));
  } catch (err) {
    if (err instanceof InvalidOrderPayloadError) {
      logger.warn("webhook rejected", { shop: ctx.delivery.shop, topic: ctx.delivery.topic, problems: err.problems });
      return badRequest(err.message, "invalid_payload");
    }
    logger.error("webhook failed; Shopify will retry it", {
      shop: ctx.delivery.shop,
      topic: ctx.delivery.topic,
      webhookId: ctx.delivery.webhookId,
      err,
    });
    return new Response("Internal error; please retry.", { status: 500, headers: { "X-Afterglow-Reason": "handler_error" } });
  }
  return new Response();
}

function badRequest(message: string, reason: string) {
  return new Response(message, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8", "X-Afterglow-Reason": reason } });
}
