import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "../webhooks.server";
import { WEBHOOK_HANDLERS } from "../webhook-handlers.server";

// customers/data_request: what it does is in webhook-handlers.server.ts, shared with the server's direct path.
export const action = async ({ request }: ActionFunctionArgs) => handleWebhook(request, WEBHOOK_HANDLERS["customers/data_request"]);
