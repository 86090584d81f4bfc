import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { handleWebhook } from "../webhooks.server";
import { receiveFulfillmentEvent } from "../services/intake.server";
import { followUpsScheduled } from "../services/runtime.server";

// A carrier's "delivered" starts the shop's "order_delivered" flows; other statuses are recorded only.
export const action = async ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ delivery, payload }) => {
    const outcome = await receiveFulfillmentEvent({ prisma, delivery, payload });
    if (outcome.kind === "scheduled") await followUpsScheduled(outcome.followUps);
  });
