// "Delivered, or N days after fulfillment": a flow started by delivery falls back to the
// fulfillment date when the carrier never reports delivery. Signed-webhook shapes through the
// intake, the fallback pass, the dispatcher and the SendGrid stand-in; whichever comes first
// starts the flow, once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { createSeedStore, SIMULATOR_SHOP } from "../../simulator/store";
import { fulfillmentEventPayload, orderCreatedPayload, orderFulfilledPayload, type OrderPayload } from "../../simulator/orders";
import { createSendGridTransport } from "~/adapters/mail/sendgrid.server";
import { createDispatcher } from "~/services/dispatch/dispatcher.server";
import { renderFollowUp } from "~/email/render.server";
import { prepareFollowUp } from "~/email/prepare.server";
import { receiveFulfillmentEvent, receiveOrderCreated, receiveOrderTrigger } from "~/services/intake/intake.server";
import { startDeliveryFallbacks } from "~/services/intake/delivery-fallback.server";
import { connectShop } from "~/services/shop/shops.server";
import { importFlows, exportFlows } from "~/services/flows/flows.server";
import { setFlowActive } from "~/services/flows/flow-editor.server";
import { InvalidFlowsError } from "~/domain/flows";
import { createLogger } from "~/platform/logger.server";

const db = createTestDatabase("delivery-fallback");
const prisma = db.prisma;
const store = createSeedStore();
const DAY = 86_400_000;
const HOUR = 3_600_000;
let sendgrid: SendGridStandIn;

const flowsDocument = {
  version: 1,
  flows: [
    {
      key: "care",
      name: "Care guide after delivery",
      trigger: "order_delivered",
      active: true,
      deliveryFallbackDays: 7,
      steps: [{ key: "care", delay: { amount: 1, unit: "hours" }, template: "thank-you", category: "service", subject: "How to care for it" }],
    },
  ],
};

function dispatcher(now: Date) {
  return createDispatcher({
    prisma,
    transport: createSendGridTransport({ apiKey: "SG.test", baseUrl: sendgrid.url, timeoutMs: 2000 }),
    recommend: async () => [],
    render: async (req) => renderFollowUp(await prepareFollowUp(req, { now: () => now })),
    now: () => now,
    logger: createLogger({}, { write: () => {} }),
  });
}

let seq = 0;
// orders/create, then orders/fulfilled at `fulfilledAt`, as Shopify would deliver them.
async function fulfilledOrder(fulfilledAt: Date): Promise<OrderPayload> {
  const customer = store.customers.find((c) => c.defaultEmailAddress?.emailAddress)!;
  const product = store.products.find((p) => p.status === "ACTIVE")!;
  const created = orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: product.id, quantity: 1 }], createdAt: new Date(fulfilledAt.getTime() - DAY) });
  await receiveOrderCreated({ prisma, delivery: { shop: SIMULATOR_SHOP, topic: "orders/create", webhookId: `fb-c-${++seq}` }, payload: created, now: fulfilledAt });
  const fulfilled = orderFulfilledPayload(created, { at: fulfilledAt, store });
  const outcome = await receiveOrderTrigger({
    prisma,
    delivery: { shop: SIMULATOR_SHOP, topic: "orders/fulfilled", webhookId: `fb-f-${++seq}` },
    payload: fulfilled,
    trigger: "order_fulfilled",
    now: fulfilledAt,
  });
  expect(outcome.kind).not.toBe("duplicate");
  return fulfilled;
}

async function delivered(fulfilled: OrderPayload, at: Date) {
  return receiveFulfillmentEvent({
    prisma,
    delivery: { shop: SIMULATOR_SHOP, topic: "fulfillment_events/create", webhookId: `fb-d-${++seq}` },
    payload: fulfillmentEventPayload(fulfilled, { at, store }),
    now: at,
  });
}

const followUpsOf = (order: OrderPayload) =>
  prisma.followUp.findMany({ where: { orderId: order.admin_graphql_api_id as string }, include: { events: true } });

