// Missed-webhook reconciliation end to end: orders placed in the store simulator, some of their
// webhooks delivered (signed, to the built server), some lost; then `afterglow reconcile` must
// restore exactly the missing follow-ups, and nothing more on a second run or a late webhook.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startApp, TEST_API_SECRET, type RunningApp } from "../../scripts/harness";
import type { AdminSimulator } from "../../simulator/admin-api";
import { SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { orderCancelledPayload, orderCreatedPayload, type OrderPayload } from "../../simulator/orders";
import { sendWebhook } from "../../simulator/webhooks";
import type { createPrismaClient } from "~/db.server";
import { reconcileOrders } from "~/services/intake/reconcile-orders.server";
import { createAdminClient } from "~/adapters/shopify-admin/index.server";
import { turnOnFlow } from "../helpers/flows";
import { startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
let env: Record<string, string>;
let store: SeedStore;
let admin: AdminSimulator;
let app: RunningApp;
let prisma: ReturnType<typeof createPrismaClient>;
let orders: OrderPayload[];
let cancelled: OrderPayload;

async function cli(...args: string[]) {
  const r = await runCli(args, env);
  if (r.status !== 0) throw new Error(`afterglow ${args.join(" ")} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const deliver = (payload: OrderPayload, topic = "orders/create") =>
  sendWebhook(`${app.url}/webhooks/${topic}`, { topic, shop: SIMULATOR_SHOP, payload, secret: TEST_API_SECRET });

// Follow-ups by order, as "flowId/stepKey" keys with their row ids.
async function followUpsByOrder() {
  const rows = await prisma.followUp.findMany({ orderBy: { createdAt: "asc" } });
  const byOrder = new Map<string, { key: string; id: string }[]>();
  for (const r of rows) byOrder.set(r.orderId, [...(byOrder.get(r.orderId) ?? []), { key: `${r.flowId}/${r.stepKey}`, id: r.id }]);
  return byOrder;
}

beforeAll(async () => {
  stack = await startTestStack({
    name: "reconcile",
    sendgrid: false,
    env: {
      AFTERGLOW_WORKER: "off", // nothing is sent: this is about what gets scheduled
      MAIL_TRANSPORT: "outbox",
    },
  });
  ({ store, admin, env, prisma } = stack);
  await turnOnFlow({ prisma, shop: SIMULATOR_SHOP });
  app = await startApp({ env });

  // Seven orders reach the store (and its Admin API); one more is cancelled before anyone hears of it.
  const customers = [0, 3, 6, 0, 3, 6, 0].map((i) => store.customers.filter((c) => c.email)[i % 4].id);
  orders = customers.map((customerId, i) =>
    orderCreatedPayload({ store, customerId, lines: [{ productId: store.products[i % 3].id, quantity: 1 }] }),
  );
  const doomed = orderCreatedPayload({ store, customerId: customers[0], lines: [{ productId: store.products[0].id, quantity: 2 }] });
  cancelled = orderCancelledPayload(doomed, { store });
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await stack?.stop();
});

describe("order reconciliation", () => {
  it("restores exactly the follow-ups whose webhooks never arrived or were lost", async () => {
    // Orders 0-3 are delivered; 4-6 never are (Shopify gave up, or we were down).
    for (const order of orders.slice(0, 4)) expect((await deliver(order)).status).toBe(200);
    const flows = await prisma.flow.findMany({ where: { shop: SIMULATOR_SHOP, active: true }, include: { steps: true } });
    const perOrder = flows.reduce((n, f) => n + f.steps.length, 0);
    expect(perOrder).toBeGreaterThan(0);
    expect(await prisma.followUp.count()).toBe(4 * perOrder);

    // Order 1 loses its follow-ups and its delivery record; order 2 is lost from the database entirely.
    const gid = (o: OrderPayload) => o.admin_graphql_api_id;
    await prisma.followUp.deleteMany({ where: { orderId: gid(orders[1]) } });
    await prisma.webhookDelivery.deleteMany({ where: { orderId: { in: [gid(orders[1]), gid(orders[2])] } } });
    await prisma.order.deleteMany({ where: { orderId: gid(orders[2]) } });
    const kept = await followUpsByOrder();
    expect([...kept.keys()].sort()).toEqual([gid(orders[0]), gid(orders[3])].sort());

    const out = await cli("reconcile", "--shop", SIMULATOR_SHOP);
    const missing = [1, 2, 4, 5, 6];
    expect(out).toContain(`Restored ${missing.length * perOrder} follow-ups for ${missing.length} orders.`);

    const after = await followUpsByOrder();
    // Every order that was not cancelled has its follow-ups once; the cancelled one has none.
    expect([...after.keys()].sort()).toEqual(orders.map(gid).sort());
    const expectedKeys = flows.flatMap((f) => f.steps.map((s) => `${f.id}/${s.key}`)).sort();
    for (const order of orders) expect(after.get(gid(order))!.map((f) => f.key).sort()).toEqual(expectedKeys);
    expect(after.has(gid(cancelled))).toBe(false);
    // What was there is untouched: the same rows, not new copies.
    for (const o of [orders[0], orders[3]]) expect(after.get(gid(o))).toEqual(kept.get(gid(o)));
    // Restored follow-ups are due as their webhook would have made them: an hour after the order.
    const restored = await prisma.followUp.findFirstOrThrow({ where: { orderId: gid(orders[5]) }, include: { order: true } });
    expect(restored.status).toBe("scheduled");
    expect(restored.dueAt.getTime() - restored.order.orderedAt.getTime()).toBe(3600_000);
    expect(restored.order).toMatchObject({ name: orders[5].name, email: orders[5].email, currency: orders[5].presentment_currency });
    // The cursor moved, and the run left a record of what it did.
    const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: SIMULATOR_SHOP } });
    expect(shop.ordersReconciledAt).not.toBeNull();
    expect(await prisma.webhookDelivery.count({ where: { topic: "reconcile/orders" } })).toBe(missing.length);
  });

  it("adds nothing on a second run over the same window, read page by page", async () => {
    const before = await prisma.followUp.count();
    const deliveries = await prisma.webhookDelivery.count();
    const results = await reconcileOrders({
      prisma,
      shop: SIMULATOR_SHOP,
      adminApiUrl: admin.url,
      pageSize: 2, // eight orders: four pages
      clientFor: async (shop) => createAdminClient({ shop, accessToken: SIMULATOR_ACCESS_TOKEN, urlTemplate: admin.url }),
    });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ shop: SIMULATOR_SHOP, listed: 8, restoredOrders: 0, followUpsScheduled: 0, complete: 7, cancelled: 1 });
    expect(results[0].error).toBeUndefined();
    expect(await prisma.followUp.count()).toBe(before);
    expect(await prisma.webhookDelivery.count()).toBe(deliveries);
    // After a restart only shops not reconciled for a while are taken; this one just was.
    const cursor = (await prisma.shop.findUniqueOrThrow({ where: { domain: SIMULATOR_SHOP } })).ordersReconciledAt!;
    expect(await reconcileOrders({ prisma, adminApiUrl: admin.url, staleBefore: cursor })).toEqual([]);
  });

  it("a webhook arriving after the reconciler restored its order schedules nothing more", async () => {
    const before = await prisma.followUp.count();
    expect((await deliver(orders[6])).status).toBe(200);
    expect((await deliver(cancelled, "orders/cancelled")).status).toBe(200);
    expect(await prisma.followUp.count()).toBe(before);
  });

  it("reports a shop whose Admin API refuses, and keeps its cursor for the next run", async () => {
    const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: SIMULATOR_SHOP } });
    const results = await reconcileOrders({
      prisma,
      adminApiUrl: admin.url,
      clientFor: async (s) => createAdminClient({ shop: s, accessToken: "shpat_revoked", urlTemplate: admin.url, maxRetries: 0 }),
    });
    expect(results[0].error).toMatch(/access token|401/i);
    const again = await prisma.shop.findUniqueOrThrow({ where: { domain: SIMULATOR_SHOP } });
    expect(again.ordersReconciledAt).toEqual(shop.ordersReconciledAt);
  });
});
