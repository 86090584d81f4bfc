import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { handleWebhook } from "../webhooks.server";
import { receiveShopRedact } from "../services/compliance.server";

// Mandatory compliance topic, sent 48 hours after uninstall: every row of the shop is deleted
// before we answer; a failure is a 500 and Shopify delivers it again.
export const action = async ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ delivery, payload }) => {
    await receiveShopRedact({ prisma, delivery, payload });
  });
