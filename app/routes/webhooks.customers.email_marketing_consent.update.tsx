import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { handleWebhook } from "../webhooks.server";
import { receiveConsentWebhook } from "../services/consent.server";

// customers_email_marketing_consent/update keeps our copy of consent current between sends.
// Shopify may deliver it twice or out of order; consent_updated_at decides which change wins.
export const action = async ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ delivery, payload }) => {
    await receiveConsentWebhook({ prisma, delivery, payload });
  });
