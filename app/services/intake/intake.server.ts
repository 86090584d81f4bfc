// Turns Shopify order webhooks into stored follow-ups. Never calls SendGrid or the Admin API:
// Shopify waits at most 5 s for our answer, and everything slow happens in the dispatcher.
import { randomUUID } from "node:crypto";
import type { Order, Prisma, PrismaClient } from "@prisma/client";
import {
  dateInRange,
  fulfilledAtFromWebhook,
  fulfillmentEventFromWebhook,
  orderFactsFromWebhook,
  orderIdFromWebhook,
  storableText,
  type OrderFacts,
} from "~/domain/order-facts";
import { factsFromOrderRow, orderRowFromFacts, triggerColumn } from "~/domain/stored-rows";
import { scheduleFollowUps } from "~/domain/scheduling";
import type { FlowTrigger } from "~/domain/flows";
import { SKIP_REASON_STATUS, skipFields } from "~/domain/skip-reasons";
import { intakeContext, type IntakeContext } from "../flows/flows.server";
import { batchedInsert } from "./batched-inserts.server";
import { isUniqueViolation } from "../../platform/db-errors.server";

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

// What every topic's intake is given: the delivery and Shopify's payload.
export interface TopicDelivery {
  prisma: PrismaClient;
  delivery: WebhookDeliveryInfo;
  payload: unknown;
  now?: Date;
}

type DeliveryRow = ReturnType<typeof deliveryFields>;

// Out of range (or not a date) is as good as absent: the delivery's receipt stands in.
const parseTriggeredAt = (value: unknown): Date | null => dateInRange(value);

