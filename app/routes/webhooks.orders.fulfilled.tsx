import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "../webhooks.server";
import { WEBHOOK_HANDLERS } from "../webhook-handlers.server";

// orders/fulfilled: what it does is in webhook-handlers.server.ts, shared with the server's direct path.
export const action = async ({ request }: ActionFunctionArgs) => handleWebhook(request, WEBHOOK_HANDLERS["orders/fulfilled"]);
