import { Prisma, type PrismaClient } from "@prisma/client";
import type { WebhookDeliveryInfo } from "./intake.server";

type Json = Record<string, unknown>;

// Keeps what was asked (which customer, which orders), not the payload's personal data.
export async function recordComplianceRequest({
  prisma,
  delivery,
  payload,
}: {
  prisma: PrismaClient;
  delivery: WebhookDeliveryInfo;
  payload: unknown;
}): Promise<"recorded" | "duplicate"> {
  const body = (typeof payload === "object" && payload !== null ? payload : {}) as Json;
  const customer = (typeof body.customer === "object" && body.customer !== null ? body.customer : {}) as Json;
  const customerId = customer.id != null ? `gid://shopify/Customer/${customer.id}` : null;
  const orders = [
    ...(Array.isArray(body.orders_requested) ? body.orders_requested : []),
    ...(Array.isArray(body.orders_to_redact) ? body.orders_to_redact : []),
  ].map((id) => `gid://shopify/Order/${id}`);
  try {
    await prisma.$transaction([
      prisma.webhookDelivery.create({
        data: { webhookId: delivery.webhookId, shop: delivery.shop, topic: delivery.topic, outcome: "recorded" },
      }),
      prisma.complianceRequest.create({
        data: {
          shop: delivery.shop,
          topic: delivery.topic,
          webhookId: delivery.webhookId,
          customerId,
          orderIds: orders.length ? JSON.stringify(orders) : null,
        },
      }),
    ]);
    return "recorded";
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") return "duplicate";
    throw e;
  }
}
