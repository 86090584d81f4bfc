import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { handleWebhook } from "../webhooks.server";
import { recordDelivery } from "../services/intake.server";
import { disconnectShop } from "../services/shops.server";

export const action = async ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ delivery }) => {
    if ((await recordDelivery({ prisma, delivery, outcome: "uninstalled" })) === "duplicate") return;
    await disconnectShop({ prisma, shop: delivery.shop });
  });
