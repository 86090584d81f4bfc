import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { flowActionMethodNotAllowed, handleFlowActionRequest } from "../webhooks/flow-action.server";

// The runtime URL of the Shopify Flow action "Start an Afterglow flow"
// (extensions/start-afterglow-flow): Flow's HMAC replaces authenticate.flow, and a run Flow sends
// again (same action_run_id) starts nothing twice.
export const action = async ({ request }: ActionFunctionArgs) => handleFlowActionRequest(request, { prisma });

export const loader = async () => flowActionMethodNotAllowed();
