// Turns Shopify order webhooks into stored follow-ups. Never calls SendGrid or the Admin API:
// Shopify waits at most 5 s for our answer, and everything slow happens in the dispatcher.
import { Prisma, type PrismaClient } from "@prisma/client";
import { orderFactsFromWebhook, orderIdFromWebhook, type OrderFacts } from "~/domain/order-facts";
import { scheduleFollowUps } from "~/domain/scheduling";
import { activeFlowsFor } from "./flows.server";

export interface WebhookDeliveryInfo {
  shop: string;
  topic: string;
  webhookId: string;
  eventId?: string | null;
  triggeredAt?: string | null;
}

export type IntakeOutcome =
  | { kind: "duplicate" }
  | { kind: "ignored"; reason: string }
  | { kind: "scheduled"; orderRef: string; followUps: { id: string; dueAt: Date }[] }
  | { kind: "cancelled"; followUps: number };

export interface FollowUpsScheduledListener {
  (followUps: { id: string; dueAt: Date }[]): void | Promise<void>;
}

const isUniqueViolation = (e: unknown) =>
  e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002";

function parseTriggeredAt(value: string | null | undefined): Date | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

async function alreadyReceived(prisma: PrismaClient, webhookId: string): Promise<boolean> {
  return (await prisma.webhookDelivery.count({ where: { webhookId } })) > 0;
}

async function connectedShop(prisma: PrismaClient, shop: string) {
  const row = await prisma.shop.findUnique({ where: { domain: shop } });
  if (!row) return { ok: false as const, reason: "The shop is not connected to Afterglow." };
  if (row.uninstalledAt) return { ok: false as const, reason: "The app is uninstalled from this shop." };
  return { ok: true as const, row };
}

function orderRow(shop: string, facts: OrderFacts) {
  return {
    shop,
    orderId: facts.orderId,
    name: facts.name,
    customerId: facts.customerId,
    email: facts.email,
    firstName: facts.firstName,
    locale: facts.locale,
    countryCode: facts.countryCode,
    currency: facts.currency,
    totalPrice: facts.totalPrice,
    subtotalPrice: facts.subtotalPrice,
    shopCurrency: facts.shopCurrency,
    totalPriceShop: facts.totalPriceShop,
    productIds: JSON.stringify(facts.productIds),
    orderedAt: facts.orderedAt,
    cancelledAt: facts.cancelledAt,
  };
}

// orders/create. Parses first, so a malformed body (InvalidOrderPayloadError) stores nothing.
export async function receiveOrderCreated({
  prisma,
  delivery,
  payload,
  now = new Date(),
}: {
  prisma: PrismaClient;
  delivery: WebhookDeliveryInfo;
  payload: unknown;
  now?: Date;
}): Promise<IntakeOutcome> {
  const facts = orderFactsFromWebhook(payload);
  if (await alreadyReceived(prisma, delivery.webhookId)) return { kind: "duplicate" };

  const shop = await connectedShop(prisma, delivery.shop);
  const flows = shop.ok ? await activeFlowsFor(prisma, delivery.shop, "order_created") : [];
  const planned = shop.ok
    ? scheduleFollowUps({
        order: facts,
        flows,
        trigger: "order_created",
        triggeredAt: facts.orderedAt,
        now,
        timeZone: shop.row.ianaTimezone,
      })
    : [];

  const deliveryRow = {
    webhookId: delivery.webhookId,
    shop: delivery.shop,
    topic: delivery.topic,
    eventId: delivery.eventId ?? null,
    triggeredAt: parseTriggeredAt(delivery.triggeredAt),
    orderId: facts.orderId,
  };

  try {
    return await prisma.$transaction(async (tx) => {
      if (!shop.ok) {
        await tx.webhookDelivery.create({ data: { ...deliveryRow, outcome: `ignored: ${shop.reason}` } });
        return { kind: "ignored" as const, reason: shop.reason };
      }
      await tx.webhookDelivery.create({ data: { ...deliveryRow, outcome: "received" } });
      // A second delivery of the same order (another webhook id) keeps the first facts.
      const order = await tx.order.upsert({
        where: { shop_orderId: { shop: delivery.shop, orderId: facts.orderId } },
        create: orderRow(delivery.shop, facts),
        update: {},
      });
      const existing = await tx.followUp.findMany({
        where: { shop: delivery.shop, orderId: facts.orderId },
        select: { flowId: true, stepKey: true },
      });
      const have = new Set(existing.map((f) => `${f.flowId}/${f.stepKey}`));
      const created: { id: string; dueAt: Date }[] = [];
      for (const plan of planned) {
        if (have.has(`${plan.flowId}/${plan.stepKey}`)) continue;
        // Shopify does not promise order between topics: orders/cancelled may have come first.
        const p =
          order.cancelledAt && !plan.skipReason
            ? { ...plan, skipReason: "The order was cancelled before its follow-ups were scheduled." }
            : plan;
        const followUp = await tx.followUp.create({
          data: {
            shop: delivery.shop,
            orderRef: order.id,
            orderId: facts.orderId,
            flowId: p.flowId,
            stepId: p.stepId,
            stepKey: p.stepKey,
            template: p.template,
            recipient: p.recipient,
            status: p.skipReason ? "skipped" : "scheduled",
            skipReason: p.skipReason,
            dueAt: p.dueAt,
            nextAttemptAt: p.dueAt,
            events: {
              create: {
                type: p.skipReason ? "skipped" : "scheduled",
                detail: p.skipReason ?? `Due ${p.dueAt.toISOString()}`,
                at: now,
              },
            },
          },
          select: { id: true, dueAt: true, status: true },
        });
        if (followUp.status === "scheduled") created.push({ id: followUp.id, dueAt: followUp.dueAt });
      }
      await tx.webhookDelivery.update({
        where: { webhookId: delivery.webhookId },
        data: { outcome: `scheduled ${created.length}` },
      });
      return { kind: "scheduled" as const, orderRef: order.id, followUps: created };
    });
  } catch (e) {
    // Two deliveries racing past the first check: the unique keys decide, the loser is a duplicate.
    if (isUniqueViolation(e)) return { kind: "duplicate" };
    throw e;
  }
}

