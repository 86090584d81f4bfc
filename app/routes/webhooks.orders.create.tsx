import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { handleWebhook } from "../webhooks.server";
import { receiveOrderCreated } from "../services/intake.server";
import { followUpsScheduled } from "../services/runtime.server";

// Shopify may deliver the same webhook twice; X-Shopify-Webhook-Id is the dedupe key.
export const action = async ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ delivery, payload }) => {
    const outcome = await receiveOrderCreated({ prisma, delivery, payload });
    if (outcome.kind === "scheduled") await followUpsScheduled(outcome.followUps);
    return outcome;
  });
