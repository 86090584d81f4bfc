// The Shopify Flow action "Start an Afterglow flow" against a database and the store simulator:
// Flow-signed requests (simulator/flow-actions.ts) through the action's HTTP handler, the order
// read from the Admin API when no webhook brought it, and intake's shared path.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { createSeedStore, legacyId, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { flowActionRequest, flowActionStepRequest } from "../../simulator/flow-actions";
import { orderCreatedPayload } from "../../simulator/orders";
import { createAdminClient } from "~/adapters/shopify-admin/client.server";
import { FLOW_ACTION_HANDLE } from "~/domain/flow-action";
import { handleFlowActionPreviewRequest, handleFlowActionRequest, handleFlowActionValidationRequest } from "~/webhooks/flow-action.server";
import { chooseFlowForStep, StepChoiceError } from "~/services/flows/flow-action-steps.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { connectShop } from "~/services/shop/shops.server";
import { importFlows } from "~/services/flows/flows.server";
import { turnOnFlow } from "../helpers/flows";

const SECRET = "flow-action-integration-secret";
const db = createTestDatabase("flow-action");
const prisma = db.prisma;
let admin: AdminSimulator;
let store: SeedStore;

const flowsDoc = (overrides: Record<string, unknown> = {}) => ({
  version: 1,
  flows: [
    {
      key: "vip-care",
      name: "VIP care",
      trigger: "shopify_flow",
      active: true,
      steps: [
        { key: "thanks", delay: { amount: 2, unit: "hours" }, template: "thank-you", subject: "Thank you, {{ customer.first_name }}" },
        { key: "review", delay: { amount: 7, unit: "days" }, template: "thank-you", subject: "How is it going?" },
      ],
      ...overrides,
    },
  ],
});

async function post(
  properties: Record<string, unknown>,
  {
    actionRunId,
    secret = SECRET,
    shop = SIMULATOR_SHOP,
    body,
    stepReference,
  }: { actionRunId?: string; secret?: string; shop?: string; body?: string; stepReference?: string } = {},
) {
  const signed = flowActionRequest({ shop, shopId: legacyId(store.shop.id), handle: FLOW_ACTION_HANDLE, properties, secret, actionRunId, stepReference });
  const request = new Request("https://afterglow.test/flow/actions/start-flow", { method: "POST", headers: signed.headers, body: body ?? signed.body });
  const client = createAdminClient({ shop, accessToken: SIMULATOR_ACCESS_TOKEN, urlTemplate: admin.url, maxRetries: 0, sleep: async () => {} });
  const res = await handleFlowActionRequest(request, { prisma, secret: SECRET, limit: 64 * 1024, adminApiUrl: null, clientFor: async () => client });
  return { status: res.status, text: await res.text(), actionRunId: signed.actionRunId };
}

// Flow's preview or validation request for a step, through the handler its route uses.
async function askAboutStep(
  kind: "preview" | "validate",
  stepReference: string,
  {
    properties,
    more,
    secret = SECRET,
    shop = SIMULATOR_SHOP,
  }: { properties?: Record<string, unknown>; more?: { stepReference: string; properties: Record<string, unknown> }[]; secret?: string; shop?: string } = {},
) {
  const signed = flowActionStepRequest({ shop, shopId: legacyId(store.shop.id), stepReference, properties: kind === "validate" ? (properties ?? {}) : undefined, more, secret });
  const request = new Request(`https://afterglow.test/flow/actions/start-flow/${kind}`, { method: "POST", headers: signed.headers, body: signed.body });
  const handle = kind === "preview" ? handleFlowActionPreviewRequest : handleFlowActionValidationRequest;
  const res = await handle(request, { prisma, secret: SECRET, limit: 64 * 1024 });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type"), text, json: res.ok ? (JSON.parse(text) as unknown) : null };
}

const counts = async () => ({
  runs: await prisma.flowActionRun.count(),
  orders: await prisma.order.count(),
  followUps: await prisma.followUp.count(),
});
const orderReads = (since: number) => admin.requests.slice(since).filter((r) => r.operationName === "IntakeOrder").length;
const numericId = (gid: string) => String(legacyId(gid));