// A short word from the payload (financial_status, cancel_reason), kept as text: no NUL, no objects.
function payloadWord(value: unknown): string | null {
  if (typeof value !== "string") return null;
  return storableText(value.trim().toLowerCase().slice(0, 64)).trim() || null;
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

// orders/create. Parses first, so a malformed body (InvalidOrderPayloadError) stores nothing.
export async function receiveOrderCreated({
  prisma,
  delivery,
  payload,
  now = new Date(),
}: TopicDelivery): Promise<IntakeOutcome> {
  return receiveOrderFacts({ prisma, delivery, facts: orderFactsFromWebhook(payload), now });
}

// An order's facts from its webhook or, for a delivery Shopify never made, from the Admin API
// (the reconciler): both take the same idempotent path.
export async function receiveOrderFacts({
  prisma,
  delivery,
  facts,
  now = new Date(),
}: {
  prisma: PrismaClient;
  delivery: WebhookDeliveryInfo;
  facts: OrderFacts;
  now?: Date;
}): Promise<IntakeOutcome> {
  const context = await intakeContext(prisma, delivery.shop, "order_created");
  const deliveryRow = deliveryFields(delivery, facts.orderId);
  if (!context.ok) return ignoreDelivery({ prisma, delivery, reason: context.reason, orderId: facts.orderId });
  const planned = planFollowUps({ context, order: facts, trigger: "order_created", triggeredAt: facts.orderedAt, now });

  // The common case, a first delivery of a new order: one batched transaction of plain inserts.
  // Any unique key it hits (a redelivery, a second delivery of the order, orders/cancelled that
  // came first) rolls it back whole, and the careful path below sorts it out.
  const orderRef = randomUUID();
  const rows = planned.map((plan) => followUpRow({ shop: delivery.shop, orderRef, orderId: facts.orderId, plan }));
  const outcome = scheduledOutcome(orderRef, rows);
  try {
    await insertNewOrder(prisma, { deliveryRow, orderRef, shop: delivery.shop, facts, rows, moved: movedEvents(rows, planned, now), now });
    return outcome;
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
  }
  return receiveKnownOrder({ prisma, delivery, deliveryRow, facts, planned, now });
}

// orders/paid and orders/fulfilled: the payload is the whole order, so an order we have not
// seen yet is stored from it. The trigger's time is kept on the order (the first one wins) and
// the flows with that trigger are scheduled from it.
export async function receiveOrderTrigger({
  prisma,
  delivery,
  payload,
  trigger,
  now = new Date(),
}: TopicDelivery & { trigger: "order_paid" | "order_fulfilled" }): Promise<IntakeOutcome> {
  const facts = orderFactsFromWebhook(payload);
  // orders/paid carries no paid_at: when Shopify says the event happened stands in for it.
  const happened = parseTriggeredAt(delivery.triggeredAt) ?? now;
  const triggeredAt = trigger === "order_fulfilled" ? (fulfilledAtFromWebhook(payload) ?? happened) : happened;
  return scheduleTrigger({ prisma, delivery, orderId: facts.orderId, trigger, triggeredAt, facts, now });
}

// fulfillment_events/create: only "delivered" starts anything. The event names the order but
// does not carry it, so the order must be known from an earlier orders/* webhook (orders/create
// arrives long before delivery); one we never saw is recorded and ignored, with the reason.
export async function receiveFulfillmentEvent({
  prisma,
  delivery,
  payload,
  now = new Date(),
}: TopicDelivery): Promise<IntakeOutcome> {
  const event = fulfillmentEventFromWebhook(payload);
  if (event.status !== "delivered") {
    const reason = `Fulfillment event "${event.status}" starts no flow; only "delivered" does.`;
    return ignoreDelivery({ prisma, delivery, reason, orderId: event.orderId });
  }
  const triggeredAt = event.happenedAt ?? parseTriggeredAt(delivery.triggeredAt) ?? now;
  return scheduleTrigger({ prisma, delivery, orderId: event.orderId, trigger: "order_delivered", triggeredAt, facts: null, now });
}

async function scheduleTrigger({
  prisma,
  delivery,
  orderId,
  trigger,
  triggeredAt,
  facts,
  now,
}: {
  prisma: PrismaClient;
  delivery: WebhookDeliveryInfo;
  orderId: string;
  trigger: Exclude<FlowTrigger, "order_created" | "shopify_flow">;
  triggeredAt: Date;
  facts: OrderFacts | null; // null: the order must already be stored
  now: Date;
}): Promise<IntakeOutcome> {
  if (await alreadyReceived(prisma, delivery.webhookId)) return { kind: "duplicate" };
  const context = await intakeContext(prisma, delivery.shop, trigger);
  if (!context.ok) return ignoreDelivery({ prisma, delivery, reason: context.reason, orderId });
  const column = triggerColumn(trigger);
  return inTransaction(prisma, async (tx) => {
    let order = await tx.order.findUnique({ where: { shop_orderId: { shop: delivery.shop, orderId } } });
    if (!order && !facts) {
      const reason = "The order is not known to Afterglow (it was placed before the app was connected, or its orders/create never arrived).";
      await tx.webhookDelivery.create({ data: { ...deliveryFields(delivery, orderId), outcome: `ignored: ${reason}` } });
      return { kind: "ignored" as const, reason };
    }
    if (!order) {
      order = await tx.order.create({ data: { ...orderRowFromFacts(delivery.shop, facts!), [column]: triggeredAt } });
    } else if (!order[column]) {
      order = await tx.order.update({
        where: { id: order.id },
        data: { [column]: triggeredAt, ...(facts?.financialStatus ? { financialStatus: facts.financialStatus } : {}) },
      });
    }
    const outcome = await startFlowsForOrder({ tx, context, order, facts, flows: context.flows, trigger, triggeredAt: order[column] ?? triggeredAt, now });
    await tx.webhookDelivery.create({
      data: { ...deliveryFields(delivery, orderId), outcome: `scheduled ${outcome.followUps.length}` },
    });
    return outcome;
  });
}

// A delivered-trigger flow started without a delivery event, N days after fulfillment (the
// delivery fallback). Follow-ups are keyed (shop, order, flow, step), so whichever of the two
// comes first starts the flow and the other finds it started.
export async function startFlowsWithoutDelivery({
  prisma,
  shop,
  orderRef,
  flows,
  now = new Date(),
}: {
  prisma: PrismaClient;
  shop: string;
  orderRef: string;
  flows: { id: string; deliveryFallbackDays: number }[];
  now?: Date;
}): Promise<IntakeOutcome> {
  const context = await intakeContext(prisma, shop, "order_delivered");
  if (!context.ok) return { kind: "ignored", reason: context.reason };
  // A unique violation: the delivery webhook started the same flow at the same moment.
  return inTransaction(prisma, async (tx) => {
    const order = await tx.order.findUnique({ where: { id: orderRef } });
    if (!order?.fulfilledAt) return { kind: "ignored" as const, reason: "The order is not fulfilled." };
    if (order.deliveredAt) return { kind: "ignored" as const, reason: "Its delivery was reported; the flow started then." };
    const followUps: { id: string; dueAt: Date }[] = [];
    for (const fallback of flows) {
      const flow = context.flows.find((f) => f.id === fallback.id);
      if (!flow) continue; // switched off or changed since the pass read it
      const started = await startFlowsForOrder({
        tx,
        context,
        order,
        facts: null,
        flows: [flow],
        trigger: "order_delivered",
        triggeredAt: new Date(order.fulfilledAt.getTime() + fallback.deliveryFallbackDays * DAY_MS),
        event: {
          type: "started_without_delivery",
          detail: `No delivery was reported within ${fallback.deliveryFallbackDays} days of fulfillment, so the flow started then.`,
        },
        now,
      });
      followUps.push(...started.followUps);
    }
    return { kind: "scheduled" as const, orderRef: order.id, followUps };
  });
}

const DAY_MS = 24 * 3600_000;

// A run of the Shopify Flow action "Start an Afterglow flow": one flow (its trigger shopify_flow)
// for one order, through the same planning and the same (shop, order, flow, step) key as the
// webhooks. The run's row is written in the transaction of its follow-ups, so a run Flow sends
// again (same action_run_id) adds nothing, and neither does a second run for the same order.
// `facts`: the order as the Admin API has it, for an order no webhook brought; null when stored.
export async function receiveFlowActionRun({
  prisma,
  run,
  flowId,
  context,
  facts,
  now = new Date(),
}: {
  prisma: PrismaClient;
  run: { shop: string; actionRunId: string; orderId: string };
  flowId: string;
  context: Extract<IntakeContext, { ok: true }>;
  facts: OrderFacts | null;
  now?: Date;
}): Promise<IntakeOutcome> {
  const seen = await prisma.flowActionRun.count({ where: { shop: run.shop, actionRunId: run.actionRunId } });
  if (seen) return { kind: "duplicate" };
  const flows = context.flows.filter((f) => f.id === flowId);
  return inTransaction(prisma, async (tx) => {
    let order = await tx.order.findUnique({ where: { shop_orderId: { shop: run.shop, orderId: run.orderId } } });
    if (!order) {
      if (!facts) throw new Error(`${run.shop}: order ${run.orderId} is neither stored nor given; read it from the Admin API first.`);
      order = await tx.order.create({ data: orderRowFromFacts(run.shop, facts) });
    }
    // Delays count from the run: Flow starts the flow when the merchant's workflow decides.
    const outcome = await startFlowsForOrder({ tx, context, order, facts, flows, trigger: "shopify_flow", triggeredAt: now, now });
    await tx.flowActionRun.create({
      data: { shop: run.shop, actionRunId: run.actionRunId, flowId, orderId: run.orderId, outcome: `scheduled ${outcome.followUps.length}`, receivedAt: now },
    });
    return outcome;
  });
}

function deliveryFields(delivery: WebhookDeliveryInfo, orderId: string | null) {
  return {
    webhookId: delivery.webhookId,
    shop: delivery.shop,
    topic: delivery.topic,
    eventId: delivery.eventId ?? null,
    triggeredAt: parseTriggeredAt(delivery.triggeredAt),
    orderId,
  };
}

// Some of the shop's flows started for a stored order, inside the caller's transaction: the
// webhook triggers, the delivery fallback and the Shopify Flow action all start flows this way,
// and the caller's inTransaction turns a unique violation (a racing start) into a duplicate.
// `event`: a line added to the timeline of each follow-up created, saying why it started.
async function startFlowsForOrder({
  tx,
  context,
  order,
  facts,
  flows,
  trigger,
  triggeredAt,
  event,
  now,
}: {
  tx: Pick<PrismaClient, "followUp" | "followUpEvent" | "customerTimeZone">;
  context: Extract<IntakeContext, { ok: true }>;
  order: Order;
  // what the trigger brought (its addresses give the customer's zone); null when none came
  facts: OrderFacts | null;
  flows: Extract<IntakeContext, { ok: true }>["flows"];
  trigger: FlowTrigger;
  triggeredAt: Date;
  event?: { type: string; detail: string };
  now: Date;
}) {
  const customerTimeZone = await keepCustomerTimeZone({ tx, order, facts });
  const planned = planFollowUps({ context: { ...context, flows }, order: factsFromOrderRow(order), customerTimeZone, trigger, triggeredAt, now });
  const rows = await insertMissingFollowUps({ tx, shop: order.shop, order, planned, now });
  if (event && rows.length) {
    await tx.followUpEvent.createMany({ data: rows.map((row) => ({ id: randomUUID(), followUpId: row.id, type: event.type, detail: event.detail, at: now })) });
  }
  return scheduledOutcome(order.id, rows);
}

// Follow-ups are keyed (shop, order, flow, step): what exists already is left alone, so every
// repeated or late delivery of a trigger gives one follow-up per step.
async function insertMissingFollowUps({
  tx,
  shop,
  order,
  planned,
  now,
}: {
  tx: Pick<PrismaClient, "followUp" | "followUpEvent">;
  shop: string;
  order: Pick<Order, "id" | "orderId" | "cancelledAt">;
  planned: PlannedFollowUp[];
  now: Date;
}) {
  const existing = await tx.followUp.findMany({
    where: { shop, orderId: order.orderId },
    select: { flowId: true, stepKey: true },
  });
  const have = new Set(existing.map((f) => `${f.flowId}/${f.stepKey}`));
  const missing = planned
    .filter((plan) => !have.has(`${plan.flowId}/${plan.stepKey}`))
    // Shopify does not promise order between topics: orders/cancelled may have come first.
    .map((plan) =>
      order.cancelledAt && !plan.skipReason
        ? { ...plan, ...skipFields({ code: "order_cancelled" }), movedReason: null }
        : plan,
    );
  const rows = missing.map((plan) => followUpRow({ shop, orderRef: order.id, orderId: order.orderId, plan }));
  if (rows.length) await tx.followUp.createMany({ data: rows.map((r) => ({ ...r, createdAt: now })) });
  const moved = movedEvents(rows, missing, now);
  if (moved.length) await tx.followUpEvent.createMany({ data: moved });
  return rows;
}

// orders/updated: kept for one fact, a full refund. refunds/create carries only the refund,
// not whether the order is now fully refunded; Shopify sets financial_status "refunded" on the
// order exactly then. The dispatcher's exit rules stop the order's follow-ups at their send.
export async function receiveOrderUpdated({
  prisma,
  delivery,
  payload,
  now = new Date(),
}: TopicDelivery): Promise<IntakeOutcome> {
  const orderId = orderIdFromWebhook(payload);
  const status = payloadWord((payload as { financial_status?: unknown }).financial_status);
  if (await alreadyReceived(prisma, delivery.webhookId)) return { kind: "duplicate" };
  const refunded = status === "refunded";
  const data = { financialStatus: status, ...(refunded ? { refundedAt: parseTriggeredAt(delivery.triggeredAt) ?? now } : {}) };
  // refundedAt keeps the first time it was seen.
  const { count } = status
    ? await prisma.order.updateMany({
        where: { shop: delivery.shop, orderId, ...(refunded ? { refundedAt: null } : {}) },
        data,
      })
    : { count: 0 };
  const recorded = await recordDelivery({
    prisma,
    delivery,
    orderId,
    outcome: count ? `updated: financial status ${status}` : "ignored: nothing Afterglow keeps changed",
  });
  return recorded === "duplicate" ? { kind: "duplicate" } : { kind: "ignored", reason: count ? "recorded" : "unchanged" };
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
    ["Order", [{ id: orderRef, ...orderRowFromFacts(shop, facts), createdAt: now, updatedAt: now }]],
    ["CustomerTimeZone", facts.customerTimeZone ? [{ orderRef, shop, ...facts.customerTimeZone, createdAt: now }] : []],
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
    category: plan.category,
    recipient: plan.recipient,
    status: plan.skipCode ? SKIP_REASON_STATUS[plan.skipCode] : "scheduled",
    skipReason: plan.skipReason,
    skipCode: plan.skipCode,
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
  return inTransaction(prisma, async (tx) => {
    await tx.webhookDelivery.create({ data: { ...deliveryRow, outcome: "received" } });
    // A second delivery of the same order (another webhook id) keeps the first facts.
    const order = await tx.order.upsert({
      where: { shop_orderId: { shop: delivery.shop, orderId: facts.orderId } },
      create: orderRowFromFacts(delivery.shop, facts),
      update: {},
    });
    await keepCustomerTimeZone({ tx, order, facts });
    const rows = await insertMissingFollowUps({ tx, shop: delivery.shop, order, planned, now });
    const outcome = scheduledOutcome(order.id, rows);
    await tx.webhookDelivery.update({
      where: { webhookId: delivery.webhookId },
      data: { outcome: `scheduled ${outcome.followUps.length}` },
    });
    return outcome;
  });
}

// orders/cancelled: pending follow-ups of the order are cancelled with the reason kept.
export async function receiveOrderCancelled({
  prisma,
  delivery,
  payload,
  now = new Date(),
}: TopicDelivery): Promise<IntakeOutcome> {
  const orderId = orderIdFromWebhook(payload);
  if (await alreadyReceived(prisma, delivery.webhookId)) return { kind: "duplicate" };
  const p = payload as { cancelled_at?: unknown; cancel_reason?: unknown };
  const cancelledAt = parseTriggeredAt(p.cancelled_at) ?? now;
  const shop = await connectedShop(prisma, delivery.shop);
  if (!shop.ok) return ignoreDelivery({ prisma, delivery, reason: shop.reason });
  let facts: OrderFacts | null = null;
  try {
    facts = orderFactsFromWebhook(payload);
  } catch {
    facts = null; // enough to cancel by id; the order row is kept only when the payload is complete
  }
  const { skipReason: reason, skipCode } = skipFields({ code: "order_cancelled", cancelReason: payloadWord(p.cancel_reason) });
  return inTransaction(prisma, async (tx) => {
    const updated = facts
      ? await tx.order
          .upsert({
            where: { shop_orderId: { shop: delivery.shop, orderId } },
            create: { ...orderRowFromFacts(delivery.shop, facts), cancelledAt },
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
        data: { status: "cancelled", skipReason: reason, skipCode },
      });
      await tx.followUpEvent.createMany({
        data: ids.map((followUpId) => ({ followUpId, type: "cancelled", detail: reason, at: now })),
      });
    }
    await tx.webhookDelivery.create({
      data: { ...deliveryFields(delivery, orderId), outcome: updated.count ? `cancelled ${ids.length}` : "ignored: order not known" },
    });
    return { kind: "cancelled" as const, followUps: ids.length };
  });
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
    await prisma.webhookDelivery.create({ data: { ...deliveryFields(delivery, orderId ?? null), outcome } });
    return "recorded";
  } catch (e) {
    if (isUniqueViolation(e)) return "duplicate";
    throw e;
  }
}

