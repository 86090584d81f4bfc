// "Send in the customer's time": a shop in Warsaw, an order shipped to Los Angeles. Signed
// orders/create webhooks through the app's route and intake, the dispatcher and the SendGrid
// stand-in: the customer's-time flow's "1 day later at 10:00" goes out at 10:00 in Los Angeles
// (across its spring-forward night), not at 10:00 in Warsaw; the shop-time flow is unchanged;
// an address whose zone is unknown falls back to the shop's.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { ActionFunctionArgs } from "@remix-run/node";

const ctx = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({ name: "customer-time-zone", apiKey: "ctz-test-key", secret: "ctz-test-secret", env: { LOG_LEVEL: "error" } }),
);

import prisma from "~/db.server";
import { action as ordersCreateAction } from "~/routes/webhooks.orders.create";
import { connectShop } from "~/services/shop/shops.server";
import { exportFlows, importFlows } from "~/services/flows/flows.server";
import { createDispatcher } from "~/services/dispatch/dispatcher.server";
import { createSendGridTransport } from "~/adapters/mail/sendgrid.server";
import { renderFollowUp } from "~/email/render.server";
import { prepareFollowUp } from "~/email/prepare.server";
import { messageDetail } from "~/services/messages/messages.server";
import { createLogger } from "~/platform/logger.server";
import { createSeedStore } from "../../simulator/store";
import { orderCreatedPayload, type OrderPayload } from "../../simulator/orders";
import { signedWebhook } from "../helpers/webhooks";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";

const SHOP = "warsaw-tea.myshopify.com";
const store = createSeedStore({ shop: SHOP, name: "Warsaw Tea" });
const product = store.products.find((p) => p.status === "ACTIVE")!;
let sendgrid: SendGridStandIn;

