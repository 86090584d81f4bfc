import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "../webhooks/receive.server";
import { WEBHOOK_HANDLERS } from "../webhooks/topics.server";

// app_subscriptions/update: what it does is in app/webhooks/topics.server.ts, shared with the server's direct path.
export const action = async ({ request }: ActionFunctionArgs) => handleWebhook(request, WEBHOOK_HANDLERS["app_subscriptions/update"]);
