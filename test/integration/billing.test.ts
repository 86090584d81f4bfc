// Plans on a real database with the store simulator: two dispatchers racing over a shop past its
// free allowance send exactly the allowance of marketing emails (service ones all), the rest are
// held with the merchant's reason; subscribing through Shopify's Billing API releases them, each
// sent once; app_subscriptions/update keeps the plan current and refuses what is not the shop's.
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const ctx = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({ name: "billing", apiKey: "billing-key", secret: "billing-secret", env: { AFTERGLOW_FREE_EMAILS_PER_MONTH: "5" } }),
);

import prisma, { closePrisma, createPrismaClient } from "~/db.server";
import { createOutboxTransport } from "~/adapters/mail/outbox.server";
import { prepareFollowUp } from "~/email/prepare.server";
import { renderFollowUp } from "~/email/render.server";
import { createDispatcher } from "~/services/dispatch/dispatcher.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { importFlows } from "~/services/flows/flows.server";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { adminClientForShop } from "~/adapters/shopify-admin/index.server";
import { currentPlan, heldFollowUps, planOverview, requestSubscription, switchToFree, syncActiveSubscriptions } from "~/services/billing/plans.server";
import { cancelAppSubscription, SubscriptionRefusedError } from "~/adapters/shopify-admin/billing.server";
import { handleWebhook } from "~/webhooks/receive.server";
import { WEBHOOK_HANDLERS } from "~/webhooks/topics.server";
import { createLogger } from "~/platform/logger.server";
import { followUpTimeline } from "~/services/messages/timeline.server";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { decide, billingOf, subscriptionWebhookBody } from "../../simulator/billing";
import { createSeedStore, type SeedStore } from "../../simulator/store";
import { signedWebhook } from "../helpers/webhooks";
import type { PrismaClient } from "@prisma/client";

const SHOP = "billing-test.myshopify.com";
const OTHER = "billing-other.myshopify.com";
const FREE = 5;
let admin: AdminSimulator;
let store: SeedStore;
let second: PrismaClient;
const clock = new Date("2026-05-10T12:00:00Z");

function dispatcher(db: PrismaClient) {
  return createDispatcher({
    prisma: db,
    transport: createOutboxTransport(db),
    recommend: async () => [],
    render: async (req) => renderFollowUp(await prepareFollowUp(req)),
    now: () => clock,
    plans: { freeEmailsPerMonth: FREE },
    logger: createLogger({}, { write: () => {} }),
  });
}

let seq = 0;
async function order(shop = SHOP) {
  const n = ++seq;
  const outcome = await receiveOrderCreated({
    prisma,
    delivery: { shop, topic: "orders/create", webhookId: `wh-${randomUUID()}` },
    payload: {
      id: 7000 + n,
      name: `#${7000 + n}`,
      email: `buyer${n}@example.com`,
      created_at: new Date(clock.getTime() - 3_600_000).toISOString(),
      currency: "USD",
      total_price: "30.00",
      customer: { id: 500 + n, first_name: "Ada" },
      line_items: [{ id: 1, product_id: 100, quantity: 1, price: "30.00" }],
    },
    now: new Date(clock.getTime() - 3_600_000),
  });
  if (outcome.kind !== "scheduled") throw new Error(`not scheduled: ${outcome.kind}`);
}

const sentPerFollowUp = async () => {
  const rows = await prisma.outboxMessage.findMany({ where: { shop: SHOP }, select: { followUpId: true } });
  const per = new Map<string, number>();
  for (const r of rows) per.set(r.followUpId!, (per.get(r.followUpId!) ?? 0) + 1);
  return per;
};

beforeAll(async () => {
  const accessToken = `shpat_${randomUUID().replace(/-/g, "")}`;
  store = createSeedStore({ shop: SHOP, accessToken });
  admin = await startAdminSimulator({ stores: [store, createSeedStore({ shop: OTHER })] });
  process.env.SHOPIFY_ADMIN_API_URL = admin.url;
  await storeOfflineToken({ prisma, shop: SHOP, accessToken, scope: "read_orders" });
  for (const shop of [SHOP, OTHER]) {
    await connectShop({ prisma, shop, profile: { name: "Juniper & Pine", email: "hello@juniper.example", address: "1 Main St", ianaTimezone: "UTC" } });
    // Two flows at once after the order: a marketing thank-you and a service care guide.
    await importFlows(prisma, shop, {
      version: 1,
      flows: [
        { key: "thanks", name: "Thanks", trigger: "order_created", active: true, steps: [{ key: "thanks", delay: { amount: 0, unit: "minutes" }, template: "thank-you", subject: "Thanks {{ order.name }}" }] },
        {
          key: "care",
          name: "Care",
          trigger: "order_created",
          active: false, // turned on by the second test
          steps: [{ key: "care", delay: { amount: 0, unit: "minutes" }, template: "care-guide", category: "service", subject: "Caring for it" }],
        },
      ],
    });
  }
  // On PostgreSQL the second dispatcher has its own pool. SQLite's driver is synchronous: a second
  // client in this process would block the event loop in its busy wait while the first holds the
  // lock, so both share one connection and their statements interleave (separate processes race
  // on SQLite in test/e2e/billing.test.ts).
  second = ctx.database.kind === "postgresql" ? createPrismaClient(ctx.url) : prisma;
}, 60_000);