beforeAll(async () => {
  sendgrid = await startSendGridStandIn();
});
afterAll(async () => {
  await sendgrid.close();
  await db.cleanup();
});
beforeEach(async () => {
  sendgrid.clear();
  for (const t of ["followUpEvent", "followUp", "order", "webhookDelivery", "jobState", "flowStep", "flow", "shop"] as const) {
    await (prisma[t] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  await connectShop({ prisma, shop: SIMULATOR_SHOP, profile: { name: "Juniper & Pine", email: "hello@juniper.example" } });
  await importFlows(prisma, SIMULATOR_SHOP, flowsDocument);
});

describe("delivered, or N days after fulfillment", () => {
  it("starts the flow N days after fulfillment when no delivery came, sends once, and a late delivery starts nothing more", async () => {
    const t0 = new Date("2026-12-01T10:00:00Z");
    // The merchant's flow exists before the order: the first pass sets where counting starts.
    await startDeliveryFallbacks({ prisma, now: t0 });
    const order = await fulfilledOrder(new Date(t0.getTime() + HOUR));

    // A day short of the fallback: nothing.
    expect(await startDeliveryFallbacks({ prisma, now: new Date(t0.getTime() + 6 * DAY) })).toEqual({ orders: 0, started: 0 });
    expect(await followUpsOf(order)).toHaveLength(0);

    const fallbackAt = new Date(t0.getTime() + HOUR + 7 * DAY);
    const pass = new Date(fallbackAt.getTime() + 5 * 60_000);
    expect(await startDeliveryFallbacks({ prisma, now: pass })).toEqual({ orders: 1, started: 1 });
    // Again, and from a second process at once: nothing new.
    const again = await Promise.all([startDeliveryFallbacks({ prisma, now: pass }), startDeliveryFallbacks({ prisma, now: pass })]);
    expect(again.map((r) => r.started)).toEqual([0, 0]);
    let rows = await followUpsOf(order);
    expect(rows).toHaveLength(1);
    // Its delays count from the fallback moment, as they would from a delivery then.
    expect(rows[0].dueAt.toISOString()).toBe(new Date(fallbackAt.getTime() + HOUR).toISOString());
    expect(rows[0].events.map((e) => e.type)).toContain("started_without_delivery");

    // The carrier reports delivery after all: the flow has started, nothing is added.
    const late = await delivered(order, new Date(fallbackAt.getTime() + DAY));
    expect(late).toMatchObject({ kind: "scheduled", followUps: [] });
    rows = await followUpsOf(order);
    expect(rows).toHaveLength(1);

    expect(await dispatcher(new Date(fallbackAt.getTime() + 2 * DAY)).drain()).toMatchObject({ sent: 1 });
    expect(sendgrid.messages.map((m) => m.customArgs.followUpId)).toEqual([rows[0].id]);
  });

  it("a delivery reported before the N days starts the flow from the delivery, and the fallback adds nothing", async () => {
    const t0 = new Date("2026-12-01T10:00:00Z");
    await startDeliveryFallbacks({ prisma, now: t0 });
    const order = await fulfilledOrder(new Date(t0.getTime() + HOUR));
    const deliveredAt = new Date(t0.getTime() + 3 * DAY);
    const outcome = await delivered(order, deliveredAt);
    expect(outcome).toMatchObject({ kind: "scheduled" });
    expect(await startDeliveryFallbacks({ prisma, now: new Date(t0.getTime() + 10 * DAY) })).toEqual({ orders: 0, started: 0 });
    const rows = await followUpsOf(order);
    expect(rows).toHaveLength(1);
    expect(rows[0].dueAt.toISOString()).toBe(new Date(deliveredAt.getTime() + HOUR).toISOString());
    expect(rows[0].events.map((e) => e.type)).not.toContain("started_without_delivery");
    expect(await dispatcher(new Date(t0.getTime() + 11 * DAY)).drain()).toMatchObject({ sent: 1 });
    expect(sendgrid.messages).toHaveLength(1);
  });

  it("a cancelled order, and a flow without the fallback, are not started", async () => {
    const t0 = new Date("2026-12-01T10:00:00Z");
    await startDeliveryFallbacks({ prisma, now: t0 });
    const cancelled = await fulfilledOrder(new Date(t0.getTime() + HOUR));
    await prisma.order.updateMany({ where: { orderId: cancelled.admin_graphql_api_id as string }, data: { cancelledAt: new Date(t0.getTime() + 2 * HOUR) } });
    expect(await startDeliveryFallbacks({ prisma, now: new Date(t0.getTime() + 8 * DAY) })).toEqual({ orders: 0, started: 0 });

    const { deliveryFallbackDays: _, ...withoutFallback } = flowsDocument.flows[0];
    await importFlows(prisma, SIMULATOR_SHOP, { version: 1, flows: [withoutFallback] });
    const order = await fulfilledOrder(new Date(t0.getTime() + 9 * DAY));
    expect(await startDeliveryFallbacks({ prisma, now: new Date(t0.getTime() + 20 * DAY) })).toEqual({ orders: 0, started: 0 });
    expect(await followUpsOf(order)).toHaveLength(0);
  });

  it("a fallback moment that passes while the flow is off starts nothing when it is switched on again", async () => {
    const t0 = new Date("2026-12-01T10:00:00Z");
    await startDeliveryFallbacks({ prisma, now: t0 });
    const flow = await prisma.flow.findFirstOrThrow({ where: { shop: SIMULATOR_SHOP, key: "care" } });
    const whileOff = await fulfilledOrder(new Date(t0.getTime() + HOUR));
    await setFlowActive({ prisma, shop: SIMULATOR_SHOP, id: flow.id, active: false, actor: "test" });
    await startDeliveryFallbacks({ prisma, now: new Date(t0.getTime() + 8 * DAY) });
    await setFlowActive({ prisma, shop: SIMULATOR_SHOP, id: flow.id, active: true, actor: "test" });
    const afterOn = await fulfilledOrder(new Date(t0.getTime() + 9 * DAY));
    await startDeliveryFallbacks({ prisma, now: new Date(t0.getTime() + 9 * DAY + HOUR) });
    expect(await startDeliveryFallbacks({ prisma, now: new Date(t0.getTime() + 17 * DAY) })).toEqual({ orders: 1, started: 1 });
    expect(await followUpsOf(whileOff)).toHaveLength(0);
    expect(await followUpsOf(afterOn)).toHaveLength(1);
  });

  it("is part of the flow file, and only for flows started by delivery", async () => {
    const exported = await exportFlows(prisma, SIMULATOR_SHOP);
    expect(exported.flows.find((f) => f.key === "care")).toMatchObject({ trigger: "order_delivered", deliveryFallbackDays: 7 });
    const wrong = { version: 1, flows: [{ ...flowsDocument.flows[0], trigger: "order_fulfilled" }] };
    await expect(importFlows(prisma, SIMULATOR_SHOP, wrong)).rejects.toThrow(InvalidFlowsError);
    await expect(importFlows(prisma, SIMULATOR_SHOP, wrong)).rejects.toThrow(/deliveryFallbackDays: only a flow started by delivery/);
    const tooLong = { version: 1, flows: [{ ...flowsDocument.flows[0], deliveryFallbackDays: 90 }] };
    await expect(importFlows(prisma, SIMULATOR_SHOP, tooLong)).rejects.toThrow(/deliveryFallbackDays/);
  });
});
