// "Send this step only if…": a step's own conditions, checked when it is due, through the
// dispatcher as the app wires it: customer segments asked of the store simulator (Shopify's
// customerSegmentMembership), the previous step's opens and clicks from SendGrid's events, and
// whether the customer ordered again. Every skip names the condition that failed.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { createSeedStore, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedCustomer } from "../../simulator/store";
import { segmentsOf } from "../../simulator/segments";
import { sampleEvents } from "../../simulator/sendgrid-events";
import { orderCreatedPayload } from "../../simulator/orders";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { importFlows } from "~/services/flows/flows.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { receiveSendGridEvents } from "~/services/events/sendgrid-events.server";
import { createRuntime } from "~/runtime/runtime.server";
import { loadConfig } from "~/platform/config.server";
import { InvalidFlowsError } from "~/domain/flows";

const db = createTestDatabase("step-conditions");
const prisma = db.prisma;
const store = createSeedStore();
const env = {
  SENDGRID_API_KEY: "SG.afterglow-shared-key",
  SHOPIFY_APP_URL: "https://afterglow.example.com",
  SHOPIFY_API_SECRET: "step-conditions-secret",
  AFTERGLOW_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
  LOG_LEVEL: "error",
};
let admin: AdminSimulator;
let sendgrid: SendGridStandIn;

const vip = segmentsOf(store).find((s) => s.name === "VIP customers")!;
const customerNamed = (firstName: string) => store.customers.find((c) => c.firstName === firstName)!;
const ada = customerNamed("Ada"); // tagged vip
const greta = customerNamed("Greta");
const product = store.products.find((p) => p.status === "ACTIVE" && p.onlineStoreUrl)!;

const flow = {
  key: "after-purchase",
  name: "After purchase",
  trigger: "order_created",
  active: true,
  // The step conditions decide here, not the "ordered again" exit rule.
  exitRules: { orderedAgain: false },
  steps: [
    { key: "thanks", delay: { amount: 0, unit: "minutes" }, template: "thank-you", subject: "Thank you for {{ order.name }}" },
    {
      key: "nudge",
      delay: { amount: 1, unit: "days" },
      template: "thank-you",
      subject: "Did you see this?",
      conditions: { all: [{ field: "previous_step", op: "not_opened_or_clicked" }] },
    },
    {
      key: "vip",
      delay: { amount: 0, unit: "minutes", from: "trigger" },
      template: "thank-you",
      subject: "A thank-you for our regulars",
      conditions: { all: [{ field: "customer_segment", op: "in", values: [vip.id] }, { field: "ordered_again", op: "no" }] },
    },
  ],
};

const runtime = () =>
  createRuntime({ prisma, config: loadConfig({ ...process.env, ...env, SENDGRID_API_URL: sendgrid.url, SHOPIFY_ADMIN_API_URL: admin.url }) });

beforeAll(async () => {
  admin = await startAdminSimulator({ stores: [store] });
  sendgrid = await startSendGridStandIn({ apiKeys: [env.SENDGRID_API_KEY] });
  Object.assign(process.env, { AFTERGLOW_ENCRYPTION_KEYS: env.AFTERGLOW_ENCRYPTION_KEYS, SHOPIFY_API_SECRET: env.SHOPIFY_API_SECRET });
  await storeOfflineToken({ prisma, shop: SIMULATOR_SHOP, accessToken: SIMULATOR_ACCESS_TOKEN });
});
afterAll(async () => {
  await admin.close();
  await sendgrid.close();
  await db.cleanup();
});
beforeEach(async () => {
  sendgrid.clear();
  for (const t of ["messageEvent", "followUpEvent", "followUp", "order", "webhookDelivery", "flowStep", "flow", "shop"] as const) {
    await (prisma[t] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  await connectShop({ prisma, shop: SIMULATOR_SHOP, profile: { name: store.shop.name, email: store.shop.email } });
  // Several steps of one order go out close together here: smart sending would hold them.
  await prisma.shop.update({ where: { domain: SIMULATOR_SHOP }, data: { frequencyCap: JSON.stringify({ enabled: false, maxSends: 1, periodHours: 16 }) } });
  await importFlows(prisma, SIMULATOR_SHOP, { version: 1, flows: [flow] });
});

let seq = 0;
async function order(customer: SeedCustomer, createdAt = new Date()) {
  const payload = orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: product.id, quantity: 1 }], createdAt });
  const outcome = await receiveOrderCreated({ prisma, delivery: { shop: SIMULATOR_SHOP, topic: "orders/create", webhookId: `sc-${++seq}` }, payload });
  if (outcome.kind !== "scheduled") throw new Error(outcome.kind);
  return payload.admin_graphql_api_id as string;
}

const stepOf = async (orderId: string, stepKey: string) => prisma.followUp.findFirstOrThrow({ where: { orderId, stepKey } });

// The later steps fall due now (their delays have passed).
async function dueNow(orderId: string) {
  const now = new Date();
  await prisma.followUp.updateMany({ where: { orderId, status: "scheduled" }, data: { dueAt: now, nextAttemptAt: now } });
}

// SendGrid's events for the first step's email, signed and posted as its Event Webhook does.
async function engaged(orderId: string, kinds: ("open" | "machineOpen" | "click")[]) {
  const thanks = await stepOf(orderId, "thanks");
  const events = sampleEvents({ followUpId: thanks.id, shop: SIMULATOR_SHOP, messageId: thanks.messageId!, email: thanks.recipient });
  await receiveSendGridEvents({ prisma, events: kinds.map((k) => events[k]) });
}

