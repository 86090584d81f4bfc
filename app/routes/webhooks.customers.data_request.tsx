import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { handleWebhook } from "../webhooks.server";
import { recordComplianceRequest } from "../services/compliance.server";

// Mandatory compliance topic: acknowledged and recorded; the merchant is shown what was asked.
export const action = async ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ delivery, payload }) => {
    await recordComplianceRequest({ prisma, delivery, payload });
  });
