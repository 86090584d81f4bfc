// A marketing follow-up whose customer's consent Shopify cannot tell (down, throttled), with no
// copy of it in Afterglow: the follow-up waits for Shopify and goes out once it answers; only
// Shopify's answer "not subscribed" skips it. The dispatcher as the app wires it, against the
// store simulator and the SendGrid stand-in.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { createSeedStore, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP } from "../../simulator/store";
import { orderCreatedPayload } from "../../simulator/orders";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { importFlows } from "~/services/flows/flows.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { createRuntime } from "~/runtime/runtime.server";
import { loadConfig } from "~/platform/config.server";
import { defaultFlows } from "~/domain/flows";
import { shopifyUnavailableGate } from "~/services/dispatch/gates";
import { turnOnFlow } from "../helpers/flows";

const db = createTestDatabase("consent-unavailable");
const prisma = db.prisma;
const store = createSeedStore();
const KEY = "SG.afterglow-shared-key";
let admin: AdminSimulator;
let sendgrid: SendGridStandIn;

beforeAll(async () => {
  admin = await startAdminSimulator({ stores: [store] });
  sendgrid = await startSendGridStandIn({ apiKeys: [KEY] });
  await storeOfflineToken({ prisma, shop: SIMULATOR_SHOP, accessToken: SIMULATOR_ACCESS_TOKEN });
  await connectShop({ prisma, shop: SIMULATOR_SHOP, profile: { name: store.shop.name, email: store.shop.email } });
  const flow = defaultFlows()[0];
  flow.steps[0].delay = { amount: 0, unit: "minutes" };
  await importFlows(prisma, SIMULATOR_SHOP, { version: 1, flows: [flow] });
  await turnOnFlow({ prisma, shop: SIMULATOR_SHOP });
});
afterAll(async () => {
  await admin.close();
  await sendgrid.close();
  await db.cleanup();
});
beforeEach(async () => {
  sendgrid.clear();
  admin.failFor(0);
  // Smart sending counts earlier sends to the same customer; each test starts afresh.
  await prisma.followUpEvent.deleteMany();
  await prisma.followUp.deleteMany();
  await prisma.customerConsent.deleteMany();
});

// A new customer's first order: no consent copy in Afterglow yet.
async function orderFor(marketingState: string) {
  const customer = store.customers.find((c) => c.defaultEmailAddress?.marketingState === marketingState && c.defaultEmailAddress.emailAddress)!;
  const product = store.products.find((p) => p.status === "ACTIVE" && p.onlineStoreUrl)!;
  const payload = orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: product.id, quantity: 1 }] });
  const outcome = await receiveOrderCreated({ prisma, delivery: { shop: SIMULATOR_SHOP, topic: "orders/create", webhookId: `cu-${payload.id}` }, payload });
  if (outcome.kind !== "scheduled") throw new Error(outcome.kind);
  return outcome.followUps[0].id;
}

const runtime = () =>
  createRuntime({
    prisma,
    config: loadConfig({
      ...process.env,
      SENDGRID_API_KEY: KEY,
      SENDGRID_API_URL: sendgrid.url,
      SHOPIFY_ADMIN_API_URL: admin.url,
      SHOPIFY_APP_URL: "https://afterglow.example.com",
      SHOPIFY_API_SECRET: "consent-unavailable-secret",
      SHOPIFY_WAIT_BACKOFF_MS: "250",
      LOG_LEVEL: "error",
    }),
  });

