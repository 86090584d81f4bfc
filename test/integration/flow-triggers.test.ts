// Shopify Flow triggers end to end against a fresh database and the store simulator: Flow's
// lifecycle callback (signed as Flow signs it) says which shops listen; facts (a send through the
// dispatcher, SendGrid's signed click, bounce and spam events, an unsubscribe) write pending
// triggers; the housekeeping job sends them with flowTriggerReceive to the simulator, which takes
// them on the real 2025-10 schema and refuses what Flow refuses.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { ActionFunctionArgs } from "@remix-run/node";

const env = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({
    name: "flow-triggers",
    apiKey: "flow-triggers-key",
    secret: "flow-triggers-secret",
    env: { LOG_LEVEL: "error", AFTERGLOW_UNSUBSCRIBE_SECRET: "flow-triggers-unsubscribe" },
  }),
);

import prisma from "~/db.server";
import { action as lifecycleAction } from "~/routes/flow.triggers.lifecycle";
import { action as sendgridAction } from "~/routes/webhooks.sendgrid";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { createDispatcher } from "~/services/dispatch/dispatcher.server";
import { createSendGridTransport } from "~/adapters/mail/sendgrid.server";
import type { MailTransport } from "~/adapters/mail/transport";
import { prepareFollowUp } from "~/email/prepare.server";
import { renderFollowUp } from "~/email/render.server";
import { createLogger } from "~/platform/logger.server";
import { loadConfig } from "~/platform/config.server";
import { startHousekeeping, stopBackgroundWork } from "~/runtime/runtime.server";
import { sendDueFlowTriggers } from "~/services/flow-triggers/send.server";
import { unsubscribe } from "~/services/consent/unsubscribe.server";
import { createAdminClient, AdminApiThrottle } from "~/adapters/shopify-admin/index.server";
import { FlowTriggerRejectedError, receiveFlowTrigger } from "~/adapters/shopify-admin/flow-triggers.server";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { createSeedStore, legacyId, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { flowLifecycleRequest, flowTriggersReceived } from "../../simulator/flow";
import { createEventWebhookKeys, sampleEvents, signedEventRequest } from "../../simulator/sendgrid-events";
import { turnOnFlow } from "../helpers/flows";

const OTHER_SHOP = "quiet-shop.myshopify.com";
const keys = createEventWebhookKeys();
const quiet = createCustomerLogger();
let admin: AdminSimulator;
let sendgrid: SendGridStandIn;
let store: SeedStore;
let otherStore: SeedStore;
let clock = new Date("2026-11-28T12:00:00Z");

function createCustomerLogger() {
  return createLogger({}, { write: () => {} });
}

async function lifecycle(body: string, headers: Record<string, string>): Promise<Response> {
  const request = new Request("https://afterglow.test/flow/triggers/lifecycle", { method: "POST", headers, body });
  return lifecycleAction({ request, params: {}, context: {} } as ActionFunctionArgs);
}

async function flowSays({ shop, trigger, enabled, at = new Date() }: { shop: string; trigger: string; enabled: boolean; at?: Date }) {
  const { headers, body } = flowLifecycleRequest({ shop, definitionId: trigger, enabled, timestamp: at, secret: env.secret });
  const res = await lifecycle(body, headers);
  expect(res.status).toBe(200);
  return (await res.json()) as { outcome: string; trigger: string };
}

async function postEvents(events: unknown[]) {
  const { headers, body } = signedEventRequest(events, { privateKey: keys.privateKey });
  const request = new Request("https://afterglow.test/webhooks/sendgrid", { method: "POST", headers, body });
  const res = await sendgridAction({ request, params: {}, context: {} } as ActionFunctionArgs);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, number>;
}

let seq = 0;
// An order of the seed customer, through intake, with its follow-ups scheduled.
async function orderFor(shop: string, s: SeedStore) {
  const customer = s.customers[0]!;
  const product = s.products.find((p) => p.status === "ACTIVE")!;
  const outcome = await receiveOrderCreated({
    prisma,
    delivery: { shop, topic: "orders/create", webhookId: `wh-${++seq}` },
    payload: {
      id: 7100 + seq,
      name: `#${7100 + seq}`,
      email: customer.email,
      created_at: clock.toISOString(),
      currency: "USD",
      total_price: "24.00",
      customer: { id: legacyId(customer.id), first_name: customer.firstName },
      line_items: [{ id: 1, product_id: legacyId(product.id), quantity: 1, price: "24.00" }],
    },
    now: clock,
  });
  if (outcome.kind !== "scheduled") throw new Error(`not scheduled: ${outcome.kind}`);
  return { followUp: await prisma.followUp.findFirstOrThrow({ where: { shop, orderId: `gid://shopify/Order/${7100 + seq}` }, orderBy: { dueAt: "asc" } }), customer };
}

// A follow-up SendGrid has taken, as the dispatcher leaves it.
async function sentFollowUp(shop: string, s: SeedStore) {
  const { followUp, customer } = await orderFor(shop, s);
  const messageId = `msg${seq}xxxxxxxxxxxxxxxxxx`.slice(0, 22);
  await prisma.followUp.update({ where: { id: followUp.id }, data: { status: "sent", sentAt: clock, messageId, transport: "sendgrid" } });
  return { followUp, customer, events: sampleEvents({ followUpId: followUp.id, shop, messageId, email: followUp.recipient, at: clock }) };
}

function dispatcher(transport: MailTransport = createSendGridTransport({ apiKey: "SG.test", baseUrl: sendgrid.url, timeoutMs: 2000 })) {
  return createDispatcher({
    prisma,
    transport,
    recommend: async () => [],
    render: async (req) => renderFollowUp(await prepareFollowUp(req, { now: () => clock })),
    now: () => clock,
    logger: quiet,
  });
}

const fires = () => prisma.flowTriggerFire.findMany({ orderBy: { createdAt: "asc" } });
const received = (handle?: string) => flowTriggersReceived(store).filter((r) => !handle || r.handle === handle);
// The job as the housekeeping chore runs it, at a given time, with a short backoff.
const work = (at = new Date()) => sendDueFlowTriggers({ prisma, now: () => at, retry: { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 10_000 }, logger: quiet });

beforeAll(async () => {
  process.env.SENDGRID_WEBHOOK_PUBLIC_KEY = keys.publicKeyBase64;
  store = createSeedStore();
  otherStore = createSeedStore({ shop: OTHER_SHOP });
  admin = await startAdminSimulator({ stores: [store, otherStore] });
  sendgrid = await startSendGridStandIn();
  process.env.SHOPIFY_ADMIN_API_URL = admin.url;
  for (const [shop, s] of [
    [SIMULATOR_SHOP, store],
    [OTHER_SHOP, otherStore],
  ] as const) {
    await connectShop({ prisma, shop, profile: { name: s.shop.name, email: "hello@juniper.example" } });
    await storeOfflineToken({ prisma, shop, accessToken: s.accessToken ?? SIMULATOR_ACCESS_TOKEN });
    await turnOnFlow({ prisma, shop });
    await prisma.shop.update({ where: { domain: shop }, data: { frequencyCap: JSON.stringify({ enabled: false, maxSends: 1, periodHours: 16 }) } });
  }
});

afterAll(async () => {
  delete process.env.SENDGRID_WEBHOOK_PUBLIC_KEY;
  delete process.env.SHOPIFY_ADMIN_API_URL;
  await admin?.close();
  await sendgrid?.close();
  await env.cleanup();
});

beforeEach(async () => {
  // The seed customer unsubscribes below; the next test's sends must still go out.
  await prisma.suppression.deleteMany();
  await prisma.flowTriggerFire.deleteMany();
  await prisma.flowTriggerUse.deleteMany();
  flowTriggersReceived(store).length = 0;
  flowTriggersReceived(otherStore).length = 0;
  clock = new Date("2026-11-28T12:00:00Z");
});

describe("Flow's trigger lifecycle callback", () => {
  it("refuses a wrong or missing HMAC with 401 and stores nothing", async () => {
    const { headers, body } = flowLifecycleRequest({ shop: SIMULATOR_SHOP, definitionId: "Follow-up clicked", enabled: true, secret: "another-secret" });
    expect((await lifecycle(body, headers)).status).toBe(401);
    const { "X-Shopify-Hmac-Sha256": _h, ...unsigned } = headers;
    expect((await lifecycle(body, unsigned)).status).toBe(401);
    // The right signature over other bytes.
    const good = flowLifecycleRequest({ shop: SIMULATOR_SHOP, definitionId: "Follow-up clicked", enabled: true, secret: env.secret });
    expect((await lifecycle(good.body.replace("true", "false"), good.headers)).status).toBe(401);
    expect(await prisma.flowTriggerUse.count()).toBe(0);
  });

  it("records which triggers a shop uses; a newer callback wins and an older one is ignored", async () => {
    const t = new Date("2026-11-28T10:00:00Z");
    expect(await flowSays({ shop: SIMULATOR_SHOP, trigger: "Follow-up clicked", enabled: true, at: t })).toEqual({ outcome: "recorded", trigger: "follow-up-clicked" });
    expect(await flowSays({ shop: SIMULATOR_SHOP, trigger: "follow-up-clicked", enabled: false, at: new Date(t.getTime() - 1000) })).toMatchObject({ outcome: "stale" });
    expect(await prisma.flowTriggerUse.findMany()).toMatchObject([{ shop: SIMULATOR_SHOP, trigger: "follow-up-clicked", enabled: true, reportedAt: t }]);
    await flowSays({ shop: SIMULATOR_SHOP, trigger: "Follow-up clicked", enabled: false, at: new Date(t.getTime() + 1000) });
    expect(await prisma.flowTriggerUse.findFirstOrThrow()).toMatchObject({ enabled: false });
    // A trigger this version does not know is kept as Flow named it, and fires nothing.
    expect(await flowSays({ shop: SIMULATOR_SHOP, trigger: "Add row to spreadsheet", enabled: true })).toEqual({ outcome: "recorded", trigger: "Add row to spreadsheet" });
  });

  it("answers a signed body that is not Flow's shape with 400, and GET with 405", async () => {
    const { createHmac } = await import("node:crypto");
    const body = JSON.stringify({ has_enabled_flow: "yes", shopify_domain: SIMULATOR_SHOP });
    const hmac = createHmac("sha256", env.secret).update(body).digest("base64");
    const res = await lifecycle(body, { "Content-Type": "application/json", "X-Shopify-Hmac-Sha256": hmac });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("flow_trigger_definition_id");
    const { loader } = await import("~/routes/flow.triggers.lifecycle");
    expect((await loader()).status).toBe(405);
    expect(await prisma.flowTriggerUse.count()).toBe(0);
  });
});

describe("a click fires Follow-up clicked", () => {
  it("a signed click delivered twice fires exactly one trigger at the simulator", async () => {
    await flowSays({ shop: SIMULATOR_SHOP, trigger: "Follow-up clicked", enabled: true });
    const { followUp, customer, events } = await sentFollowUp(SIMULATOR_SHOP, store);
    expect(await postEvents([events.delivered, events.click])).toMatchObject({ stored: 2 });
    expect(await postEvents([events.click])).toMatchObject({ stored: 0, duplicates: 1 });
    expect(await fires()).toMatchObject([{ trigger: "follow-up-clicked", status: "pending", followUpId: followUp.id }]);

    expect(await work()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await work()).toMatchObject({ claimed: 0 });
    expect(received()).toEqual([
      {
        handle: "follow-up-clicked",
        payload: {
          order_id: legacyId(followUp.orderId),
          customer_id: legacyId(customer.id),
          "Flow name": expect.any(String),
          "Step name": expect.stringMatching(/^Step 1 · /),
          "Link URL": events.click.url,
        },
        at: expect.any(Date),
      },
    ]);
    expect(await fires()).toMatchObject([{ status: "sent", sentAt: expect.any(Date), attempts: 1, lastError: null, claimToken: null }]);
  });

  it("a shop whose workflows do not use the trigger fires none", async () => {
    await flowSays({ shop: SIMULATOR_SHOP, trigger: "Follow-up clicked", enabled: true });
    await flowSays({ shop: OTHER_SHOP, trigger: "Email bounced or marked as spam", enabled: true });
    await flowSays({ shop: OTHER_SHOP, trigger: "Follow-up clicked", enabled: false });
    const { events } = await sentFollowUp(OTHER_SHOP, otherStore);
    expect(await postEvents([events.click])).toMatchObject({ stored: 1, matched: 1 });
    expect(await fires()).toEqual([]);
    expect(await work()).toMatchObject({ claimed: 0 });
    expect(flowTriggersReceived(otherStore)).toEqual([]);
  });

  it("retries a failing Shopify with backoff until it takes the trigger, keeping the error meanwhile", async () => {
    await flowSays({ shop: SIMULATOR_SHOP, trigger: "Follow-up clicked", enabled: true });
    const { events } = await sentFollowUp(SIMULATOR_SHOP, store);
    await postEvents([events.click]);
    // The job's client tries twice per run: two runs answered 503.
    admin.failNext(4, 503);
    const t0 = new Date();
    expect(await work(t0)).toMatchObject({ claimed: 1, retried: 1 });
    let [row] = await fires();
    expect(row).toMatchObject({ status: "pending", attempts: 1, lastError: expect.stringContaining("503") });
    expect(row!.nextAttemptAt.getTime()).toBeGreaterThan(t0.getTime());
    // Not before its time.
    expect(await work(t0)).toMatchObject({ claimed: 0 });
    expect(await work(row!.nextAttemptAt)).toMatchObject({ claimed: 1, retried: 1 });
    [row] = await fires();
    expect(row).toMatchObject({ status: "pending", attempts: 2 });
    expect(received()).toEqual([]);
    expect(await work(row!.nextAttemptAt)).toMatchObject({ claimed: 1, sent: 1 });
    expect(await fires()).toMatchObject([{ status: "sent", attempts: 3, lastError: null }]);
    expect(received("follow-up-clicked")).toHaveLength(1);
  });

  it("the housekeeping chore sends what is pending, as a running worker does", async () => {
    await flowSays({ shop: SIMULATOR_SHOP, trigger: "Follow-up clicked", enabled: true });
    const { events } = await sentFollowUp(SIMULATOR_SHOP, store);
    await postEvents([events.click]);
    const settings = loadConfig({
      ...process.env,
      FLOW_TRIGGER_INTERVAL_MS: "50",
      RETENTION_INTERVAL_MS: "0",
      CONSENT_RETRY_INTERVAL_MS: "0",
      ANALYTICS_INTERVAL_MS: "0",
      ORDER_RECONCILE_INTERVAL_MS: "0",
    });
    startHousekeeping(prisma, settings);
    try {
      await vi.waitFor(async () => expect(await fires()).toMatchObject([{ status: "sent" }]), { timeout: 10_000, interval: 50 });
    } finally {
      await stopBackgroundWork(settings);
    }
    expect(received("follow-up-clicked")).toHaveLength(1);
  });

  it("two workers at once send each pending trigger once", async () => {
    await flowSays({ shop: SIMULATOR_SHOP, trigger: "Follow-up clicked", enabled: true });
    for (let i = 0; i < 6; i++) {
      const { events } = await sentFollowUp(SIMULATOR_SHOP, store);
      await postEvents([events.click]);
    }
    admin.delayNext(50, 6);
    const [a, b] = await Promise.all([work(), work()]);
    expect(a.sent + b.sent).toBe(6);
    expect(received("follow-up-clicked")).toHaveLength(6);
    expect(new Set(received().map((r) => r.payload.order_id)).size).toBe(6);
  });

  it("a worker that died holding a row: the row is taken over once its lease has run out", async () => {
    await flowSays({ shop: SIMULATOR_SHOP, trigger: "Follow-up clicked", enabled: true });
    const { events } = await sentFollowUp(SIMULATOR_SHOP, store);
    await postEvents([events.click]);
    const [row] = await fires();
    const t = new Date();
    await prisma.flowTriggerFire.update({ where: { id: row!.id }, data: { status: "sending", claimToken: "dead-worker", leaseUntil: new Date(t.getTime() + 60_000), attempts: 1 } });
    expect(await work(t)).toMatchObject({ claimed: 0 });
    expect(await work(new Date(t.getTime() + 61_000))).toMatchObject({ claimed: 1, sent: 1 });
    expect(received()).toHaveLength(1);
  });
});

describe("bounces, spam reports, unsubscribes and sends", () => {
  it("a hard bounce and a spam report each fire Email bounced or marked as spam; a blocked bounce does not", async () => {
    await flowSays({ shop: SIMULATOR_SHOP, trigger: "Email bounced or marked as spam", enabled: true });
    const { events } = await sentFollowUp(SIMULATOR_SHOP, store);
    await postEvents([events.bounce, events.blocked, events.spamreport, events.click]);
    expect((await fires()).map((f) => f.trigger)).toEqual(["email-bounced-or-spam", "email-bounced-or-spam"]);
    expect(await work()).toMatchObject({ sent: 2 });
    expect(received().map((r) => [r.payload.Event, r.payload.Reason])).toEqual(
      expect.arrayContaining([
        ["Bounced", events.bounce.reason],
        ["Marked as spam", "The customer marked the email as spam."],
      ]),
    );
  });

  it("an unsubscribe fires Customer unsubscribed once, however often the link is followed", async () => {
    await flowSays({ shop: SIMULATOR_SHOP, trigger: "Customer unsubscribed", enabled: true });
    const { followUp, customer } = await sentFollowUp(SIMULATOR_SHOP, store);
    const token = { shop: SIMULATOR_SHOP, email: followUp.recipient, followUpId: followUp.id, category: "marketing" as const };
    const first = await unsubscribe({ prisma, token, choice: "this", via: "one-click" });
    const again = await unsubscribe({ prisma, token, choice: "this", via: "page" });
    expect([first.changed, again.changed]).toEqual([true, false]);
    expect(await fires()).toMatchObject([{ trigger: "customer-unsubscribed", status: "pending", customerId: customer.id }]);
    await work();
    expect(received("customer-unsubscribed")).toMatchObject([
      { payload: { customer_id: legacyId(customer.id), order_id: legacyId(followUp.orderId), "Unsubscribed from": "Marketing emails" } },
    ]);
  });

  it("a send through the dispatcher fires Follow-up sent with the subject the customer received; a test send does not", async () => {
    await flowSays({ shop: SIMULATOR_SHOP, trigger: "Follow-up sent", enabled: true });
    const { followUp } = await orderFor(SIMULATOR_SHOP, store);
    await prisma.followUp.updateMany({ where: { id: { not: followUp.id } }, data: { status: "cancelled" } });
    clock = new Date(followUp.dueAt.getTime() + 1000);
    expect(await dispatcher().drain()).toMatchObject({ sent: 1 });
    const mail = sendgrid.messages.at(-1)!;
    expect(await fires()).toMatchObject([{ trigger: "follow-up-sent", factKey: `followUp:${followUp.id}`, status: "pending" }]);
    await work();
    expect(received("follow-up-sent")).toMatchObject([{ payload: { order_id: legacyId(followUp.orderId), "Email subject": mail.subject } }]);

    // A merchant's test send goes out and tells Flow nothing.
    const { followUp: test } = await orderFor(SIMULATOR_SHOP, store);
    await prisma.followUp.update({ where: { id: test.id }, data: { isTest: true, dueAt: clock, nextAttemptAt: clock } });
    expect(await dispatcher().drain()).toMatchObject({ sent: 1 });
    expect(await fires()).toHaveLength(1);
  });

  it("a send confirmed from SendGrid's events after the worker died mid-send fires Follow-up sent once, with the subject sent", async () => {
    await flowSays({ shop: SIMULATOR_SHOP, trigger: "Follow-up sent", enabled: true });
    const { followUp, customer } = await orderFor(SIMULATOR_SHOP, store);
    await prisma.followUp.updateMany({ where: { id: { not: followUp.id } }, data: { status: "cancelled" } });
    // The seed customer's orders of the tests before must not end this flow as "ordered again".
    await prisma.flow.update({ where: { id: followUp.flowId }, data: { exitRules: JSON.stringify({ orderedAgain: false }) } });
    clock = new Date(followUp.dueAt.getTime() + 1000);
    // SendGrid takes the email; the worker never records its answer.
    const real = createSendGridTransport({ apiKey: "SG.test", baseUrl: sendgrid.url, timeoutMs: 2000 });
    const before = sendgrid.messages.length;
    const dyingAfterSend: MailTransport = {
      name: "sendgrid",
      send: async (email) => {
        await real.send(email);
        return new Promise(() => {});
      },
    };
    void dispatcher(dyingAfterSend).drain();
    for (let i = 0; i < 200 && sendgrid.messages.length === before; i++) await new Promise((r) => setTimeout(r, 25));
    const mail = sendgrid.messages.at(-1)!;
    expect(await prisma.followUp.findUniqueOrThrow({ where: { id: followUp.id } })).toMatchObject({ status: "sending", handedOverTo: "sendgrid", skipReason: null });
    expect(await fires()).toEqual([]);

    // SendGrid's events arrive; once the dead worker's lease is over, the next pass records the send.
    const events = sampleEvents({ followUpId: followUp.id, shop: SIMULATOR_SHOP, messageId: mail.messageId, email: followUp.recipient, at: clock });
    await postEvents([events.processed, events.delivered]);
    clock = new Date(clock.getTime() + 60 * 60_000);
    expect(await dispatcher().drain()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await prisma.followUp.findUniqueOrThrow({ where: { id: followUp.id } })).toMatchObject({ status: "sent", handedOverAt: null });
    expect(await fires()).toMatchObject([{ trigger: "follow-up-sent", factKey: `followUp:${followUp.id}`, status: "pending", customerId: customer.id }]);
    // Nothing more however often the events come or the dispatcher passes.
    await postEvents([events.delivered]);
    expect(await dispatcher().drain()).toMatchObject({ claimed: 0 });
    expect(await fires()).toHaveLength(1);
    await work();
    expect(received("follow-up-sent")).toMatchObject([{ payload: { order_id: legacyId(followUp.orderId), customer_id: legacyId(customer.id), "Email subject": mail.subject } }]);
    expect(sendgrid.messages.length).toBe(before + 1);
  });

  it("a shop whose workflows use no trigger: its sends go out and write no trigger row, without even the INSERT", async () => {
    await flowSays({ shop: SIMULATOR_SHOP, trigger: "Follow-up sent", enabled: true }); // another shop's workflows listen
    const quietOrders = [await orderFor(OTHER_SHOP, otherStore), await orderFor(OTHER_SHOP, otherStore)];
    const ids = quietOrders.map((o) => o.followUp.id);
    await prisma.followUp.updateMany({ where: { id: { notIn: ids } }, data: { status: "cancelled" } });
    await prisma.flow.updateMany({ where: { shop: OTHER_SHOP }, data: { exitRules: JSON.stringify({ orderedAgain: false }) } });
    clock = new Date(Math.max(...quietOrders.map((o) => o.followUp.dueAt.getTime())) + 1000);
    const statements: string[] = [];
    // Every raw statement of the pass, read as it goes by.
    const original = prisma.$executeRaw.bind(prisma);
    const spy = vi.spyOn(prisma, "$executeRaw").mockImplementation(((query: TemplateStringsArray, ...values: unknown[]) => {
      statements.push(query.join("?"));
      return original(query, ...values);
    }) as typeof prisma.$executeRaw);
    try {
      expect(await dispatcher().drain()).toMatchObject({ sent: 2 });
    } finally {
      spy.mockRestore();
    }
    expect(await prisma.followUp.count({ where: { id: { in: ids }, status: "sent" } })).toBe(2);
    expect(await fires()).toEqual([]);
    // The spy saw the pass's own writes (the claim's end), and no trigger INSERT among them.
    expect(statements.some((sql) => sql.includes('"FollowUp"'))).toBe(true);
    expect(statements.filter((sql) => sql.includes("FlowTriggerFire"))).toEqual([]);
  });
});

describe("the simulator refuses what Flow refuses", () => {
  const client = () => createAdminClient({ shop: SIMULATOR_SHOP, accessToken: store.accessToken, urlTemplate: admin.url, throttle: new AdminApiThrottle(), maxRetries: 0 });
  const payload = { order_id: 1, customer_id: 2, "Flow name": "F", "Step name": "S", "Link URL": "https://x.example/" };

  it("an unknown handle, a missing field, a field it does not have, a wrong type and a payload too large: userErrors", async () => {
    const refused = async (handle: string, p: Record<string, unknown>) => {
      const err = await receiveFlowTrigger(client(), { handle, payload: p }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlowTriggerRejectedError);
      return (err as FlowTriggerRejectedError).userErrors;
    };
    expect(await refused("not-deployed", payload)).toEqual([{ field: ["handle"], message: expect.stringContaining("not-deployed") }]);
    const { "Link URL": _u, ...missing } = payload;
    expect(await refused("follow-up-clicked", missing)).toEqual([{ field: ["payload", "Link URL"], message: expect.any(String) }]);
    expect(await refused("follow-up-clicked", { ...payload, Extra: "x" })).toEqual([{ field: ["payload", "Extra"], message: expect.any(String) }]);
    expect(await refused("follow-up-clicked", { ...payload, customer_id: "gid://shopify/Customer/2" })).toEqual([{ field: ["payload", "customer_id"], message: expect.any(String) }]);
    expect(await refused("follow-up-clicked", { ...payload, "Flow name": "x".repeat(60_000) })).toEqual([{ field: ["payload"], message: expect.stringContaining("too large") }]);
    await receiveFlowTrigger(client(), { handle: "follow-up-clicked", payload });
    expect(received()).toHaveLength(1);
  });

  it("a refused trigger is not retried: the row fails and keeps Shopify's answer", async () => {
    await flowSays({ shop: SIMULATOR_SHOP, trigger: "Follow-up clicked", enabled: true });
    const { events } = await sentFollowUp(SIMULATOR_SHOP, store);
    await postEvents([events.click]);
    const [row] = await fires();
    await prisma.flowTriggerFire.update({ where: { id: row!.id }, data: { trigger: "not-deployed" } });
    expect(await work()).toMatchObject({ claimed: 1, failed: 1 });
    expect(await fires()).toMatchObject([{ status: "failed", attempts: 1, lastError: expect.stringContaining("not-deployed") }]);
    expect(await work()).toMatchObject({ claimed: 0 });
  });

  it("a guest checkout's click is kept failed with why: Flow's customer reference needs a customer", async () => {
    await flowSays({ shop: SIMULATOR_SHOP, trigger: "Follow-up clicked", enabled: true });
    const { followUp, events } = await sentFollowUp(SIMULATOR_SHOP, store);
    await prisma.order.update({ where: { id: followUp.orderRef }, data: { customerId: null } });
    await postEvents([events.click]);
    expect(await fires()).toMatchObject([{ status: "failed", payload: null, lastError: expect.stringContaining("guest checkout") }]);
    expect(await work()).toMatchObject({ claimed: 0 });
  });
});
