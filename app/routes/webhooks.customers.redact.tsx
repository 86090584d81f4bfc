import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { handleWebhook } from "../webhooks.server";
import { receiveCustomersRedact } from "../services/compliance.server";

// Mandatory compliance topic: the customer's data is erased before we answer (one short
// transaction), so a 200 means it is done; a failure is a 500 and Shopify delivers it again.
export const action = async ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ delivery, payload }) => {
    await receiveCustomersRedact({ prisma, delivery, payload });
  });
