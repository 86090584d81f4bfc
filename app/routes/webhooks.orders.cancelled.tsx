import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { handleWebhook } from "../webhooks.server";
import { receiveOrderCancelled } from "../services/intake.server";

export const action = async ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ delivery, payload }) => {
    return receiveOrderCancelled({ prisma, delivery, payload });
  });