afterAll(async () => {
  if (second !== prisma) await closePrisma(second);
  await admin?.close();
  await ctx.cleanup();
});

describe("the free allowance", () => {
  it("two dispatchers racing send exactly the allowance of marketing emails; the rest are held with the reason", async () => {
    for (let i = 0; i < 12; i++) await order();
    const [a, b] = await Promise.all([dispatcher(prisma).drain({ limit: 3 }), dispatcher(second).drain({ limit: 3 })]);
    expect(a.claimed + b.claimed).toBeGreaterThanOrEqual(12);

    const marketing = await prisma.followUp.findMany({ where: { shop: SHOP } });
    expect(marketing.filter((f) => f.status === "sent")).toHaveLength(FREE);
    const held = marketing.filter((f) => f.status === "scheduled");
    expect(held).toHaveLength(12 - FREE);
    for (const f of held) {
      expect(f.skipCode).toBe("plan_limit");
      expect(f.skipReason).toMatch(/^Held: the Free plan includes 5 emails a month and this month's are used up\. It goes out as soon as you choose a larger plan on the Plans page/);
      expect(f.nextAttemptAt.getTime()).toBeGreaterThan(clock.getTime());
      expect((await followUpTimeline(prisma, f.id)).filter((e) => e.type === "plan_limit")).toHaveLength(1);
    }
    const per = await sentPerFollowUp();
    expect(per.size).toBe(FREE);
    expect([...per.values()].every((n) => n === 1)).toBe(true);
    expect(await prisma.monthlyEmailCount.findUnique({ where: { shop_month: { shop: SHOP, month: "2026-05" } } })).toMatchObject({ sent: FREE });
  });

  it("service follow-ups go out past the allowance and count; their orders' marketing ones wait too", async () => {
    await prisma.flow.updateMany({ where: { shop: SHOP, key: "care" }, data: { active: true } });
    const { shopSettingsChanged } = await import("~/services/flows/flows.server");
    shopSettingsChanged();
    for (let i = 0; i < 3; i++) await order();
    await Promise.all([dispatcher(prisma).drain({ limit: 2 }), dispatcher(second).drain({ limit: 2 })]);
    const service = await prisma.followUp.findMany({ where: { shop: SHOP, category: "service" } });
    expect(service.map((f) => f.status)).toEqual(["sent", "sent", "sent"]);
    expect(await heldFollowUps(prisma, SHOP)).toBe(10);
    expect(await prisma.monthlyEmailCount.findUnique({ where: { shop_month: { shop: SHOP, month: "2026-05" } } })).toMatchObject({ sent: FREE + 3 });
    const overview = await planOverview(prisma, { shop: SHOP, now: clock, freeEmailsPerMonth: FREE });
    expect(overview).toMatchObject({ plan: "free", held: 10, usage: { sent: 8, allowance: 5, remaining: 0, reached: true } });
    expect(overview.banner?.title).toBe("10 marketing follow-ups are held: this month's emails on Free (5 emails a month) are used up");
  });

  it("a later pass leaves them held, with no second timeline entry", async () => {
    await prisma.followUp.updateMany({ where: { shop: SHOP, skipCode: "plan_limit" }, data: { nextAttemptAt: clock } });
    const summary = await dispatcher(prisma).drain();
    expect(summary).toMatchObject({ claimed: 10, sent: 0 });
    expect(await heldFollowUps(prisma, SHOP)).toBe(10);
    const one = await prisma.followUp.findFirstOrThrow({ where: { shop: SHOP, skipCode: "plan_limit" } });
    expect((await followUpTimeline(prisma, one.id)).filter((e) => e.type === "plan_limit")).toHaveLength(1);
  });
});

describe("subscribing", () => {
  it("asks Shopify for the plan, and a development store for a test charge only", async () => {
    const client = await adminClientForShop({ prisma, shop: SHOP, urlTemplate: admin.url });
    store.shop.partnerDevelopment = true;
    const { confirmationUrl, test } = await requestSubscription({ prisma, client, shop: SHOP, plan: "growth", returnUrl: "https://afterglow.test/app/plans?subscribed=1" });
    expect(test).toBe(true);
    expect(confirmationUrl).toMatch(/\/billing-test\.myshopify\.com\/admin\/charges\/\d+\/RecurringApplicationCharge\/confirm_recurring_application_charge\?signature=/);
    const [pending] = billingOf(store).subscriptions;
    expect(pending).toMatchObject({ name: "Afterglow Growth", status: "PENDING", test: true, trialDays: 7 });
    expect(pending.lineItems[0].pricing).toMatchObject({ kind: "recurring", price: { amount: "19.00", currencyCode: "USD" }, interval: "EVERY_30_DAYS" });
    expect(await prisma.planSubscription.findUniqueOrThrow({ where: { id: pending.id } })).toMatchObject({ shop: SHOP, plan: "growth", status: "PENDING", test: true });
    expect(await currentPlan(prisma, SHOP)).toBe("free");
  });

  it("is refused as Shopify refuses a real charge on a development store (the simulator holds the rule)", async () => {
    const { createAppSubscription } = await import("~/adapters/shopify-admin/billing.server");
    const client = await adminClientForShop({ prisma, shop: SHOP, urlTemplate: admin.url });
    await expect(
      createAppSubscription(client, { name: "Afterglow Growth", returnUrl: "https://afterglow.test/app/plans", test: false, trialDays: 0, price: { amount: "19.00", currencyCode: "USD" }, interval: "EVERY_30_DAYS" }),
    ).rejects.toThrow(SubscriptionRefusedError);
    store.shop.partnerDevelopment = false;
  });

  it("releases the held follow-ups once approved; the next pass sends each once", async () => {
    const [pending] = billingOf(store).subscriptions;
    const heldIds = (await prisma.followUp.findMany({ where: { shop: SHOP, skipCode: "plan_limit" }, select: { id: true } })).map((f) => f.id);
    const back = await decide(store, pending, "approve", null);
    expect(back).toBe(`https://afterglow.test/app/plans?subscribed=1&charge_id=${pending.id.split("/").pop()}`);
    const client = await adminClientForShop({ prisma, shop: SHOP, urlTemplate: admin.url });
    const synced = await syncActiveSubscriptions({ prisma, client, shop: SHOP, now: clock });
    expect(synced).toEqual({ plan: "growth", released: 10 });
    expect(await heldFollowUps(prisma, SHOP)).toBe(0); // released: due now, no longer held
    const [a, b] = await Promise.all([dispatcher(prisma).drain({ limit: 2 }), dispatcher(second).drain({ limit: 2 })]);
    expect(a.sent + b.sent).toBe(10);
    expect(await heldFollowUps(prisma, SHOP)).toBe(0);
    const per = await sentPerFollowUp();
    expect(per.size).toBe(18);
    expect([...per.values()].every((n) => n === 1)).toBe(true);
    const released = await prisma.followUp.findUniqueOrThrow({ where: { id: heldIds[0] } });
    expect(released).toMatchObject({ status: "sent", skipCode: null, skipReason: null });
    expect((await followUpTimeline(prisma, released.id)).map((e) => e.type)).toEqual(["scheduled", "plan_limit", "released", "sent"]);
  });
});

describe("app_subscriptions/update", () => {
  const post = (payload: unknown, { secret = ctx.secret, shop = SHOP } = {}) => {
    return handleWebhook(signedWebhook({ topic: "app_subscriptions/update", shop, payload, secret }), WEBHOOK_HANDLERS["app_subscriptions/update"]);
  };
  const cancelled = (updatedAt: Date) => {
    const s = billingOf(store).subscriptions[0];
    return subscriptionWebhookBody(store, { ...s, status: "CANCELLED", updatedAt: updatedAt.toISOString() });
  };
  const rows = async () => (await prisma.planSubscription.findMany({ orderBy: { id: "asc" } })).map((r) => `${r.id}:${r.status}:${r.statusAt?.toISOString()}`);

  it("answers 401 to a bad HMAC and stores nothing", async () => {
    const before = await rows();
    const res = await post(cancelled(new Date(Date.now() + 60_000)), { secret: "not-the-secret" });
    expect(res.status).toBe(401);
    expect(await rows()).toEqual(before);
    expect(await currentPlan(prisma, SHOP)).toBe("growth");
  });

  it("refuses another shop's subscription (400) and a body of the wrong shape, storing nothing", async () => {
    const before = await rows();
    expect((await post(cancelled(new Date(Date.now() + 60_000)), { shop: OTHER })).status).toBe(400);
    expect((await post({ app_subscription: { admin_graphql_api_id: "gid://shopify/AppSubscription/1", status: "GONE", name: "x" } })).status).toBe(400);
    expect((await post({ id: 1 })).status).toBe(400);
    expect(await rows()).toEqual(before);
  });

  it("takes CANCELLED back to the free plan, and an older status never undoes a newer one", async () => {
    const later = new Date(Date.now() + 60_000);
    expect((await post(cancelled(later))).status).toBe(200);
    expect(await currentPlan(prisma, SHOP)).toBe("free");
    const s = billingOf(store).subscriptions[0];
    const olderActive = subscriptionWebhookBody(store, { ...s, status: "ACTIVE", updatedAt: new Date(later.getTime() - 30_000).toISOString() });
    expect((await post(olderActive)).status).toBe(200);
    expect(await currentPlan(prisma, SHOP)).toBe("free");
  });
});

describe("switching to Free", () => {
  let app: http.Server;
  beforeAll(async () => {
    // The app's webhook route, for the simulator's app_subscriptions/update deliveries.
    app = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        const request = new Request(`https://afterglow.test${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) });
        void handleWebhook(request, WEBHOOK_HANDLERS["app_subscriptions/update"]).then(async (answer) => res.writeHead(answer.status).end(await answer.text()));
      });
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    admin.deliverWebhooksTo({ appUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}`, secret: ctx.secret });
  });
  afterAll(async () => {
    admin.deliverWebhooksTo(null);
    await new Promise((resolve) => app.close(resolve));
  });

  it("cancels the paid subscription through the Admin API; Shopify's CANCELLED webhook agrees, and the shop is on Free", async () => {
    const client = await adminClientForShop({ prisma, shop: SHOP, urlTemplate: admin.url });
    await requestSubscription({ prisma, client, shop: SHOP, plan: "growth", returnUrl: "https://afterglow.test/app/plans" });
    const pending = billingOf(store).subscriptions.find((s) => s.status === "PENDING")!;
    await decide(store, pending, "approve", null);
    await syncActiveSubscriptions({ prisma, client, shop: SHOP, now: clock });
    expect(await currentPlan(prisma, SHOP)).toBe("growth");

    const since = admin.requests.length;
    expect(await switchToFree({ prisma, client, shop: SHOP, now: clock })).toEqual({ cancelled: 1, plan: "free" });
    expect(admin.requests.slice(since).map((r) => r.operationName)).toEqual(["AppSubscriptionCancel"]);
    expect(billingOf(store).subscriptions.find((s) => s.id === pending.id)).toMatchObject({ status: "CANCELLED" });
    expect(await prisma.planSubscription.findUniqueOrThrow({ where: { id: pending.id } })).toMatchObject({ status: "CANCELLED" });
    expect(await currentPlan(prisma, SHOP)).toBe("free");
    // Shopify's webhook arrives after the mutation's answer, is taken (200), and changes nothing more.
    await vi.waitFor(() => expect(admin.subscriptionWebhooks(SHOP)).toContainEqual({ subscriptionId: pending.id, status: "CANCELLED", answer: 200 }));
    expect(await currentPlan(prisma, SHOP)).toBe("free");
    expect((await planOverview(prisma, { shop: SHOP, now: clock })).usage.allowance).toBe(FREE);
  });

  it("nothing to cancel on Free; Shopify refuses to cancel a subscription twice or one that is not the app's", async () => {
    const client = await adminClientForShop({ prisma, shop: SHOP, urlTemplate: admin.url });
    const since = admin.requests.length;
    expect(await switchToFree({ prisma, client, shop: SHOP, now: clock })).toEqual({ cancelled: 0, plan: "free" });
    expect(admin.requests.length).toBe(since);
    const cancelled = billingOf(store).subscriptions.find((s) => s.status === "CANCELLED")!;
    await expect(cancelAppSubscription(client, cancelled.id)).rejects.toThrow(/cannot be cancelled/);
    await expect(cancelAppSubscription(client, "gid://shopify/AppSubscription/1")).rejects.toThrow(SubscriptionRefusedError);
  });
});
