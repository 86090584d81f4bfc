// A signed Shopify webhook as the Request an app route's action receives: posted to the topic's
// path, with the headers and body Shopify sends (simulator/webhooks.ts).
import { webhookRequest, type WebhookArgs } from "../../simulator/webhooks";

export function signedWebhook(args: WebhookArgs): Request {
  const { headers, body } = webhookRequest(args);
  return new Request(`https://afterglow.test/webhooks/${args.topic}`, { method: "POST", headers, body });
}