// Every day 09:00–11:00: open at 10:00 in Los Angeles, shut at 10:00 Los Angeles time in Warsaw (18:00/19:00).
const morning = { days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], start: "09:00", end: "11:00" };
const step = (subject: string) => ({
  key: "next-morning",
  delay: { amount: 1, unit: "days_at", at: "10:00" },
  sendWindow: morning,
  template: "thank-you",
  category: "service",
  subject,
});
const flows = {
  version: 1,
  flows: [
    { key: "customer-time", name: "In the customer's time", trigger: "order_created", active: true, sendTimeZone: "customer", steps: [step("Good morning")] },
    { key: "shop-time", name: "In the shop's time", trigger: "order_created", active: true, steps: [step("Hello from Warsaw")] },
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
// A guest order placed at `createdAt`, shipped (and billed) to `address`, as a signed orders/create.
async function order(createdAt: Date, address: Record<string, string | null>): Promise<OrderPayload> {
  const payload = orderCreatedPayload({ store, email: `guest${++seq}@example.com`, countryCode: "US", lines: [{ productId: product.id, quantity: 1 }], createdAt, record: false });
  for (const key of ["shipping_address", "billing_address"] as const) Object.assign(payload[key]!, address);
  const request = signedWebhook({ topic: "orders/create", shop: SHOP, payload, secret: ctx.secret });
  const res = await ordersCreateAction({ request, params: {}, context: {} } as ActionFunctionArgs);
  expect(res.status).toBe(200);
  return payload;
}

const LOS_ANGELES = { city: "Los Angeles", province: "California", province_code: "CA", zip: "90012", country: "United States", country_code: "US" };
// Russia has eleven zones: without a province, the address does not say which.
const SOMEWHERE_IN_RUSSIA = { city: "Somewhere", province: null, province_code: null, zip: "000000", country: "Russia", country_code: "RU" };

const followUps = (o: OrderPayload) =>
  prisma.followUp.findMany({ where: { orderId: o.admin_graphql_api_id as string }, include: { events: true }, orderBy: { dueAt: "asc" } });
const flowKeyOf = async (flowId: string) => (await prisma.flow.findUniqueOrThrow({ where: { id: flowId } })).key;

beforeAll(async () => {
  sendgrid = await startSendGridStandIn();
});
afterAll(async () => {
  await sendgrid.close();
  await ctx.cleanup();
});
beforeEach(async () => {
  sendgrid.clear();
  for (const t of ["followUpEvent", "followUp", "customerTimeZone", "order", "webhookDelivery", "flowStep", "flow", "shop"] as const) {
    await (prisma[t] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  await connectShop({ prisma, shop: SHOP, profile: { name: store.shop.name, email: store.shop.email, ianaTimezone: "Europe/Warsaw", storefrontUrl: store.shop.primaryDomain.url } });
  await importFlows(prisma, SHOP, flows);
});

describe("send in the customer's time", () => {
  it("sends the customer's-time flow at 10:00 in Los Angeles, across its spring-forward, and the shop-time flow at 10:00 in Warsaw", async () => {
    // Saturday 13 March 2027, 10:00 PST in Los Angeles (19:00 in Warsaw); Los Angeles moves to
    // PDT that night, Warsaw not until the 28th.
    const o = await order(new Date("2027-03-13T18:00:00Z"), LOS_ANGELES);
    const kept = await prisma.customerTimeZone.findMany();
    expect(kept.map((k) => [k.timeZone, k.source])).toEqual([["America/Los_Angeles", "shipping_address"]]);

    const rows = await followUps(o);
    const due = Object.fromEntries(await Promise.all(rows.map(async (r) => [await flowKeyOf(r.flowId), r.dueAt.toISOString()])));
    expect(due).toEqual({
      // Sunday 14 March 10:00 CET.
      "shop-time": "2027-03-14T09:00:00.000Z",
      // Sunday 14 March 10:00 PDT: 23 hours after the order, not 24.
      "customer-time": "2027-03-14T17:00:00.000Z",
    });

    // 10:00 in Warsaw: only the shop-time flow's email goes.
    expect(await dispatcher(new Date("2027-03-14T09:00:00Z")).drain()).toMatchObject({ sent: 1 });
    expect(sendgrid.messages.map((m) => m.subject)).toEqual(["Hello from Warsaw"]);
    // 09:59 in Los Angeles: still nothing more.
    expect(await dispatcher(new Date("2027-03-14T16:59:00Z")).drain()).toMatchObject({ sent: 0 });
    expect(sendgrid.messages).toHaveLength(1);
    // 10:00 in Los Angeles (18:00 in Warsaw, outside the window there): the send-window check
    // reads the customer's clock too, so it goes now.
    expect(await dispatcher(new Date("2027-03-14T17:00:00Z")).drain()).toMatchObject({ sent: 1 });
    expect(sendgrid.messages.map((m) => m.subject)).toEqual(["Hello from Warsaw", "Good morning"]);
    const sent = await followUps(o);
    expect(sent.map((r) => r.status)).toEqual(["sent", "sent"]);
    expect(sent.flatMap((r) => r.events.map((e) => e.type))).not.toContain("moved");

    // The message page says whose 10:00 it was.
    const customerRow = sent.find((r) => r.dueAt.toISOString() === "2027-03-14T17:00:00.000Z")!;
    const detail = await messageDetail(prisma, { shop: SHOP, id: customerRow.id });
    expect(detail?.sendTime).toEqual({ of: "customer", timeZone: "America/Los_Angeles", source: "shipping_address" });
    const shopRow = sent.find((r) => r.id !== customerRow.id)!;
    expect((await messageDetail(prisma, { shop: SHOP, id: shopRow.id }))?.sendTime).toBeNull();
  });

  it("holds a customer's-time follow-up that comes round outside the customer's window until it opens there", async () => {
    const o = await order(new Date("2027-03-13T18:00:00Z"), LOS_ANGELES);
    const rows = await followUps(o);
    const customerRow = rows.find((r) => r.dueAt.toISOString() === "2027-03-14T17:00:00.000Z")!;
    // A retry lands at 12:30 in Los Angeles (20:30 in Warsaw), after the window closed.
    const late = new Date("2027-03-14T19:30:00Z");
    await prisma.followUp.update({ where: { id: customerRow.id }, data: { nextAttemptAt: late } });
    await prisma.followUp.updateMany({ where: { id: { not: customerRow.id } }, data: { status: "cancelled" } });
    expect(await dispatcher(late).drain()).toMatchObject({ sent: 0 });
    const held = await prisma.followUp.findUniqueOrThrow({ where: { id: customerRow.id }, include: { events: true } });
    // Monday 15 March 09:00 PDT.
    expect(held.nextAttemptAt.toISOString()).toBe("2027-03-15T16:00:00.000Z");
    expect(held.events.find((e) => e.type === "moved")?.detail).toMatch(/America\/Los_Angeles/);
    expect(await dispatcher(new Date("2027-03-15T16:00:00Z")).drain()).toMatchObject({ sent: 1 });
  });

  it("falls back to the shop's zone when the address does not tell the customer's", async () => {
    const o = await order(new Date("2027-03-13T18:00:00Z"), SOMEWHERE_IN_RUSSIA);
    expect(await prisma.customerTimeZone.count()).toBe(0);
    const rows = await followUps(o);
    expect(rows.map((r) => r.dueAt.toISOString())).toEqual(["2027-03-14T09:00:00.000Z", "2027-03-14T09:00:00.000Z"]);
    expect(await dispatcher(new Date("2027-03-14T09:00:00Z")).drain()).toMatchObject({ sent: 2 });
    expect(sendgrid.messages.map((m) => m.subject).sort()).toEqual(["Good morning", "Hello from Warsaw"]);
    const flow = await prisma.flow.findFirstOrThrow({ where: { key: "customer-time" } });
    const row = rows.find((r) => r.flowId === flow.id)!;
    expect((await messageDetail(prisma, { shop: SHOP, id: row.id }))?.sendTime).toEqual({ of: "shop", timeZone: "Europe/Warsaw", source: null });
  });

  it("exports the flow's setting and imports it back", async () => {
    const doc = await exportFlows(prisma, SHOP);
    expect(doc.flows.map((f) => [f.key, f.sendTimeZone])).toEqual([
      // The flow every new shop starts with.
      ["thank-you", undefined],
      ["customer-time", "customer"],
      ["shop-time", undefined],
    ]);
    await importFlows(prisma, SHOP, { version: 1, flows: [{ ...doc.flows[1], sendTimeZone: "shop" }] });
    expect((await prisma.flow.findFirstOrThrow({ where: { key: "customer-time" } })).sendTimeZone).toBe("shop");
    await expect(importFlows(prisma, SHOP, { version: 1, flows: [{ ...doc.flows[1], sendTimeZone: "customers" }] })).rejects.toThrow(
      /\/flows\/0\/sendTimeZone: must be equal to one of the allowed values \(shop, customer\)/,
    );
  });
});
