// The flow engine end to end: the built server, Shopify-signed webhooks for every trigger, the
// operator CLI's dispatcher, the store simulator (Admin API on the real schema) and the SendGrid
// stand-in. Each test sets the shop's flows it needs through saveFlow, as the flow editor does.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli, TEST_API_SECRET, type RunningApp } from "../../scripts/harness";
import type { SendGridStandIn } from "../../simulator/sendgrid";
import { SIMULATOR_SHOP, type SeedCustomer, type SeedStore } from "../../simulator/store";
import {
  fulfillmentEventPayload,
  orderCreatedPayload,
  orderFulfilledPayload,
  orderPaidPayload,
  orderRefundedPayload,
  type OrderPayload,
} from "../../simulator/orders";
import { sendWebhook } from "../../simulator/webhooks";
import type { createPrismaClient } from "~/db.server";
import { saveFlow } from "~/services/flows/flows.server";
import { followUpTimeline } from "~/services/messages/timeline.server";
import type { FlowDefinition } from "~/domain/flows";
import { startAppStack, type AppStack } from "../helpers/stack";

// Each CLI dispatch is a process start; some tests run three.
vi.setConfig({ testTimeout: 120_000 });

let stack: AppStack;
let env: Record<string, string>;
let store: SeedStore;
let sendgrid: SendGridStandIn;
let app: RunningApp;
let prisma: ReturnType<typeof createPrismaClient>;

const CAP_OFF = JSON.stringify({ enabled: false, maxSends: 1, periodHours: 16 });

