// The shared shape of our webhook routes: authenticate first (bad HMAC → 401, nothing stored),
// then act; a body we cannot use is 400 so Shopify shows it failed instead of retrying forever.
import { authenticate } from "./shopify.server";
import { InvalidOrderPayloadError } from "./domain/order-facts";
import type { WebhookDeliveryInfo } from "./services/intake.server";
import { logger } from "./logger.server";

export interface WebhookContext {
  delivery: WebhookDeliveryInfo;
  payload: unknown;
}

export async function handleWebhook(
  request: Request,
  act: (ctx: WebhookContext) => Promise<void>,
): Promise<Response> {
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
    if (err instanceof SyntaxError) return badRequest("The webhook body is not valid JSON.");
    throw err;
  }
  try {
    await act(ctx);
  } catch (err) {
    if (err instanceof InvalidOrderPayloadError) {
      logger.warn("webhook rejected", { shop: ctx.delivery.shop, topic: ctx.delivery.topic, problems: err.problems });
      return badRequest(err.message);
    }
    logger.error("webhook failed; Shopify will retry it", {
      shop: ctx.delivery.shop,
      topic: ctx.delivery.topic,
      webhookId: ctx.delivery.webhookId,
      err,
    });
    return new Response("Internal error; please retry.", { status: 500 });
  }
  return new Response();
}

function badRequest(message: string) {
  return new Response(message, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