// orders/cancelled: pending follow-ups of the order are cancelled with the reason kept.
export async function receiveOrderCancelled({
  prisma,
  delivery,
  payload,
  now = new Date(),
}: {
  prisma: PrismaClient;
  delivery: WebhookDeliveryInfo;
  payload: unknown;
  now?: Date;
}): Promise<IntakeOutcome> {
  const orderId = orderIdFromWebhook(payload);
  if (await alreadyReceived(prisma, delivery.webhookId)) return { kind: "duplicate" };
  const p = payload as { cancelled_at?: string; cancel_reason?: string };
  const cancelledAt = parseTriggeredAt(p.cancelled_at) ?? now;
  const shop = await connectedShop(prisma, delivery.shop);
  if (!shop.ok) {
    const recorded = await recordDelivery({ prisma, delivery, outcome: `ignored: ${shop.reason}` });
    return recorded === "duplicate" ? { kind: "duplicate" } : { kind: "ignored", reason: shop.reason };
  }
  let facts: OrderFacts | null = null;
  try {
    facts = orderFactsFromWebhook(payload);
  } catch {
    facts = null; // enough to cancel by id; the order row is kept only when the payload is complete
  }
  const reason = `The order was cancelled${p.cancel_reason ? ` (${p.cancel_reason})` : ""}.`;
  try {
    return await prisma.$transaction(async (tx) => {
      const updated = facts
        ? await tx.order
            .upsert({
              where: { shop_orderId: { shop: delivery.shop, orderId } },
              create: { ...orderRow(delivery.shop, facts), cancelledAt },
              update: { cancelledAt },
            })
            .then(() => ({ count: 1 }))
        : await tx.order.updateMany({ where: { shop: delivery.shop, orderId }, data: { cancelledAt } });
      const pending = await tx.followUp.findMany({
        where: { shop: delivery.shop, orderId, status: "scheduled" },
        select: { id: true },
      });
      const ids = pending.map((f) => f.id);
      if (ids.length) {
        await tx.followUp.updateMany({
          where: { id: { in: ids }, status: "scheduled" },
          data: { status: "cancelled", skipReason: reason },
        });
        await tx.followUpEvent.createMany({
          data: ids.map((followUpId) => ({ followUpId, type: "cancelled", detail: reason, at: now })),
        });
      }
      await tx.webhookDelivery.create({
        data: {
          webhookId: delivery.webhookId,
          shop: delivery.shop,
          topic: delivery.topic,
          eventId: delivery.eventId ?? null,
          triggeredAt: parseTriggeredAt(delivery.triggeredAt),
          orderId,
          outcome: updated.count ? `cancelled ${ids.length}` : "ignored: order not known",
        },
      });
      return { kind: "cancelled" as const, followUps: ids.length };
    });
  } catch (e) {
    if (isUniqueViolation(e)) return { kind: "duplicate" };
    throw e;
  }
}

// Any other topic we subscribe to: recorded once per delivery, acted on by the caller.
export async function recordDelivery({
  prisma,
  delivery,
  outcome,
}: {
  prisma: PrismaClient;
  delivery: WebhookDeliveryInfo;
  outcome: string;
}): Promise<"recorded" | "duplicate"> {
  try {
    await prisma.webhookDelivery.create({
      data: {
        webhookId: delivery.webhookId,
        shop: delivery.shop,
        topic: delivery.topic,
        eventId: delivery.eventId ?? null,
        triggeredAt: parseTriggeredAt(delivery.triggeredAt),
        outcome,
      },
    });
    return "recorded";
  } catch (e) {
    if (isUniqueViolation(e)) return "duplicate";
    throw e;
  }
}