beforeAll(async () => {
  store = createSeedStore();
  admin = await startAdminSimulator({ stores: [store] });
});
afterAll(async () => {
  await admin?.close();
  await db.cleanup();
});

beforeEach(async () => {
  for (const t of ["flowActionStep", "flowActionRun", "followUpEvent", "followUp", "order", "webhookDelivery", "flowStep", "flow", "shop"] as const) {
    await (prisma[t] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  await connectShop({ prisma, shop: SIMULATOR_SHOP, profile: { name: store.shop.name, ianaTimezone: "UTC" } });
  await importFlows(prisma, SIMULATOR_SHOP, flowsDoc());
});

describe("a run for an order no webhook brought", () => {
  it("reads the order once from the Admin API and schedules one follow-up per step, counted from the run", async () => {
    const order = store.orders[0];
    const since = admin.requests.length;
    const before = Date.now();
    const res = await post({ order_id: numericId(order.id), flow_key: "vip-care" });
    expect(res).toMatchObject({ status: 200, text: "" });
    expect(orderReads(since)).toBe(1);

    const stored = await prisma.order.findUniqueOrThrow({ where: { shop_orderId: { shop: SIMULATOR_SHOP, orderId: order.id } } });
    expect(stored).toMatchObject({ name: order.name, email: order.email });
    const followUps = await prisma.followUp.findMany({ where: { orderRef: stored.id }, orderBy: { dueAt: "asc" } });
    expect(followUps.map((f) => [f.stepKey, f.status, f.recipient])).toEqual([
      ["thanks", "scheduled", order.email],
      ["review", "scheduled", order.email],
    ]);
    // Two hours after the run, not after the order (placed long ago).
    expect(followUps[0].dueAt.getTime()).toBeGreaterThanOrEqual(before + 2 * 3_600_000);
    expect(followUps[0].dueAt.getTime()).toBeLessThan(Date.now() + 2 * 3_600_000 + 1_000);
    const run = await prisma.flowActionRun.findFirstOrThrow();
    expect(run).toMatchObject({ shop: SIMULATOR_SHOP, actionRunId: res.actionRunId, orderId: order.id, outcome: "scheduled 2" });
  });

  it("three deliveries of the same run start the flow once, and read the order once", async () => {
    const order = store.orders[1];
    const since = admin.requests.length;
    const actionRunId = "run-delivered-three-times";
    for (let i = 0; i < 3; i++) expect((await post({ order_id: numericId(order.id), flow_key: "vip-care" }, { actionRunId })).status).toBe(200);
    expect(await counts()).toEqual({ runs: 1, orders: 1, followUps: 2 });
    expect(orderReads(since)).toBe(1);
  });

  it("three deliveries arriving together still give one follow-up per step", async () => {
    const order = store.orders[4];
    const actionRunId = "run-delivered-at-once";
    const answers = await Promise.all([0, 1, 2].map(() => post({ order_id: numericId(order.id), flow_key: "vip-care" }, { actionRunId })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(await counts()).toEqual({ runs: 1, orders: 1, followUps: 2 });
  });

  it("a second run for the same order and flow adds no follow-up; the run is still recorded", async () => {
    const order = store.orders[0];
    expect((await post({ order_id: numericId(order.id), flow_key: "vip-care" })).status).toBe(200);
    expect((await post({ order_id: numericId(order.id), flow_key: "vip-care" })).status).toBe(200);
    expect(await counts()).toEqual({ runs: 2, orders: 1, followUps: 2 });
    expect((await prisma.flowActionRun.findMany({ orderBy: { receivedAt: "asc" } })).map((r) => r.outcome)).toEqual(["scheduled 2", "scheduled 0"]);
  });

  it("a cancelled order is recorded with its follow-ups skipped, the reason kept", async () => {
    const cancelled = store.orders.find((o) => o.cancelledAt)!;
    expect((await post({ order_id: numericId(cancelled.id), flow_key: "vip-care" })).status).toBe(200);
    const followUps = await prisma.followUp.findMany();
    expect(followUps.map((f) => f.status)).toEqual(["cancelled", "cancelled"]);
    expect(followUps[0].skipReason).toMatch(/cancelled/);
  });
});

describe("a run for an order a webhook brought", () => {
  it("uses the stored order without the Admin API, and orders/create never started the Shopify Flow flow", async () => {
    await turnOnFlow({ prisma, shop: SIMULATOR_SHOP }); // the default order_created flow
    const payload = orderCreatedPayload({ store, customerId: store.customers[0].id, lines: [{ productId: store.products[0].id, quantity: 1 }] });
    const created = await receiveOrderCreated({ prisma, delivery: { shop: SIMULATOR_SHOP, topic: "orders/create", webhookId: "wh-flow-1" }, payload });
    expect(created.kind).toBe("scheduled");
    const vip = await prisma.flow.findUniqueOrThrow({ where: { shop_key: { shop: SIMULATOR_SHOP, key: "vip-care" } } });
    expect(await prisma.followUp.count({ where: { flowId: vip.id } })).toBe(0);

    const since = admin.requests.length;
    expect((await post({ order_id: String(payload.id), flow_key: "vip-care" })).status).toBe(200);
    expect(orderReads(since)).toBe(0);
    expect(await prisma.followUp.count({ where: { flowId: vip.id } })).toBe(2);
    expect(await prisma.order.count()).toBe(1);
  });
});

describe("requests that start nothing", () => {
  it("answers 401 to another secret, a changed body and no signature, storing nothing", async () => {
    const before = await counts();
    const good = { order_id: numericId(store.orders[0].id), flow_key: "vip-care" };
    expect((await post(good, { secret: "not-the-app-secret" })).status).toBe(401);
    const signed = flowActionRequest({ shop: SIMULATOR_SHOP, shopId: 1, handle: FLOW_ACTION_HANDLE, properties: good, secret: SECRET });
    expect((await post(good, { body: signed.body.replace("vip-care", "vip-carf") })).status).toBe(401);
    const unsigned = new Request("https://afterglow.test/flow/actions/start-flow", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: signed.body,
    });
    expect((await handleFlowActionRequest(unsigned, { prisma, secret: SECRET, limit: 64 * 1024, adminApiUrl: null })).status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it("answers 400 to a signed body that is not JSON or not Flow's shape, naming the problem", async () => {
    const res = await post({ order_id: "not-a-number", flow_key: "vip-care" });
    expect(res).toMatchObject({ status: 400, text: expect.stringMatching(/order_id/) });
    const { signWebhookBody } = await import("../../simulator/webhooks");
    const body = "{not json";
    const request = new Request("https://afterglow.test/flow/actions/start-flow", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Hmac-Sha256": signWebhookBody(body, SECRET) },
      body,
    });
    expect((await handleFlowActionRequest(request, { prisma, secret: SECRET, limit: 64 * 1024, adminApiUrl: null })).status).toBe(400);
    expect(await counts()).toEqual({ runs: 0, orders: 0, followUps: 0 });
  });

  it("answers 413 past the limit and 405 to a GET", async () => {
    const big = await post({ order_id: "1", flow_key: "vip-care", note: "x".repeat(70 * 1024) });
    expect(big.status).toBe(413);
    const get = await handleFlowActionRequest(new Request("https://afterglow.test/flow/actions/start-flow"), { prisma, secret: SECRET, adminApiUrl: null });
    expect(get.status).toBe(405);
  });

  it("answers 400 for a shop that is not connected, as authenticate.flow does", async () => {
    const res = await post({ order_id: "1", flow_key: "vip-care" }, { shop: "not-installed.myshopify.com" });
    expect(res).toMatchObject({ status: 400, text: expect.stringMatching(/not connected to Afterglow/) });
    expect(await counts()).toEqual({ runs: 0, orders: 0, followUps: 0 });
  });

  it("answers 422 with the merchant's next step when the flow is unknown, off or started another way", async () => {
    const order_id = numericId(store.orders[0].id);
    expect(await post({ order_id, flow_key: "no-such-flow" })).toMatchObject({
      status: 422,
      text: expect.stringMatching(/no flow with the key "no-such-flow"/),
    });
    await importFlows(prisma, SIMULATOR_SHOP, flowsDoc({ active: false }));
    expect(await post({ order_id, flow_key: "vip-care" })).toMatchObject({ status: 422, text: expect.stringMatching(/"VIP care" is off/) });
    expect(await post({ order_id, flow_key: "thank-you" })).toMatchObject({ status: 422, text: expect.stringMatching(/starts on "Order created"/) });
    expect(await counts()).toEqual({ runs: 0, orders: 0, followUps: 0 });
  });

  it("answers 422 when the shop has no such order", async () => {
    expect(await post({ order_id: "999999999", flow_key: "vip-care" })).toMatchObject({ status: 422, text: expect.stringMatching(/has no order/) });
    expect(await counts()).toEqual({ runs: 0, orders: 0, followUps: 0 });
  });

  it("answers 503 when the Admin API fails, so Flow sends the run again, and the run then starts the flow", async () => {
    const actionRunId = "run-during-outage";
    const properties = { order_id: numericId(store.orders[0].id), flow_key: "vip-care" };
    admin.failNext(1, 503);
    expect((await post(properties, { actionRunId })).status).toBe(503);
    expect(await counts()).toEqual({ runs: 0, orders: 0, followUps: 0 });
    expect((await post(properties, { actionRunId })).status).toBe(200);
    expect(await counts()).toEqual({ runs: 1, orders: 1, followUps: 2 });
  });
});

describe("the flow chosen on the configuration page", () => {
  const STEP = "b3f1c0de-step-1";
  const vipId = async () => (await prisma.flow.findUniqueOrThrow({ where: { shop_key: { shop: SIMULATOR_SHOP, key: "vip-care" } } })).id;

  it("a step with no flow chosen: the preview asks to choose one, validation names the problem, a run starts nothing", async () => {
    expect(await askAboutStep("preview", STEP)).toMatchObject({
      status: 200,
      type: expect.stringContaining("application/json"),
      json: { label_text: "Afterglow flow", text_preview: expect.stringMatching(/No flow chosen/), button_text: "Choose flow" },
    });
    expect((await askAboutStep("validate", STEP, { properties: { order_id: "{{order.id}}" } })).json).toEqual([
      { id: "step_reference", message: expect.stringMatching(/No Afterglow flow is chosen/) },
    ]);
    const res = await post({ order_id: numericId(store.orders[0].id) }, { stepReference: STEP });
    expect(res).toMatchObject({ status: 422, text: expect.stringMatching(/No Afterglow flow is chosen for this step/) });
    expect(await counts()).toEqual({ runs: 0, orders: 0, followUps: 0 });
  });

  it("once chosen: the preview names it, validation passes, and the run starts it without a typed key", async () => {
    await chooseFlowForStep({ prisma, shop: SIMULATOR_SHOP, stepReference: STEP, flowId: await vipId() });
    expect((await askAboutStep("preview", STEP)).json).toEqual({
      label_text: "Afterglow flow",
      text_preview: "VIP care: 2 follow-up emails for the workflow's order.",
      button_text: "Change flow",
    });
    expect((await askAboutStep("validate", STEP)).json).toEqual([]);
    expect((await post({ order_id: numericId(store.orders[0].id) }, { stepReference: STEP })).status).toBe(200);
    const followUps = await prisma.followUp.findMany({ select: { flowId: true, stepKey: true }, orderBy: { dueAt: "asc" } });
    expect(followUps).toEqual([
      { flowId: await vipId(), stepKey: "thanks" },
      { flowId: await vipId(), stepKey: "review" },
    ]);
  });

  it("the chosen flow wins over a typed key; an older workflow's key alone still works", async () => {
    await chooseFlowForStep({ prisma, shop: SIMULATOR_SHOP, stepReference: STEP, flowId: await vipId() });
    expect((await post({ order_id: numericId(store.orders[0].id), flow_key: "no-such-flow" }, { stepReference: STEP })).status).toBe(200);
    expect((await post({ order_id: numericId(store.orders[1].id), flow_key: "vip-care" }, { stepReference: "a-step-never-configured" })).status).toBe(200);
    expect(await counts()).toEqual({ runs: 2, orders: 2, followUps: 4 });
  });

  it("a chosen flow turned off since: validation and the preview say so, the run answers 422", async () => {
    await chooseFlowForStep({ prisma, shop: SIMULATOR_SHOP, stepReference: STEP, flowId: await vipId() });
    await importFlows(prisma, SIMULATOR_SHOP, flowsDoc({ active: false }));
    expect((await askAboutStep("validate", STEP)).json).toEqual([{ id: "step_reference", message: expect.stringMatching(/"VIP care" is off/) }]);
    // A workflow with two such steps, the second not configured: both problems, once each.
    expect((await askAboutStep("validate", STEP, { more: [{ stepReference: "second-step", properties: {} }] })).json).toEqual([
      { id: "step_reference", message: expect.stringMatching(/"VIP care" is off/) },
      { id: "step_reference", message: expect.stringMatching(/No Afterglow flow is chosen/) },
    ]);
    expect((await askAboutStep("preview", STEP)).json).toMatchObject({ text_preview: expect.stringMatching(/"VIP care" is off/) });
    expect((await post({ order_id: numericId(store.orders[0].id) }, { stepReference: STEP })).status).toBe(422);
  });

  it("only a flow of this shop started from Shopify Flow can be chosen; a second choice replaces the first", async () => {
    const orderFlow = await prisma.flow.findFirstOrThrow({ where: { shop: SIMULATOR_SHOP, trigger: { not: "shopify_flow" } } });
    await expect(chooseFlowForStep({ prisma, shop: SIMULATOR_SHOP, stepReference: STEP, flowId: orderFlow.id })).rejects.toThrow(StepChoiceError);
    await expect(chooseFlowForStep({ prisma, shop: "other.myshopify.com", stepReference: STEP, flowId: await vipId() })).rejects.toThrow(/not one of this shop's flows/);
    await expect(chooseFlowForStep({ prisma, shop: SIMULATOR_SHOP, stepReference: " ", flowId: await vipId() })).rejects.toThrow(/Open this page from the action/);
    await importFlows(prisma, SIMULATOR_SHOP, { version: 1, flows: [...flowsDoc().flows, { ...flowsDoc().flows[0], key: "winback", name: "Win back" }] });
    const winback = await prisma.flow.findUniqueOrThrow({ where: { shop_key: { shop: SIMULATOR_SHOP, key: "winback" } } });
    await chooseFlowForStep({ prisma, shop: SIMULATOR_SHOP, stepReference: STEP, flowId: await vipId() });
    await chooseFlowForStep({ prisma, shop: SIMULATOR_SHOP, stepReference: STEP, flowId: winback.id });
    expect(await prisma.flowActionStep.findMany({ select: { stepReference: true, flowId: true } })).toEqual([{ stepReference: STEP, flowId: winback.id }]);
  });

  it("preview and validation refuse a wrong signature (401), a body without step_reference (400) and a shop not connected (400)", async () => {
    expect((await askAboutStep("preview", STEP, { secret: "not-the-app-secret" })).status).toBe(401);
    expect((await askAboutStep("validate", STEP, { secret: "not-the-app-secret" })).status).toBe(401);
    expect(await askAboutStep("preview", "")).toMatchObject({ status: 400, text: expect.stringMatching(/step_reference is missing/) });
    expect(await askAboutStep("validate", STEP, { shop: "not-installed.myshopify.com" })).toMatchObject({ status: 400, text: expect.stringMatching(/not connected/) });
    const get = await handleFlowActionPreviewRequest(new Request("https://afterglow.test/flow/actions/start-flow/preview"), { prisma, secret: SECRET });
    expect(get.status).toBe(405);
  });
});
