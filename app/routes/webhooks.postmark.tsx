import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { handlePostmarkWebhook, postmarkMethodNotAllowed } from "../webhooks/postmark-events.server";

// Postmark's webhooks, not a Shopify one: the basic-auth credentials Postmark sends from its
// webhook URL replace authenticate.webhook. Postmark retries a post that is not answered 200,
// and may post one twice; the provider and the event's own id are the dedupe key.
export const action = async ({ request }: ActionFunctionArgs) => handlePostmarkWebhook(request, { prisma });

export const loader = async () => postmarkMethodNotAllowed();
