import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { handleWebhook } from "../webhooks.server";
import { receiveOrderTrigger } from "../services/intake.server";
import { followUpsScheduled } from "../services/runtime.server";

// Starts the shop's "order_fulfilled" flows; a redelivery or a second delivery changes nothing.
export const action = async ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ delivery, payload }) => {
    const outcome = await receiveOrderTrigger({ prisma, delivery, payload, trigger: "order_fulfilled" });
    if (outcome.kind === "scheduled") await followUpsScheduled(outcome.followUps);
  });