describe("step conditions", () => {
  it("the seeded customers are who the tests take them for", () => {
    expect(ada.tags).toContain("vip");
    expect(greta.tags).not.toContain("vip");
    for (const c of [ada, greta]) expect(c.defaultEmailAddress?.marketingState).toBe("SUBSCRIBED");
  });

  it("a customer who opened the first email gets no nudge; a VIP gets the regulars' step; the skip names the condition", async () => {
    const orderId = await order(ada);
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 2 }); // thanks, and vip (due at once)
    const vipStep = await stepOf(orderId, "vip");
    expect(vipStep.status).toBe("sent");
    await engaged(orderId, ["open"]);
    await dueNow(orderId);
    expect(await runtime().dispatcher.drain()).toMatchObject({ skipped: 1 });
    const nudge = await stepOf(orderId, "nudge");
    expect(nudge).toMatchObject({ status: "skipped", skipCode: "step_conditions_not_met" });
    expect(nudge.skipReason).toBe(
      `This step's condition was not met: Previous step: the customer opened "Step 1 ("Thank you for {{ order.name }}")"; this step is for customers who neither opened nor clicked it.`,
    );
    expect(sendgrid.messages.map((m) => m.customArgs.followUpId).sort()).toEqual([(await stepOf(orderId, "thanks")).id, vipStep.id].sort());
  });

  it("a machine open is not an open: the nudge goes; a customer outside the segment is skipped with the segment's name", async () => {
    const orderId = await order(greta);
    const before = admin.requests.length;
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 1, skipped: 1 });
    const vipStep = await stepOf(orderId, "vip");
    expect(vipStep).toMatchObject({ status: "skipped", skipCode: "step_conditions_not_met" });
    expect(vipStep.skipReason).toBe(`This step's condition was not met: Customer segment: the customer is not in "VIP customers".`);
    const asked = admin.requests.slice(before).filter((r) => r.operationName === "CustomerSegmentMembership");
    expect(asked.map((r) => r.variables)).toEqual([{ customerId: greta.id, segmentIds: [vip.id] }]);

    await engaged(orderId, ["machineOpen"]);
    await dueNow(orderId);
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 1 });
    expect((await stepOf(orderId, "nudge")).status).toBe("sent");
  });

  it("a click counts as engaged, and a customer who ordered again is not sent the step that asks for \"has not ordered since\"", async () => {
    const first = await order(ada);
    // The VIP step waits a day here, so the second order comes before it.
    await prisma.followUp.updateMany({ where: { orderId: first, stepKey: "vip" }, data: { dueAt: new Date(Date.now() + 86_400_000), nextAttemptAt: new Date(Date.now() + 86_400_000) } });
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 1 });
    await engaged(first, ["click"]);
    // Shopify's order times have whole seconds: the second order comes a minute later.
    const second = await order(ada, new Date(Date.now() + 60_000));
    await prisma.followUp.deleteMany({ where: { orderId: second } });
    await dueNow(first);
    expect(await runtime().dispatcher.drain()).toMatchObject({ skipped: 2 });
    expect((await stepOf(first, "nudge")).skipReason).toMatch(/Previous step: the customer clicked/);
    expect((await stepOf(first, "vip")).skipReason).toMatch(/^This step's condition was not met: Ordered again: the customer ordered again on \d{4}-\d{2}-\d{2}; this step is for customers who have not ordered since\.$/);
  });

  it("a segment in the flow's entry conditions is decided when the follow-up goes out, not at the webhook", async () => {
    const gated = {
      ...flow,
      key: "vip-only",
      conditions: { all: [{ field: "customer_segment", op: "not_in", values: [vip.id] }] },
      steps: [flow.steps[0]],
    };
    await importFlows(prisma, SIMULATOR_SHOP, { version: 1, flows: [gated] });
    await prisma.flow.updateMany({ where: { key: "after-purchase" }, data: { active: false } });
    const adaOrder = await order(ada);
    const gretaOrder = await order(greta);
    for (const o of [adaOrder, gretaOrder]) expect((await stepOf(o, "thanks")).status).toBe("scheduled");
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 1, skipped: 1 });
    expect(await stepOf(adaOrder, "thanks")).toMatchObject({
      status: "skipped",
      skipCode: "conditions_not_met",
      skipReason: `The order does not meet the flow's conditions: Customer segment: the customer is in "VIP customers", which the flow excludes.`,
    });
    expect((await stepOf(gretaOrder, "thanks")).status).toBe("sent");
  });

  it("refuses previous_step on the first step and step-only conditions in a flow's entry conditions", async () => {
    const firstStep = { ...flow, steps: [{ ...flow.steps[1], key: "only" }] };
    await expect(importFlows(prisma, SIMULATOR_SHOP, { version: 1, flows: [firstStep] })).rejects.toThrow(/the first step has no previous step/);
    const entry = { ...flow, conditions: { all: [{ field: "ordered_again", op: "no" }] } };
    await expect(importFlows(prisma, SIMULATOR_SHOP, { version: 1, flows: [entry] })).rejects.toThrow(InvalidFlowsError);
    await expect(importFlows(prisma, SIMULATOR_SHOP, { version: 1, flows: [entry] })).rejects.toThrow(/can only be used in a step's conditions/);
  });
});
