import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { followUpTimeline } from "~/services/messages/timeline.server";
import { receiveOrderCancelled, receiveOrderCreated } from "~/services/intake/intake.server";
import { connectShop, disconnectShop } from "~/services/shop/shops.server";
import { exportFlows, importFlows } from "~/services/flows/flows.server";
import { InvalidOrderPayloadError } from "~/domain/order-facts";
import { turnOnFlow } from "../helpers/flows";

const SHOP = "intake-test.myshopify.com";
const db = createTestDatabase("intake");
const prisma = db.prisma;
afterAll(() => db.cleanup());

let seq = 0;
const order = (id: number, extra: Record<string, unknown> = {}) => ({
  id,
  name: `#${1000 + id}`,
  email: "ada@example.com",
  created_at: "2026-11-28T10:00:00Z",
  currency: "USD",
  total_price: "42.00",
  customer: { id: 7, first_name: "Ada" },
  line_items: [{ id: 1, product_id: 100, quantity: 1, price: "42.00" }],
  cancelled_at: null,
  ...extra,
});
const delivery = (topic = "orders/create", webhookId = `wh-${++seq}`) => ({ shop: SHOP, topic, webhookId });
const now = new Date("2026-11-28T10:00:05Z");

beforeEach(async () => {
  for (const t of ["followUpEvent", "followUp", "order", "webhookDelivery", "flowStep", "flow", "shop"] as const) {
    await (prisma[t] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  await connectShop({ prisma, shop: SHOP, profile: { name: "Intake", ianaTimezone: "Europe/Warsaw" } });
  await turnOnFlow({ prisma, shop: SHOP });
});

describe("connectShop", () => {
  it("gives a new shop the default flow once, turned off until the merchant turns it on", async () => {
    const fresh = "fresh.myshopify.com";
    expect((await connectShop({ prisma, shop: fresh })).defaultFlowCreated).toBe(true);
    const doc = await exportFlows(prisma, fresh);
    expect(doc.flows.map((f) => [f.name, f.trigger, f.active, f.steps[0].delay])).toEqual([
      ["Thank you + recommendations", "order_created", false, { amount: 1, unit: "hours" }],
    ]);
    expect((await connectShop({ prisma, shop: fresh })).defaultFlowCreated).toBe(false);
    expect(await prisma.flow.count({ where: { shop: fresh } })).toBe(1);
    // A shop that already has flows keeps them as they are, on or off.
    await connectShop({ prisma, shop: SHOP });
    expect(await prisma.flow.findMany({ where: { shop: SHOP }, select: { active: true } })).toEqual([{ active: true }]);
  });
});

describe("receiveOrderCreated", () => {
  it("stores the delivery, the order facts and one follow-up per step, due after the delay", async () => {
    const d = delivery();
    const outcome = await receiveOrderCreated({ prisma, delivery: d, payload: order(1), now });
    expect(outcome.kind).toBe("scheduled");
    const followUps = await prisma.followUp.findMany();
    expect(followUps).toHaveLength(1);
    expect(followUps[0]).toMatchObject({
      status: "scheduled",
      recipient: "ada@example.com",
      orderId: "gid://shopify/Order/1",
      dueAt: new Date("2026-11-28T11:00:00Z"),
    });
    const stored = await prisma.order.findFirstOrThrow();
    expect(stored.productIds).toBe('["gid://shopify/Product/100"]');
    expect((await prisma.webhookDelivery.findFirstOrThrow()).webhookId).toBe(d.webhookId);
  });

  it("changes nothing on a redelivery of the same webhook id", async () => {
    const d = delivery();
    await receiveOrderCreated({ prisma, delivery: d, payload: order(1), now });
    const again = await receiveOrderCreated({ prisma, delivery: d, payload: order(1), now });
    expect(again).toEqual({ kind: "duplicate" });
    expect(await prisma.webhookDelivery.count()).toBe(1);
    expect(await prisma.followUp.count()).toBe(1);
  });

  it("gives one follow-up for two different deliveries of one order, even at once", async () => {
    const results = await Promise.all([
      receiveOrderCreated({ prisma, delivery: delivery(), payload: order(2), now }),
      receiveOrderCreated({ prisma, delivery: delivery(), payload: order(2), now }),
    ]);
    expect(results.map((r) => r.kind).sort()).toEqual(["scheduled", "scheduled"]);
    expect(await prisma.followUp.count()).toBe(1);
    expect(await prisma.order.count()).toBe(1);
    expect(await prisma.webhookDelivery.count()).toBe(2);
  });

  it("commits concurrent deliveries together, and a redelivery among them fails alone", async () => {
    const first = delivery();
    await receiveOrderCreated({ prisma, delivery: first, payload: order(20), now });
    const results = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => receiveOrderCreated({ prisma, delivery: delivery(), payload: order(21 + i), now })),
      receiveOrderCreated({ prisma, delivery: first, payload: order(20), now }),
    ]);
    expect(results.map((r) => r.kind)).toEqual([...Array(10).fill("scheduled"), "duplicate"]);
    expect(await prisma.followUp.count()).toBe(11);
    expect(await prisma.webhookDelivery.count()).toBe(11);
  });

  it("stores nothing for a malformed order", async () => {
    await expect(
      receiveOrderCreated({ prisma, delivery: delivery(), payload: { id: "x" }, now }),
    ).rejects.toBeInstanceOf(InvalidOrderPayloadError);
    expect(await prisma.webhookDelivery.count()).toBe(0);
    expect(await prisma.order.count()).toBe(0);
  });

  it("records a skipped follow-up with its reason when there is no email", async () => {
    await receiveOrderCreated({ prisma, delivery: delivery(), payload: order(3, { email: null, customer: null }), now });
    const f = await prisma.followUp.findFirstOrThrow({ include: { events: true } });
    expect(f.status).toBe("skipped");
    expect(f.skipReason).toMatch(/no email/);
    expect((await followUpTimeline(prisma, f.id)).map((e) => [e.type, e.detail])).toEqual([["skipped", f.skipReason]]);
  });

  it("records but ignores orders of shops that are not connected", async () => {
    const outcome = await receiveOrderCreated({
      prisma,
      delivery: { ...delivery(), shop: "stranger.myshopify.com" },
      payload: order(4),
      now,
    });
    expect(outcome.kind).toBe("ignored");
    expect(await prisma.followUp.count()).toBe(0);
    expect((await prisma.webhookDelivery.findFirstOrThrow()).outcome).toMatch(/^ignored/);
  });

  it("moves a follow-up due outside its step's send window to the next opening, and says so", async () => {
    await importFlows(prisma, SHOP, {
      version: 1,
      flows: [
        {
          key: "weekdays",
          name: "Weekdays only",
          trigger: "order_created",
          steps: [
            {
              key: "a",
              delay: { amount: 1, unit: "hours" },
              sendWindow: { days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "17:00" },
              template: "thank-you",
              subject: "A",
            },
          ],
        },
      ],
    });
    // Saturday 28 Nov 2026 11:00 in Warsaw: due at 12:00, moved to Monday 09:00 (08:00 UTC).
    await receiveOrderCreated({ prisma, delivery: delivery(), payload: order(40), now });
    const moved = await prisma.followUp.findFirstOrThrow({ where: { stepKey: "a" } });
    expect(moved.dueAt).toEqual(new Date("2026-11-30T08:00:00Z"));
    const timeline = await followUpTimeline(prisma, moved.id);
    expect(timeline.map((e) => e.type)).toEqual(["scheduled", "moved"]);
    expect(timeline[1].detail).toMatch(/Mon.*9:00/);
    const flows = await exportFlows(prisma, SHOP);
    expect(flows.flows.find((f) => f.key === "weekdays")!.steps[0].sendWindow).toEqual({
      days: ["mon", "tue", "wed", "thu", "fri"],
      start: "09:00",
      end: "17:00",
    });
  });

  it("schedules every step of an imported multi-step flow", async () => {
    await importFlows(prisma, SHOP, {
      version: 1,
      flows: [
        {
          key: "two-steps",
          name: "Two steps",
          trigger: "order_created",
          steps: [
            { key: "a", delay: { amount: 10, unit: "minutes" }, template: "thank-you", subject: "A" },
            { key: "b", delay: { amount: 2, unit: "days" }, template: "thank-you", subject: "B" },
          ],
        },
      ],
    });
    await receiveOrderCreated({ prisma, delivery: delivery(), payload: order(5), now });
    expect(await prisma.followUp.count()).toBe(3);
  });
});