// Passes of the dispatcher, as its queue would run them, until the follow-up is settled.
async function dispatchUntilSettled(id: string, timeoutMs: number) {
  const rt = runtime();
  const until = Date.now() + timeoutMs;
  for (;;) {
    await rt.dispatcher.drain();
    const f = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    if (f.status !== "scheduled" || Date.now() > until) return f;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const timeline = async (id: string) => prisma.followUpEvent.findMany({ where: { followUpId: id }, orderBy: { at: "asc" } });

describe("when Shopify cannot say whether the customer consents", () => {
  it("holds the follow-up while the Admin API answers 503 for ten seconds, then sends it", async () => {
    const id = await orderFor("SUBSCRIBED");
    admin.failFor(10_000);
    const started = Date.now();
    const rt = runtime();
    await rt.dispatcher.drain();
    const held = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(held).toMatchObject({ status: "scheduled", skipCode: null });
    expect(held.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    const [first] = await timeline(id);
    expect(first).toMatchObject({ type: "awaiting_shopify" });
    expect(first!.detail).toMatch(/^Waiting for Shopify: it did not answer .*HTTP 503.*; next try at \d{4}-\d\d-\d\dT/);

    const f = await dispatchUntilSettled(id, 40_000);
    expect(f.status).toBe("sent");
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
    expect(sendgrid.messages.map((m) => m.customArgs.followUpId)).toEqual([id]);
    // Each pass that found Shopify down said so on the timeline, and nothing skipped it.
    const events = await timeline(id);
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(["awaiting_shopify"]));
    // Holding used no attempt.
    expect(f.attempts).toBeLessThanOrEqual(1);
  }, 60_000);

  it("holds it through THROTTLED answers, then sends it", async () => {
    const id = await orderFor("SUBSCRIBED");
    // More than the client's own quick retries of one request.
    admin.throttleNext(12);
    const f = await dispatchUntilSettled(id, 20_000);
    expect(f.status).toBe("sent");
    const waits = (await timeline(id)).filter((e) => e.type === "awaiting_shopify");
    expect(waits.length).toBeGreaterThanOrEqual(1);
    expect(waits[0]!.detail).toMatch(/Throttled/);
    expect(sendgrid.messages.map((m) => m.customArgs.followUpId)).toEqual([id]);
  }, 30_000);

  it("still skips on Shopify's answer that the customer is not subscribed, after waiting for it", async () => {
    const id = await orderFor("NOT_SUBSCRIBED");
    admin.throttleNext(12);
    const f = await dispatchUntilSettled(id, 20_000);
    expect(f).toMatchObject({ status: "skipped", skipCode: "no_marketing_consent" });
    expect((await timeline(id)).map((e) => e.type)).toContain("awaiting_shopify");
    expect(sendgrid.messages).toHaveLength(0);
  }, 30_000);
});

describe("how long a follow-up waits for Shopify", () => {
  const policy = { baseDelayMs: 30_000, maxDelayMs: 2 * 3_600_000, maxWaitMs: 3 * 86_400_000 };
  const dueAt = new Date("2026-01-05T10:00:00Z");
  const gate = (waitsSoFar: number, now: Date, retryAfterMs: number | null = null) =>
    shopifyUnavailableGate({ reason: "HTTP 503", retryAfterMs, waitsSoFar, dueAt, now, policy });
  const delay = (r: ReturnType<typeof gate>, now: Date) => (r.kind === "hold" ? r.until.getTime() - now.getTime() : null);

  it("waits minutes, then hours, and longer when Shopify asks for longer", () => {
    expect([0, 1, 2, 5, 8, 20].map((n) => delay(gate(n, dueAt), dueAt))).toEqual([30_000, 60_000, 120_000, 960_000, 2 * 3_600_000, 2 * 3_600_000]);
    expect(delay(gate(0, dueAt, 90_000), dueAt)).toBe(90_000);
    expect(gate(0, dueAt)).toMatchObject({ kind: "hold", event: "awaiting_shopify" });
  });

  it("fails, never skips as no consent, once the wait outlasts SHOPIFY_WAIT_MAX_MS", () => {
    const late = new Date(dueAt.getTime() + policy.maxWaitMs);
    expect(gate(30, late)).toMatchObject({ kind: "fail", reason: expect.stringMatching(/did not refuse/) });
    // The last wait ends at the deadline, not after it.
    const almost = new Date(late.getTime() - 60_000);
    expect(delay(gate(30, almost), almost)).toBe(60_000);
  });
});