// A delivery that starts nothing is still recorded, so a redelivery of it is known as one.
async function ignoreDelivery({
  prisma,
  delivery,
  reason,
  orderId,
}: {
  prisma: PrismaClient;
  delivery: WebhookDeliveryInfo;
  reason: string;
  orderId?: string;
}): Promise<IntakeOutcome> {
  const recorded = await recordDelivery({ prisma, delivery, outcome: `ignored: ${reason}`, orderId });
  return recorded === "duplicate" ? { kind: "duplicate" } : { kind: "ignored", reason };
}

// Two deliveries racing past the first check: the unique keys decide, the loser is a duplicate.
async function inTransaction(
  prisma: PrismaClient,
  write: (tx: Prisma.TransactionClient) => Promise<IntakeOutcome>,
): Promise<IntakeOutcome> {
  try {
    return await prisma.$transaction(write);
  } catch (e) {
    if (isUniqueViolation(e)) return { kind: "duplicate" };
    throw e;
  }
}

// The follow-ups one trigger of an order gets, with the shop's time zone and send window.
export function planFollowUps({
  context,
  order,
  customerTimeZone = order.customerTimeZone?.timeZone ?? null,
  trigger,
  triggeredAt,
  now,
}: {
  context: Extract<IntakeContext, { ok: true }>;
  order: OrderFacts;
  // The zone kept for a stored order; else the one its facts carry.
  customerTimeZone?: string | null;
  trigger: FlowTrigger;
  triggeredAt: Date;
  now: Date;
}): PlannedFollowUp[] {
  return scheduleFollowUps({
    order,
    flows: context.flows,
    trigger,
    triggeredAt,
    now,
    timeZone: context.timeZone,
    customerTimeZone,
    defaultSendWindow: context.defaultSendWindow,
  });
}

// The customer's zone kept for a stored order. An order stored without one (its address did not
// tell, or it came before zones were kept) takes the one this payload's address gives.
async function keepCustomerTimeZone({
  tx,
  order,
  facts,
}: {
  tx: Pick<PrismaClient, "customerTimeZone">;
  order: Pick<Order, "id" | "shop">;
  facts: OrderFacts | null;
}): Promise<string | null> {
  const kept = await tx.customerTimeZone.findUnique({ where: { orderRef: order.id }, select: { timeZone: true } });
  if (kept) return kept.timeZone;
  const fresh = facts?.customerTimeZone;
  if (!fresh) return null;
  // An upsert, not a create: two deliveries of one order may both get here.
  await tx.customerTimeZone.upsert({ where: { orderRef: order.id }, create: { orderRef: order.id, shop: order.shop, ...fresh }, update: {} });
  return fresh.timeZone;
}

// What the caller hears of the stored rows: the follow-ups that will go out, for the queue.
function scheduledOutcome(orderRef: string, rows: ReturnType<typeof followUpRow>[]) {
  const followUps = rows.filter((r) => r.status === "scheduled").map((r) => ({ id: r.id, dueAt: r.dueAt }));
  return { kind: "scheduled" as const, orderRef, followUps };
}
