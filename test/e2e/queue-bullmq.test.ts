// Distributed mode: BullMQ on a private Redis, `npm run worker` processes, the built web server
// with REDIS_URL, the store simulator and the SendGrid stand-in. Counts what reached the stand-in.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freePort, startApp, TEST_API_SECRET } from "../../scripts/harness";
import { startRedis, startWorker, type RedisInstance, type WorkerProcess } from "../../scripts/faults/services";
import type { AdminSimulator } from "../../simulator/admin-api";
import type { SendGridStandIn } from "../../simulator/sendgrid";
import { SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { orderCreatedPayload } from "../../simulator/orders";
import { sendWebhook } from "../../simulator/webhooks";
import { sendThankYouAtOnce } from "../../scripts/faults/scenario";
import type { createPrismaClient } from "~/db.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { followUpTimeline } from "~/services/messages/timeline.server";
import { createBullMqQueue, type BullMqFollowUpQueue } from "~/runtime/bullmq-queue.server";
import { createLogger } from "~/platform/logger.server";
import { startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
let env: Record<string, string>;
let store: SeedStore;
let admin: AdminSimulator;
let sendgrid: SendGridStandIn;
let redis: RedisInstance;
let prisma: ReturnType<typeof createPrismaClient>;
let producer: BullMqFollowUpQueue;
const workers: WorkerProcess[] = [];
const quiet = createLogger({}, { level: "error" });

async function scheduleOrders(n: number): Promise<{ id: string; dueAt: Date }[]> {
  const customer = store.customers.find((c) => c.defaultEmailAddress?.marketingState === "SUBSCRIBED")!;
  const products = store.products.filter((p) => p.status === "ACTIVE");
  const scheduled: { id: string; dueAt: Date }[] = [];
  for (let i = 0; i < n; i++) {
    const payload = orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: products[i % products.length].id, quantity: 1 }], record: false });
    const outcome = await receiveOrderCreated({ prisma, delivery: { shop: SIMULATOR_SHOP, topic: "orders/create", webhookId: randomUUID() }, payload });
    if (outcome.kind !== "scheduled") throw new Error(outcome.kind);
    scheduled.push(...outcome.followUps);
  }
  return scheduled;
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const logs = workers.map((w) => w.logs.slice(-20).join("\n")).join("\n--\n");
      throw new Error(`Timed out waiting for ${what}; workers said:\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function mailedOnce(ids: string[]) {
  const mailed = sendgrid.messages.map((m) => m.customArgs.followUpId);
  expect(mailed.length).toBe(ids.length);
  expect(new Set(mailed)).toEqual(new Set(ids));
}

const worker = async (extra: Record<string, string> = {}) => {
  const w = await startWorker({ ...env, ...extra });
  workers.push(w);
  return w;
};

beforeAll(async () => {
  redis = await startRedis();
  stack = await startTestStack({
    name: "bullmq",
    sendgridKey: "SG.queue-key",
    env: { REDIS_URL: redis.url, RECONCILE_INTERVAL_MS: "60000", LOG_LEVEL: "info" },
  });
  ({ store, admin, sendgrid, env, prisma } = stack);
  await sendThankYouAtOnce(prisma);
  producer = createBullMqQueue({ redisUrl: redis.url, prisma, role: "web", logger: quiet });
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await producer?.close();
  await stack?.stop();
  await redis?.stop();
});

beforeEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.kill()));
  redis.cli("flushall");
  await prisma.followUp.updateMany({ where: { status: { in: ["scheduled", "sending"] } }, data: { status: "cancelled" } });
  sendgrid.clear();
});

describe("BullMQ queue", () => {
  it("enqueues a follow-up once however often it is scheduled (job id = follow-up id)", async () => {
    const dueAt = new Date(Date.now() + 3_600_000);
    await producer.followUpsScheduled([{ id: "fu-once", dueAt }]);
    await producer.followUpsScheduled([{ id: "fu-once", dueAt }]);
    await producer.followUpsScheduled([{ id: "fu-once", dueAt }, { id: "fu-other", dueAt }]);
    const counts = await producer.counts();
    expect(counts.delayed).toBe(2);
    expect(counts.wait + counts.active).toBe(0);
  });

  it("a web process with REDIS_URL enqueues webhooks' follow-ups and sends nothing itself", async () => {
    const port = await freePort();
    const app = await startApp({ env: { ...env, DISPATCH_INTERVAL_MS: "100", SHOPIFY_APP_URL: `http://127.0.0.1:${port}` }, port });
    try {
      const customer = store.customers.find((c) => c.defaultEmailAddress?.marketingState === "SUBSCRIBED")!;
      const payload = orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: store.products[0].id, quantity: 1 }], record: false });
      const res = await sendWebhook(`${app.url}/webhooks/orders/create`, { topic: "orders/create", shop: SIMULATOR_SHOP, payload, secret: TEST_API_SECRET });
      expect(res.status).toBe(200);
      const followUp = await prisma.followUp.findFirstOrThrow({ where: { status: "scheduled" }, orderBy: { createdAt: "desc" } });
      // Due now, and the web process's poller would have run twenty times by now.
      await new Promise((r) => setTimeout(r, 2_000));
      expect(sendgrid.requests).toHaveLength(0);
      expect((await prisma.followUp.findUniqueOrThrow({ where: { id: followUp.id } })).status).toBe("scheduled");
      expect(redis.cli("exists", `afterglow:follow-ups:${followUp.id}`)).toBe("1");

      // A worker sends it.
      await worker();
      await waitFor("the email", () => sendgrid.messages.length === 1);
      mailedOnce([followUp.id]);
    } finally {
      await app.stop();
    }
  }, 60_000);

  it("two workers send every enqueued follow-up exactly once, and a job run twice sends once", async () => {
    const scheduled = await scheduleOrders(40);
    await producer.followUpsScheduled(scheduled);
    const [a, b] = await Promise.all([worker({ WORKER_CONCURRENCY: "4" }), worker({ WORKER_CONCURRENCY: "4" })]);
    await waitFor("40 sent", async () => (await prisma.followUp.count({ where: { id: { in: scheduled.map((s) => s.id) }, status: "sent" } })) === 40);
    // The same job again after it finished: the claim finds nothing due.
    await producer.followUpsScheduled(scheduled.slice(0, 5).map((s) => ({ ...s, dueAt: new Date() })));
    await waitFor("the queue to drain", async () => {
      const c = await producer.counts();
      return c.wait + c.active + c.delayed === 0;
    });
    mailedOnce(scheduled.map((s) => s.id));
    expect(a.sentCount() + b.sentCount()).toBe(40);
    expect(a.sentCount()).toBeGreaterThan(0);
    expect(b.sentCount()).toBeGreaterThan(0);
  }, 60_000);

  it("Redis flushed: the reconciler restores every due follow-up from the database, each sent once", async () => {
    const scheduled = await scheduleOrders(30);
    await producer.followUpsScheduled(scheduled);
    expect((await producer.counts()).wait).toBe(30);
    redis.cli("flushall");
    expect((await producer.counts()).wait).toBe(0);

    const restored = await producer.reconcile();
    expect(restored.enqueued).toBe(30);
    // Enqueued already: a second pass (lock lapsed) finds nothing missing.
    redis.cli("del", "afterglow:follow-ups:reconciler-lock");
    expect((await producer.reconcile()).enqueued).toBe(0);

    // And a worker reconciles by itself: flush again and start one.
    redis.cli("flushall");
    await worker({ RECONCILE_INTERVAL_MS: "500" });
    await waitFor("30 emails", () => sendgrid.messages.length >= 30);
    await new Promise((r) => setTimeout(r, 1_000));
    mailedOnce(scheduled.map((s) => s.id));
  }, 60_000);

  it("SIGTERM: an in-flight send finishes, the worker exits 0", async () => {
    const [followUp] = await scheduleOrders(1);
    sendgrid.delayNext(1_500);
    const w = await worker({ SHUTDOWN_TIMEOUT_MS: "10000" });
    await producer.followUpsScheduled([followUp]);
    await waitFor("the claim", async () => (await prisma.followUp.findUniqueOrThrow({ where: { id: followUp.id } })).status === "sending");
    await new Promise((r) => setTimeout(r, 300));
    expect(await w.stop()).toBe(0);
    mailedOnce([followUp.id]);
    expect((await prisma.followUp.findUniqueOrThrow({ where: { id: followUp.id } })).status).toBe("sent");
  }, 60_000);

  it("SIGTERM: a follow-up still unsent at the deadline goes back to the queue and another worker sends it", async () => {
    const [followUp] = await scheduleOrders(1);
    admin.delayNext(3_000); // the Admin API is slow: the job is still before its send at the deadline
    const w = await worker({ SHUTDOWN_TIMEOUT_MS: "300" });
    await producer.followUpsScheduled([followUp]);
    await waitFor("the claim", async () => (await prisma.followUp.findUniqueOrThrow({ where: { id: followUp.id } })).status === "sending");
    expect(await w.stop()).toBe(0);
    expect(sendgrid.requests).toHaveLength(0);
    const returned = await prisma.followUp.findUniqueOrThrow({ where: { id: followUp.id } });
    expect(returned.status).toBe("scheduled");
    expect(returned.claimToken).toBeNull();
    expect(returned.attempts).toBe(0);
    expect((await followUpTimeline(prisma, followUp.id)).map((e) => e.type)).toContain("returned");
    const c = await producer.counts();
    expect(c.delayed + c.wait).toBe(1);

    await worker();
    await waitFor("the email", () => sendgrid.messages.length === 1);
    mailedOnce([followUp.id]);
  }, 60_000);

  it("the SendGrid rate limit holds across two workers", async () => {
    const scheduled = await scheduleOrders(30);
    const limited = { SENDGRID_RATE_LIMIT: "10", SENDGRID_RATE_LIMIT_WINDOW_MS: "1000", WORKER_CONCURRENCY: "2" };
    const [a, b] = await Promise.all([worker(limited), worker(limited)]);
    const started = Date.now();
    await producer.followUpsScheduled(scheduled);
    await waitFor("30 emails", () => sendgrid.messages.length >= 30);
    const elapsed = Date.now() - started;
    mailedOnce(scheduled.map((s) => s.id));
    expect(a.sentCount()).toBeGreaterThan(0);
    expect(b.sentCount()).toBeGreaterThan(0);
    // 10 per second for both together: 30 emails span at least two full windows. Unlimited,
    // the two workers send 30 in well under a second.
    expect(elapsed).toBeGreaterThanOrEqual(2_000);
    // The gate holds right at the send, so no second of SendGrid's log holds much more than 10:
    // a worker busy rendering another email delays a granted send a little, so allow 4 more. A
    // limit kept per worker would let 20 through in a second.
    const times = sendgrid.requests.map((r) => Date.parse(r.receivedAt)).sort((x, y) => x - y);
    let busiest = 0;
    for (let i = 0; i < times.length; i++) {
      let j = i;
      while (j < times.length && times[j] - times[i] < 1_000) j++;
      busiest = Math.max(busiest, j - i);
    }
    expect(busiest).toBeLessThanOrEqual(14);
    expect(times[times.length - 1] - times[0]).toBeGreaterThanOrEqual(1_900);
  }, 60_000);
});
