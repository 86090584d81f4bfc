// The production server's direct path for Shopify webhooks: the Node request goes straight to
// the signature check and the topic's handler, without Express, Remix's request conversion and
// routing, or authenticate.webhook's session load. On two cores those took about half of each
// acknowledgement. The routes in app/routes/webhooks.* answer the same requests the same way
// (dev server, AFTERGLOW_DIRECT_WEBHOOKS=off); test/integration/webhook-direct.test.ts compares the two.
import type { IncomingMessage, ServerResponse } from "node:http";
import { WEBHOOK_HANDLERS, type WebhookTopicPath } from "./topics.server";
import { verifyShopifyWebhook, type RefusedWebhook } from "./signature.server";
import { actOnWebhook, refuseUnreadable, rejected, tooLarge, WEBHOOK_MAX_BYTES, type WebhookAnswer } from "./receive.server";
import { logger } from "../platform/logger.server";
import { answerWhileDraining, drainLimitFor, hangUp, readBoundedBody } from "./body.server";
import { config } from "../platform/config.server";

const PREFIX = "/webhooks/";

// The topic a request is for, when it is a webhook this path takes; null sends it to Remix.
export function directWebhookTopic(method: string | undefined, url: string | undefined): WebhookTopicPath | null {
  if (method !== "POST" || !url?.startsWith(PREFIX)) return null;
  const end = url.indexOf("?");
  const path = url.slice(PREFIX.length, end < 0 ? undefined : end).replace(/\/+$/, "");
  return Object.hasOwn(WEBHOOK_HANDLERS, path) ? (path as WebhookTopicPath) : null;
}

const REFUSALS: Record<RefusedWebhook["reason"], string> = {
  missing_headers: "Shopify's webhook headers or body are missing.",
  bad_hmac: "The webhook's HMAC does not match.",
  invalid_json: "The webhook body is not valid JSON.",
};

// Takes the request and answers it, or returns false for the caller to pass it on.
export function receiveWebhookDirect(
  req: IncomingMessage,
  res: ServerResponse,
  { secret = config().shopify.apiSecret }: { secret?: string } = {},
): boolean {
  const topic = directWebhookTopic(req.method, req.url);
  if (!topic) return false;
  handle(topic, req, res, secret).catch((err: unknown) => {
    logger.error("webhook failed; Shopify will retry it", { topic, err });
    if (!res.headersSent) send(res, rejected(topic, { status: 500, message: "Internal error; please retry.", reason: "handler_error" }));
    else res.destroy();
  });
  return true;
}

async function handle(topic: WebhookTopicPath, req: IncomingMessage, res: ServerResponse, secret: string) {
  const refused = refuseUnreadable(req.headers["content-type"], req.headers["content-length"]);
  if (refused) {
    if (refused.status === 413) void readBody(req, 0); // declared too large: keep nothing, drop the body
    return send(res, rejected(topic, refused), refused.status === 413 ? req : undefined);
  }
  const read = await readBody(req, WEBHOOK_MAX_BYTES);
  if (read.kind === "aborted") return; // the sender went away; nothing was stored
  if (read.kind === "too large") return send(res, rejected(topic, tooLarge()), req);
  const rawBody = read.bytes;
  const check = verifyShopifyWebhook({ header: (name) => headerValue(req, name), rawBody, secret });
  if (!check.ok) return send(res, rejected(topic, { status: check.status, message: REFUSALS[check.reason], reason: check.reason }));
  const delivery = { shop: check.shop, topic: check.topic, webhookId: check.webhookId, eventId: check.eventId, triggeredAt: check.triggeredAt };
  send(res, await actOnWebhook(topic, { delivery, payload: check.payload }, WEBHOOK_HANDLERS[topic]));
}

const headerValue = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
};

// How much past the limit a refused body is read and dropped before we hang up.
const DRAIN_MAX_BYTES = drainLimitFor(WEBHOOK_MAX_BYTES);

// The body as sent, "too large" as soon as it passes the limit, or "aborted". The rest of a
// refused body is still read and dropped, up to DRAIN_MAX_BYTES more (app/webhooks/body.server.ts).
const readBody = (req: IncomingMessage, limit: number) =>
  readBoundedBody(req, { limit, drainLimit: DRAIN_MAX_BYTES, onOverDrain: () => hangUp(req.socket) });

// `draining`: the request whose refused body is still being read and dropped.
function send(res: ServerResponse, { status, message, reason }: WebhookAnswer, draining?: IncomingMessage) {
  if (status === 200) {
    res.writeHead(200, { "Content-Length": "0" }).end();
    return;
  }
  const body = Buffer.from(message ?? "");
  const headers: Record<string, string> = { "Content-Type": "text/plain; charset=utf-8", "Content-Length": String(body.length) };
  if (reason) headers["X-Afterglow-Reason"] = reason;
  res.writeHead(status, headers);
  if (draining) answerWhileDraining(draining, res, body);
  else res.end(body);
}