async function dispatch(): Promise<string> {
  const r = await runCli(["dispatch", "--once"], env);
  if (r.status !== 0) throw new Error(`afterglow dispatch failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

function post(topic: string, payload: unknown, webhookId = randomUUID()) {
  return sendWebhook(`${app.url}/webhooks/${topic}`, { topic, shop: SIMULATOR_SHOP, payload, secret: TEST_API_SECRET, webhookId });
}

async function expectOk(res: Promise<Response>) {
  const r = await res;
  expect(r.status, await r.clone().text()).toBe(200);
}

// Only the given flows are active; every other flow of the shop is turned off.
async function useFlows(flows: Omit<FlowDefinition, "active">[]) {
  await prisma.flow.updateMany({ where: { shop: SIMULATOR_SHOP }, data: { active: false } });
  for (const flow of flows) await saveFlow({ prisma, shop: SIMULATOR_SHOP, flow: { ...flow, active: true } });
}

const step = (key: string, subject: string, extra: Record<string, unknown> = {}) => ({
  key,
  delay: { amount: 0, unit: "minutes" as const },
  template: "thank-you" as const,
  subject,
  ...extra,
});

const subscribed = (): SeedCustomer[] =>
  store.customers.filter((c) => c.defaultEmailAddress?.marketingState === "SUBSCRIBED" && c.defaultEmailAddress.emailAddress);
const product = (type: string) => store.products.find((p) => p.status === "ACTIVE" && p.onlineStoreUrl && p.productType === type)!;
const orderFor = (customer: SeedCustomer, productType = "Candles", extra: Partial<Parameters<typeof orderCreatedPayload>[0]> = {}) =>
  orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: product(productType).id, quantity: 1 }], ...extra });
const followUpsOf = (order: OrderPayload) =>
  prisma.followUp.findMany({ where: { orderId: `gid://shopify/Order/${order.id}` }, orderBy: { createdAt: "asc" } });

beforeAll(async () => {
  stack = await startAppStack({
    name: "flow-engine",
    sendgridKey: "SG.flow-engine-key",
    env: {
      AFTERGLOW_WORKER: "off",
      // Flows change between tests; the app must see them at once.
      INTAKE_CACHE_MS: "0",
    },
  });
  ({ store, sendgrid, env, prisma, app } = stack);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

beforeEach(async () => {
  sendgrid.clear();
  // Most tests send several marketing emails to the few subscribed customers of the seed store.
  await prisma.shop.update({ where: { domain: SIMULATOR_SHOP }, data: { frequencyCap: CAP_OFF, defaultSendWindow: null } });
});

describe("triggers", () => {
  it("orders/paid starts only the paid flow, once however often it is delivered", async () => {
    await useFlows([
      { key: "created", name: "On order", trigger: "order_created", steps: [step("a", "Created {{ order.name }}")] },
      { key: "paid", name: "On payment", trigger: "order_paid", steps: [step("a", "Paid {{ order.name }}")] },
    ]);
    const customer = subscribed()[0];
    const order = orderFor(customer);
    await expectOk(post("orders/create", order));
    const paid = orderPaidPayload(order, { store });
    const webhookId = randomUUID();
    await expectOk(post("orders/paid", paid, webhookId));
    await expectOk(post("orders/paid", paid, webhookId)); // redelivery
    await expectOk(post("orders/paid", paid)); // a second delivery of the same event
    const followUps = await followUpsOf(order);
    expect(followUps.map((f) => f.stepKey)).toEqual(["a", "a"]);
    expect(new Set(followUps.map((f) => f.flowId)).size).toBe(2);

    expect(await dispatch()).toMatch(/2 sent/);
    expect(sendgrid.messages.map((m) => m.subject).sort()).toEqual([`Created ${order.name}`, `Paid ${order.name}`]);
    const stored = await prisma.order.findFirstOrThrow({ where: { orderId: `gid://shopify/Order/${order.id}` } });
    expect(stored.paidAt).not.toBeNull();
  });

  it("orders/paid for an order never seen stores the order from the payload and schedules", async () => {
    await useFlows([{ key: "paid", name: "On payment", trigger: "order_paid", steps: [step("a", "Paid {{ order.name }}")] }]);
    const order = orderFor(subscribed()[1]);
    await expectOk(post("orders/paid", orderPaidPayload(order)));
    expect(await dispatch()).toMatch(/1 sent/);
    expect(sendgrid.messages.map((m) => m.subject)).toEqual([`Paid ${order.name}`]);
  });

  it("orders/fulfilled and a delivered fulfillment event start their flows; a product-type condition is checked at send with the Admin API", async () => {
    await useFlows([
      { key: "fulfilled", name: "Shipped", trigger: "order_fulfilled", steps: [step("a", "On its way {{ order.name }}")] },
      {
        key: "delivered",
        name: "Candle care",
        trigger: "order_delivered",
        conditions: { all: [{ field: "product_types", op: "includes_any", values: ["candles"] }] },
        steps: [step("a", "How to care for your candle")],
      },
    ]);
    const [ada, diego] = subscribed();
    const candle = orderFor(ada, "Candles");
    const mug = orderFor(diego, "Mugs");
    for (const order of [candle, mug]) {
      await expectOk(post("orders/create", order));
      const fulfilled = orderFulfilledPayload(order, { store });
      await expectOk(post("orders/fulfilled", fulfilled));
      await expectOk(post("fulfillment_events/create", fulfillmentEventPayload(fulfilled, { status: "in_transit" })));
      const delivered = fulfillmentEventPayload(fulfilled, { status: "delivered" });
      await expectOk(post("fulfillment_events/create", delivered));
      await expectOk(post("fulfillment_events/create", delivered)); // a second delivery
    }
    // In transit starts nothing, and is recorded as such.
    const inTransit = await prisma.webhookDelivery.findMany({ where: { topic: { contains: "FULFILLMENT" }, outcome: { contains: "in_transit" } } });
    expect(inTransit).toHaveLength(2);
    expect((await followUpsOf(candle)).length).toBe(2);

    expect(await dispatch()).toMatch(/3 sent.*1 skipped/);
    expect(sendgrid.messages.map((m) => [m.to[0].email, m.subject]).sort()).toEqual(
      [
        [ada.defaultEmailAddress!.emailAddress, `On its way ${candle.name}`],
        [ada.defaultEmailAddress!.emailAddress, "How to care for your candle"],
        [diego.defaultEmailAddress!.emailAddress, `On its way ${mug.name}`],
      ].sort(),
    );
    const skipped = (await followUpsOf(mug)).find((f) => f.status === "skipped")!;
    expect(skipped.skipCode).toBe("conditions_not_met");
    expect(skipped.skipReason).toMatch(/Product types: none of "candles" found; the order has "Mugs"/);
    // Looked up once and kept on the order.
    const stored = await prisma.order.findFirstOrThrow({ where: { orderId: `gid://shopify/Order/${mug.id}` } });
    expect(stored.productFactsAt).not.toBeNull();
    expect(JSON.parse(stored.lineItems!)[0]).toMatchObject({ productType: "Mugs", vendor: "Kiln & Co." });
    expect(stored.deliveredAt).not.toBeNull();
  });

  it("a delivered event for an order Afterglow never saw is acknowledged, recorded with the reason, and schedules nothing", async () => {
    await useFlows([{ key: "delivered", name: "Delivered", trigger: "order_delivered", steps: [step("a", "Delivered")] }]);
    const unknown = orderFulfilledPayload(orderFor(subscribed()[0], "Candles", { record: false }));
    const before = await prisma.followUp.count();
    await expectOk(post("fulfillment_events/create", fulfillmentEventPayload(unknown)));
    expect(await prisma.followUp.count()).toBe(before);
    const recorded = await prisma.webhookDelivery.findFirstOrThrow({ where: { orderId: `gid://shopify/Order/${unknown.id}` } });
    expect(recorded.outcome).toMatch(/^ignored: The order is not known/);
  });

  it("answers 400 to a fulfillment event without an order id, storing nothing", async () => {
    const before = await prisma.webhookDelivery.count();
    const res = await post("fulfillment_events/create", { id: 1, status: "delivered" });
    expect(res.status).toBe(400);
    expect(await prisma.webhookDelivery.count()).toBe(before);
  });
});

describe("entry conditions, exit rules, smart sending, A/B tests and skip reasons", () => {
  it("smart sending: one marketing email per customer in 16 hours across two flows, saying when the next may go", async () => {
    await prisma.shop.update({ where: { domain: SIMULATOR_SHOP }, data: { frequencyCap: null } });
    await useFlows([
      { key: "one", name: "One", trigger: "order_created", steps: [step("a", "One")] },
      { key: "two", name: "Two", trigger: "order_created", steps: [step("a", "Two")] },
    ]);
    // Greta has had no email yet in this file: the triggers above use the other two.
    const order = orderFor(subscribed()[2]);
    await expectOk(post("orders/create", order));
    expect(await dispatch()).toMatch(/1 sent.*1 skipped/);
    expect(sendgrid.messages).toHaveLength(1);
    const followUps = await followUpsOf(order);
    const capped = followUps.find((f) => f.status === "skipped")!;
    const sent = followUps.find((f) => f.status === "sent")!;
    expect(capped.skipCode).toBe("frequency_cap");
    expect(capped.skipReason).toMatch(/^Smart sending: the customer already received 1 marketing email in the last 16 hours \(limit 1\); the next may go out from /);
    expect(capped.flowId).not.toBe(sent.flowId);
    const nextAllowed = new Date(sent.sentAt!.getTime() + 16 * 3_600_000);
    const { formatLocalTime } = await import("~/domain/skip-reasons");
    expect(capped.skipReason).toContain(formatLocalTime(nextAllowed, store.shop.ianaTimezone));
  });

  it("an order that does not meet the conditions gets its follow-ups skipped at intake, naming the condition", async () => {
    await useFlows([
      {
        key: "germany",
        name: "Germany, big orders",
        trigger: "order_created",
        conditions: { all: [{ field: "shipping_country", op: "in", values: ["DE"] }, { field: "order_total", op: "gte", amount: "1" }] },
        steps: [step("a", "Danke")],
      },
    ]);
    const polish = orderFor(subscribed()[0]);
    expect(polish.shipping_address!.country_code).toBe("PL");
    await expectOk(post("orders/create", polish));
    const [f] = await followUpsOf(polish);
    expect([f.status, f.skipCode]).toEqual(["skipped", "conditions_not_met"]);
    expect(f.skipReason).toBe('The order does not meet the flow\'s conditions: Shipping country: "PL" is not one of "DE".');
    expect((await followUpTimeline(prisma, f.id)).map((e) => [e.type, e.detail])).toEqual([["skipped", f.skipReason]]);
  });

  it("ordered again: the older order's follow-up stops, the newer one's goes out", async () => {
    await useFlows([{ key: "thanks", name: "Thanks", trigger: "order_created", steps: [step("a", "Thanks {{ order.name }}")] }]);
    const customer = subscribed()[2];
    const first = orderFor(customer, "Candles", { createdAt: new Date(Date.now() - 60_000) });
    const second = orderFor(customer, "Mugs");
    await expectOk(post("orders/create", first));
    await expectOk(post("orders/create", second));
    expect(await dispatch()).toMatch(/1 sent.*1 skipped/);
    expect(sendgrid.messages.map((m) => m.subject)).toEqual([`Thanks ${second.name}`]);
    const [f] = await followUpsOf(first);
    expect([f.status, f.skipCode]).toEqual(["skipped", "ordered_again"]);
    expect(f.skipReason).toMatch(/^The customer ordered again on .+, and this flow stops when they do\.$/);
  });

  it("a fully refunded order (orders/updated) and a cancelled one get no follow-up", async () => {
    await useFlows([{ key: "paid", name: "On payment", trigger: "order_paid", steps: [step("a", "Paid")] }]);
    const [ada, diego] = subscribed();
    const refunded = orderFor(ada);
    await expectOk(post("orders/paid", orderPaidPayload(refunded)));
    await expectOk(post("orders/updated", orderRefundedPayload(refunded, { store })));
    const cancelled = orderFor(diego);
    await expectOk(post("orders/paid", orderPaidPayload(cancelled)));
    await prisma.order.updateMany({ where: { orderId: `gid://shopify/Order/${cancelled.id}` }, data: { cancelledAt: new Date() } });
    expect(await dispatch()).toMatch(/0 sent.*2 skipped/);
    const [r] = await followUpsOf(refunded);
    expect([r.status, r.skipCode, r.skipReason]).toEqual(["cancelled", "order_refunded", "The order was fully refunded."]);
    const [c] = await followUpsOf(cancelled);
    expect([c.status, c.skipCode, c.skipReason]).toEqual(["cancelled", "order_cancelled", "The order was cancelled."]);
  });

  it("A/B test: each follow-up's variant is recorded and its subject is the one sent", async () => {
    await useFlows([
      {
        key: "ab",
        name: "A/B",
        trigger: "order_created",
        exitRules: { orderedAgain: false },
        steps: [
          step("a", "Step subject", {
            variants: {
              id: "subject-test",
              variants: [
                { key: "short", weight: 50, subject: "Short {{ order.name }}" },
                { key: "long", weight: 50, subject: "A longer subject for {{ order.name }}", previewText: "Long preview" },
              ],
            },
          }),
        ],
      },
    ]);
    const customers = subscribed();
    const orders = Array.from({ length: 6 }, (_, i) => orderFor(customers[i % customers.length]));
    for (const order of orders) await expectOk(post("orders/create", order));
    expect(await dispatch()).toMatch(/6 sent/);
    const { assignVariant } = await import("~/domain/ab-test");
    for (const order of orders) {
      const [f] = await followUpsOf(order);
      const expected = assignVariant({ test: { id: "subject-test", variants: [{ key: "short", weight: 50 }, { key: "long", weight: 50 }] }, followUpId: f.id });
      expect(f.variant).toBe(expected);
      const mail = sendgrid.messages.find((m) => m.customArgs.followUpId === f.id)!;
      expect(mail.subject).toBe(expected === "short" ? `Short ${order.name}` : `A longer subject for ${order.name}`);
      expect(mail.customArgs.variant).toBe(expected);
    }
  });

  it("every other reason is stored and readable: consent, suppression, failure with SendGrid's error, the shop's send window", async () => {
    await useFlows([{ key: "thanks", name: "Thanks", trigger: "order_created", exitRules: { orderedAgain: false }, steps: [step("a", "Thanks")] }]);
    const ben = store.customers.find((c) => c.defaultEmailAddress?.marketingState === "NOT_SUBSCRIBED" && c.defaultEmailAddress.emailAddress)!;
    const [ada, diego] = subscribed();
    const noConsent = orderFor(ben);
    const suppressed = orderFor(ada);
    await prisma.suppression.create({
      data: { shop: SIMULATOR_SHOP, email: ada.defaultEmailAddress!.emailAddress.toLowerCase(), scope: "all", reason: "hard_bounce" },
    });
    for (const order of [noConsent, suppressed]) await expectOk(post("orders/create", order));
    expect(await dispatch()).toMatch(/0 sent.*2 skipped/);
    await prisma.suppression.deleteMany({ where: { shop: SIMULATOR_SHOP } });
    const [c] = await followUpsOf(noConsent);
    expect([c.skipCode, c.skipReason]).toEqual([
      "no_marketing_consent",
      "The customer has not subscribed to email marketing, and this step is a marketing email.",
    ]);
    const [s] = await followUpsOf(suppressed);
    expect([s.skipCode, s.skipReason]).toEqual([
      "suppressed",
      "The address is suppressed: earlier emails to this address bounced (it does not exist or refuses mail).",
    ]);

    sendgrid.failNext({ status: 400, count: 1 });
    const failing = orderFor(diego);
    await expectOk(post("orders/create", failing));
    expect(await dispatch()).toMatch(/1 failed/);
    const [f] = await followUpsOf(failing);
    expect([f.status, f.skipCode]).toEqual(["failed", "send_failed"]);
    expect(f.skipReason).toMatch(/^Sending failed after 1 attempt: /);
    expect(f.lastError).toBeTruthy();

    // The shop's default window applies to steps without their own: closed all day today.
    const today = new Intl.DateTimeFormat("en-US", { weekday: "short", timeZone: store.shop.ianaTimezone }).format(new Date()).toLowerCase();
    const otherDays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].filter((d) => d !== today);
    await prisma.shop.update({
      where: { domain: SIMULATOR_SHOP },
      data: { defaultSendWindow: JSON.stringify({ days: otherDays, start: "00:00", end: "00:00" }) },
    });
    const waiting = orderFor(ada);
    await expectOk(post("orders/create", waiting));
    const [w] = await followUpsOf(waiting);
    expect(w.status).toBe("scheduled");
    expect(w.dueAt.getTime()).toBeGreaterThan(Date.now());
    const timeline = await followUpTimeline(prisma, w.id);
    expect(timeline.map((e) => e.type)).toEqual(["scheduled", "moved"]);
    expect(timeline[1].detail).toMatch(/^Outside the send window \(.+\); moved to /);
  });

  it("first or repeat customer: the order count, absent from 2025-10 webhooks, is read from the Admin API at send", async () => {
    await useFlows([
      { key: "repeat", name: "Returning", trigger: "order_created", conditions: { all: [{ field: "customer_type", op: "is", value: "repeat" }] }, steps: [step("a", "Welcome back")] },
      { key: "first", name: "First order", trigger: "order_created", conditions: { all: [{ field: "customer_type", op: "is", value: "first" }] }, steps: [step("a", "Welcome")] },
    ]);
    const diego = subscribed()[1];
    const order = orderFor(diego);
    expect((order.customer as Record<string, unknown>).orders_count).toBeUndefined();
    await expectOk(post("orders/create", order));
    expect((await followUpsOf(order)).every((f) => f.status === "scheduled")).toBe(true);
    expect(await dispatch()).toMatch(/1 sent.*1 skipped/);
    expect(sendgrid.messages.map((m) => m.subject)).toEqual(["Welcome back"]);
    const count = store.orders.filter((o) => o.customerId === diego.id).length;
    const skipped = (await followUpsOf(order)).find((f) => f.status === "skipped")!;
    expect(skipped.skipReason).toBe(
      `The order does not meet the flow's conditions: Customer: the customer has ${count} orders; the flow is for first-time customers.`,
    );
    const stored = await prisma.order.findFirstOrThrow({ where: { orderId: `gid://shopify/Order/${order.id}` } });
    expect(stored.customerOrdersCount).toBe(count);
  });
});
