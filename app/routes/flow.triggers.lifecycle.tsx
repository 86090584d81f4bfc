import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { handleFlowLifecycleCallback, lifecycleMethodNotAllowed } from "../webhooks/flow-lifecycle.server";

// Shopify Flow's trigger lifecycle callback, not a webhook topic: the HMAC is checked on the raw
// body in app/webhooks/flow-lifecycle.server.ts; a bad one is 401 and nothing is stored.
export const action = async ({ request }: ActionFunctionArgs) => handleFlowLifecycleCallback(request, { prisma });

export const loader = async () => lifecycleMethodNotAllowed();
