// Turns Shopify order webhooks into stored follow-ups. Never calls SendGrid or the Admin API:
// Shopify waits at most 5 s for our answer, and everything slow happens in the dispatcher.
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import { orderFactsFromWebhook, orderIdFromWebhook, type OrderFacts } from "~/domain/order-facts";
import { scheduleFollowUps } from "~/domain/scheduling";
import { intakeContext } from "./flows.server";
import { batchedInsert } from "./batched-inserts.server";
import { isUniqueViolation } from "./db-errors.server";

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

interface DeliveryRow {
  webhookId: string;
  shop: string;
  topic: string;
  eventId: string | null;
  triggeredAt: Date | null;
  orderId: string;
}

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
  const context = await intakeContext(prisma, delivery.shop, "order_created");
  const deliveryRow = {
    webhookId: delivery.webhookId,
    shop: delivery.shop,
    topic: delivery.topic,
    eventId: delivery.eventId ?? null,
    triggeredAt: parseTriggeredAt(delivery.triggeredAt),
    orderId: facts.orderId,
  };
  if (!context.ok) {
    const recorded = await recordDelivery({ prisma, delivery, outcome: `ignored: ${context.reason}`, orderId: facts.orderId });
    return recorded === "duplicate" ? { kind: "duplicate" } : { kind: "ignored", reason: context.reason };
  }
  const planned = scheduleFollowUps({
    order: facts,
    flows: context.flows,
    trigger: "order_created",
    triggeredAt: facts.orderedAt,
    now,
    timeZone: context.timeZone,
  });

  // The common case, a first delivery of a new order: one batched transaction of plain inserts.
  // Any unique key it hits (a redelivery, a second delivery of the order, orders/cancelled that
  // came first) rolls it back whole, and the careful path below sorts it out.
  const orderRef = randomUUID();
  const rows = planned.map((plan) => followUpRow({ shop: delivery.shop, orderRef, orderId: facts.orderId, plan }));
  const scheduled = rows.filter((r) => r.status === "scheduled");
  try {
    await insertNewOrder(prisma, { deliveryRow, orderRef, shop: delivery.shop, facts, rows, moved: movedEvents(rows, planned, now), now });
    return { kind: "scheduled", orderRef, followUps: scheduled.map((r) => ({ id: r.id, dueAt: r.dueAt })) };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
  }
  return receiveKnownOrder({ prisma, delivery, deliveryRow, facts, planned, now });
}

type PlannedFollowUp = ReturnType<typeof scheduleFollowUps>[number];

// The delivery, the order's facts and its follow-ups, written in one transaction (shared with
// other deliveries arriving at the same moment: see batched-inserts.server.ts).
async function insertNewOrder(
  prisma: PrismaClient,
  {
    deliveryRow,
    orderRef,
    shop,
    facts,
    rows,
    moved,
    now,
  }: {
    deliveryRow: DeliveryRow;
    orderRef: string;
    shop: string;
    facts: OrderFacts;
    rows: ReturnType<typeof followUpRow>[];
    moved: ReturnType<typeof movedEvents>;
    now: Date;
  },
): Promise<void> {
  const scheduledCount = rows.filter((r) => r.status === "scheduled").length;
  // Every row of a table carries the same columns, so rows of many deliveries share one INSERT.
  await batchedInsert(prisma, [
    ["WebhookDelivery", [{ id: randomUUID(), ...deliveryRow, outcome: `scheduled ${scheduledCount}`, receivedAt: now }]],
    ["Order", [{ id: orderRef, ...orderRow(shop, facts), createdAt: now, updatedAt: now }]],
    ["FollowUp", rows.map((r) => ({ ...r, attempts: 0, createdAt: now, updatedAt: now }))],
    ["FollowUpEvent", moved],
  ]);
}

// A send window that moved a follow-up's due time is said on its timeline (the rest of its
// creation is the row itself).
function movedEvents(rows: ReturnType<typeof followUpRow>[], planned: PlannedFollowUp[], at: Date) {
  return rows.flatMap((row, i) =>
    row.status === "scheduled" && planned[i].movedReason
      ? [{ id: randomUUID(), followUpId: row.id, type: "moved", detail: planned[i].movedReason, at }]
      : [],
  );
}

function followUpRow({
  shop,
  orderRef,
  orderId,
  plan,
}: {
  shop: string;
  orderRef: string;
  orderId: string;
  plan: PlannedFollowUp;
}) {
  return {
    id: randomUUID(),
    shop,
    orderRef,
    orderId,
    flowId: plan.flowId,
    stepId: plan.stepId,
    stepKey: plan.stepKey,
    template: plan.template,
    recipient: plan.recipient,
    status: plan.skipReason ? "skipped" : "scheduled",
    skipReason: plan.skipReason,
    dueAt: plan.dueAt,
    nextAttemptAt: plan.dueAt,
  };
}

// A delivery whose order we may already have: checked step by step inside one transaction.
async function receiveKnownOrder({
  prisma,
  delivery,
  deliveryRow,
  facts,
  planned,
  now,
}: {
  prisma: PrismaClient;
  delivery: WebhookDeliveryInfo;
  deliveryRow: DeliveryRow;
  facts: OrderFacts;
  planned: PlannedFollowUp[];
  now: Date;
}): Promise<IntakeOutcome> {
  if (await alreadyReceived(prisma, delivery.webhookId)) return { kind: "duplicate" };
  try {
    return await prisma.$transaction(async (tx) => {
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
      const rows = planned
        .filter((plan) => !have.has(`${plan.flowId}/${plan.stepKey}`))
        // Shopify does not promise order between topics: orders/cancelled may have come first.
        .map((plan) =>
          order.cancelledAt && !plan.skipReason
            ? { ...plan, skipReason: "The order was cancelled before its follow-ups were scheduled." }
            : plan,
        )
        .map((plan) => followUpRow({ shop: delivery.shop, orderRef: order.id, orderId: facts.orderId, plan }));
      if (rows.length) await tx.followUp.createMany({ data: rows.map((r) => ({ ...r, createdAt: now })) });
      const moved = rows.flatMap((row) => {
        const plan = planned.find((p) => p.flowId === row.flowId && p.stepKey === row.stepKey);
        return row.status === "scheduled" && plan?.movedReason
          ? [{ followUpId: row.id, type: "moved", detail: plan.movedReason, at: now }]
          : [];
      });
      if (moved.length) await tx.followUpEvent.createMany({ data: moved });
      const scheduled = rows.filter((r) => r.status === "scheduled");
      await tx.webhookDelivery.update({
        where: { webhookId: delivery.webhookId },
        data: { outcome: `scheduled ${scheduled.length}` },
      });
      return {
        kind: "scheduled" as const,
        orderRef: order.id,
        followUps: scheduled.map((r) => ({ id: r.id, dueAt: r.dueAt })),
      };
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
  orderId,
}: {
  prisma: PrismaClient;
  delivery: WebhookDeliveryInfo;
  outcome: string;
  orderId?: string;
}): Promise<"recorded" | "duplicate"> {
  try {
    await prisma.webhookDelivery.create({
      data: {
        webhookId: delivery.webhookId,
        shop: delivery.shop,
        topic: delivery.topic,
        eventId: delivery.eventId ?? null,
        triggeredAt: parseTriggeredAt(delivery.triggeredAt),
        orderId: orderId ?? null,
        outcome,
      },
    });
    return "recorded";
  } catch (e) {
    if (isUniqueViolation(e)) return "duplicate";
    throw e;
  }
}
