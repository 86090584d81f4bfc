import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { handleWebhook } from "../webhooks.server";
import { receiveOrderUpdated } from "../services/intake.server";

// Kept for the "fully refunded" exit rule (financial_status "refunded").
export const action = async ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ delivery, payload }) => {
    await receiveOrderUpdated({ prisma, delivery, payload });
  });
