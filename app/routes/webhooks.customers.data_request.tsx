import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { handleWebhook } from "../webhooks.server";
import { receiveCustomersDataRequest } from "../services/compliance.server";

// Mandatory compliance topic: the report is built at once (a few queries) and shown to the
// merchant on the Data requests page; Shopify expects it handed over within 30 days.
export const action = async ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ delivery, payload }) => {
    await receiveCustomersDataRequest({ prisma, delivery, payload });
  });
