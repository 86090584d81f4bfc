import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { handleSendGridEventWebhook, methodNotAllowed } from "../webhooks/sendgrid-events.server";

// SendGrid's Event Webhook, not a Shopify one: SendGrid's ECDSA signature replaces
// authenticate.webhook. SendGrid retries any non-2xx answer, and may post an event twice;
// sg_event_id is the dedupe key.
export const action = async ({ request }: ActionFunctionArgs) => handleSendGridEventWebhook(request, { prisma });

export const loader = async () => methodNotAllowed();