describe("receiveOrderCancelled", () => {
  it("cancels the order's pending follow-ups with the reason", async () => {
    await receiveOrderCreated({ prisma, delivery: delivery(), payload: order(6), now });
    const outcome = await receiveOrderCancelled({
      prisma,
      delivery: delivery("orders/cancelled"),
      payload: order(6, { cancelled_at: "2026-11-28T10:30:00Z", cancel_reason: "customer" }),
      now,
    });
    expect(outcome).toEqual({ kind: "cancelled", followUps: 1 });
    const f = await prisma.followUp.findFirstOrThrow({ include: { events: true } });
    expect(f.status).toBe("cancelled");
    expect(f.skipReason).toBe("The order was cancelled (customer).");
    expect((await followUpTimeline(prisma, f.id)).map((e) => e.type)).toEqual(["scheduled", "cancelled"]);
  });

  it("handles a cancellation that arrives before the order", async () => {
    await receiveOrderCancelled({
      prisma,
      delivery: delivery("orders/cancelled"),
      payload: order(7, { cancelled_at: "2026-11-28T10:30:00Z" }),
      now,
    });
    await receiveOrderCreated({ prisma, delivery: delivery(), payload: order(7), now });
    const f = await prisma.followUp.findFirstOrThrow();
    expect([f.status, f.skipCode]).toEqual(["cancelled", "order_cancelled"]);
    expect(f.skipReason).toMatch(/cancelled/);
    expect((await followUpTimeline(prisma, f.id)).map((e) => [e.type, e.detail])).toEqual([["cancelled", f.skipReason]]);
  });
});

describe("disconnectShop", () => {
  it("cancels scheduled follow-ups and removes the sessions", async () => {
    await prisma.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", accessToken: "t" } });
    await receiveOrderCreated({ prisma, delivery: delivery(), payload: order(8), now });
    expect(await disconnectShop({ prisma, shop: SHOP })).toEqual({ cancelled: 1 });
    expect(await prisma.session.count()).toBe(0);
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).sendingEnabled).toBe(false);
    const late = await receiveOrderCreated({ prisma, delivery: delivery(), payload: order(9), now });
    expect(late.kind).toBe("ignored");
  });
});
