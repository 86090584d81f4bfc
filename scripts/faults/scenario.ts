// One distributed-mode setup shared by the worker benchmark and the fault scripts: the SendGrid
// stand-in and the store simulator in processes of their own, a private Redis, a database
// (DATABASE_URL, or a fresh SQLite file), one connected shop with an immediate thank-you flow,
// and N due follow-ups. Counts what the stand-in accepted per follow-up id.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import { ensureBuilt, migrateDeploy, startApp, type RunningApp } from "../harness";
import { createEventWebhookKeys } from "../../simulator/sendgrid-events";
import { startChildService, type ChildService } from "../../bench/lib";
import { createSeedStore, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { orderCreatedPayload } from "../../simulator/orders";
import { closePrisma, createPrismaClient } from "../../app/db.server";
import { connectShop, storeOfflineToken } from "../../app/services/shop/shops.server";
import { importFlows } from "../../app/services/flows/flows.server";
import { setFlowActive } from "../../app/services/flows/flow-editor.server";
import { receiveOrderCreated } from "../../app/services/intake/intake.server";
import { defaultFlows } from "../../app/domain/flows";
import { createBullMqQueue, type BullMqFollowUpQueue } from "../../app/runtime/bullmq-queue.server";
import { createLogger } from "../../app/platform/logger.server";
import { startRedis, startWorker, type RedisInstance, type WorkerProcess } from "./services";

const POSTMARK_TOKEN = "0b9f2c4e-5d6a-4b7c-8e9f-a0b1c2d3e4f5";
const POSTMARK_HOOK = { user: "postmark-events", password: "fault-scenario-webhook-password" };

export interface Scenario {
  prisma: PrismaClient;
  redis: RedisInstance;
  producer: BullMqFollowUpQueue;
  databaseUrl: string;
  database: "sqlite" | "postgresql";
  standInUrl: string;
  controlUrl: string;
  followUpIds: string[];
  workerEnv: Record<string, string>;
  // `cpus`: each worker limited to that many cores; `fromSource`: through tsx (see startWorker).
  startWorkers(n: number, extra?: Record<string, string>, options?: { cpus?: number; fromSource?: boolean }): Promise<WorkerProcess[]>;
  // Every follow-up back to scheduled and due at dueAt(i); the stand-in's counts cleared.
  reset(dueAt: (i: number) => Date): Promise<void>;
  enqueueAll(): Promise<void>;
  counts(): Promise<{ total: number; perFollowUp: Record<string, number>; twice: Record<string, string[]>; byProvider: Record<string, number> }>;
  // Emails per follow-up at the stand-in: which are missing, which went twice.
  verify(): Promise<{ sent: number; missing: string[]; duplicates: string[] }>;
  failFor(status: number, ms: number, provider?: "sendgrid" | "postmark"): Promise<void>;
  // The provider's stand-in drops every connection for `ms`, answering nothing.
  downFor(ms: number, provider?: "sendgrid" | "postmark"): Promise<void>;
  // The services' process ids, for CPU accounting.
  servicePids(): Record<string, number[]>;
  close(): Promise<void>;
}

export async function setupScenario({
  emails,
  databaseUrl = process.env.DATABASE_URL,
  log = (msg: string) => console.log(msg),
  eventWebhook = false,
  postmark = false,
}: {
  emails: number;
  databaseUrl?: string;
  log?: (msg: string) => void;
  // SendGrid's Event Webhook to a running app: the stand-in posts signed events for every
  // accepted email, which is how a worker learns that a send it could not record arrived.
  eventWebhook?: boolean;
  // A Postmark stand-in beside SendGrid's, and the workers configured to fail over to it; with
  // eventWebhook, its Delivery events go to the app with basic-auth credentials.
  postmark?: boolean;
}): Promise<Scenario> {
  // The workers and the app run as built (`npm run build`), as production runs them.
  ensureBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "afterglow-scenario-"));
  const url = databaseUrl || `file:${path.join(dir, "app.sqlite")}`;
  const database = /^postgres(ql)?:/.test(url) ? "postgresql" : "sqlite";
  const services: ChildService[] = [];
  const admin = await startChildService("simulator/main.ts", /SHOPIFY_ADMIN_API_URL=(\S+)/, ["--bucket-size", "1000000", "--restore-rate", "1000000"]);
  services.push(admin);
  const redis = await startRedis();
  migrateDeploy(url);
  let app: RunningApp | null = null;
  const eventEnv: Record<string, string> = {};
  const standInArgs: string[] = [];
  if (eventWebhook) {
    const keys = createEventWebhookKeys();
    const keyFile = path.join(dir, "event-webhook-key.pem");
    fs.writeFileSync(keyFile, keys.privateKey.export({ format: "pem", type: "pkcs8" }).toString(), { mode: 0o600 });
    // Long enough for the stand-in's next batch of events to arrive, short enough for a run.
    Object.assign(eventEnv, { SENDGRID_WEBHOOK_PUBLIC_KEY: keys.publicKeyBase64, SENDGRID_EVENT_WAIT_MS: "20000" });
    if (postmark) Object.assign(eventEnv, { POSTMARK_WEBHOOK_USER: POSTMARK_HOOK.user, POSTMARK_WEBHOOK_PASSWORD: POSTMARK_HOOK.password });
    app = await startApp({ env: { DATABASE_URL: url, REDIS_URL: redis.url, SHOPIFY_ADMIN_API_URL: admin.url, LOG_LEVEL: "warn", ...eventEnv } });
    standInArgs.push("--event-webhook", `${app.url}/webhooks/sendgrid`, "--event-key-file", keyFile);
    if (postmark) standInArgs.push("--postmark-webhook", `${app.url}/webhooks/postmark`, "--postmark-user", POSTMARK_HOOK.user, "--postmark-password", POSTMARK_HOOK.password);
    log(`app up at ${app.url}; the SendGrid stand-in posts its events there`);
  }
  if (postmark) standInArgs.push("--postmark", POSTMARK_TOKEN);
  const standIn = await startChildService("scripts/faults/standin-main.ts", /(STANDIN_URL=\S+ CONTROL_URL=\S+(?: POSTMARK_URL=\S+)?)/, standInArgs);
  services.push(standIn);
  const [standInUrl, controlUrl, postmarkUrl] = standIn.url.split(" ").map((kv) => kv.slice(kv.indexOf("=") + 1));
  const prisma = createPrismaClient(url);
  const store = createSeedStore();
  await connectSimulatorShopForLoad(prisma, store);

  const customers = store.customers.filter((c) => c.defaultEmailAddress?.emailAddress && c.defaultEmailAddress.marketingState === "SUBSCRIBED");
  const products = store.products.filter((p) => p.status === "ACTIVE" && p.onlineStoreUrl);
  const followUpIds: string[] = [];
  const started = Date.now();
  for (let i = 0; i < emails; i++) {
    const payload = orderCreatedPayload({
      store,
      customerId: customers[i % customers.length].id,
      lines: [{ productId: products[i % products.length].id, quantity: 1 }],
      record: false,
    });
    const outcome = await receiveOrderCreated({ prisma, delivery: { shop: SIMULATOR_SHOP, topic: "orders/create", webhookId: randomUUID() }, payload });
    if (outcome.kind !== "scheduled") throw new Error(`order ${i} was not scheduled: ${outcome.kind}`);
    followUpIds.push(...outcome.followUps.map((f) => f.id));
  }
  log(`Scheduled ${followUpIds.length} follow-ups on ${database} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const workerEnv: Record<string, string> = {
    DATABASE_URL: url,
    REDIS_URL: redis.url,
    SHOPIFY_ADMIN_API_URL: admin.url,
    SENDGRID_API_KEY: "SG.scenario",
    SENDGRID_API_URL: standInUrl,
    SHOPIFY_APP_URL: "https://afterglow.example.com",
    SENDGRID_RATE_LIMIT: "0",
    LOG_LEVEL: "warn",
    ...(postmark ? { POSTMARK_SERVER_TOKEN: POSTMARK_TOKEN, POSTMARK_API_URL: postmarkUrl } : {}),
    ...eventEnv,
  };
  const quiet = createLogger({}, { level: "error" });
  const producer = createBullMqQueue({ redisUrl: redis.url, prisma, role: "worker", logger: quiet });
  const control = async (p: string, method = "GET") => {
    const res = await fetch(`${controlUrl}${p}`, { method });
    if (!res.ok) throw new Error(`stand-in control ${p}: ${res.status}`);
    return res.json();
  };
  const workers: WorkerProcess[] = [];

  return {
    prisma,
    redis,
    producer,
    databaseUrl: url,
    database,
    standInUrl,
    controlUrl,
    followUpIds,
    workerEnv,
    async startWorkers(n, extra = {}, { cpus, fromSource } = {}) {
      const started = await Promise.all(Array.from({ length: n }, () => startWorker({ ...workerEnv, ...extra }, { cpus, fromSource })));
      workers.push(...started);
      return started;
    },
    async reset(dueAt) {
      for (let i = 0; i < followUpIds.length; i += 500) {
        const ids = followUpIds.slice(i, i + 500);
        await prisma.followUpEvent.deleteMany({ where: { followUpId: { in: ids }, type: { not: "scheduled" } } });
        await prisma.messageEvent.deleteMany({ where: { followUpId: { in: ids } } });
        // One due time per statement would be 10k statements; group the ids by due second.
        const byDue = new Map<number, string[]>();
        ids.forEach((id, j) => {
          const at = dueAt(i + j).getTime();
          byDue.set(at, [...(byDue.get(at) ?? []), id]);
        });
        for (const [at, group] of byDue) {
          await prisma.followUp.updateMany({
            where: { id: { in: group } },
            data: {
              status: "scheduled",
              dueAt: new Date(at),
              nextAttemptAt: new Date(at),
              attempts: 0,
              claimToken: null,
              leaseUntil: null,
              sentAt: null,
              messageId: null,
              transport: null,
              lastError: null,
              skipReason: null,
              handedOverAt: null,
              handedOverTo: null,
            },
          });
        }
      }
      await control("/clear", "POST");
    },
    async enqueueAll() {
      for (let i = 0; i < followUpIds.length; i += 500) {
        const rows = await prisma.followUp.findMany({ where: { id: { in: followUpIds.slice(i, i + 500) } }, select: { id: true, dueAt: true } });
        await producer.followUpsScheduled(rows);
      }
    },
    counts: () => control("/counts"),
    async verify() {
      const { perFollowUp } = (await control("/counts")) as { perFollowUp: Record<string, number> };
      const missing = followUpIds.filter((id) => !perFollowUp[id]);
      const duplicates = Object.entries(perFollowUp).filter(([, n]) => n > 1).map(([id]) => id);
      const sent = Object.values(perFollowUp).reduce((a, b) => a + b, 0);
      return { sent, missing, duplicates };
    },
    async failFor(status, ms, provider = "sendgrid") {
      await control(`/fail?status=${status}&ms=${ms}&provider=${provider}`, "POST");
    },
    async downFor(ms, provider = "sendgrid") {
      await control(`/down?ms=${ms}&provider=${provider}`, "POST");
    },
    servicePids: () => ({
      "store simulator": [admin.child.pid!],
      "SendGrid stand-in": [standIn.child.pid!],
      redis: [redis.pid()!],
      ...(app ? { app: [app.child.pid!] } : {}),
    }),
    async close() {
      await Promise.all(workers.map((w) => w.kill()));
      await producer.close();
      await closePrisma(prisma);
      await app?.stop();
      await Promise.all(services.map((s) => s.stop()));
      await redis.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The store simulator's shop, connected with a thank-you flow that sends at once.
export async function connectSimulatorShopForLoad(prisma: PrismaClient, store: SeedStore): Promise<void> {
  await storeOfflineToken({ prisma, shop: SIMULATOR_SHOP, accessToken: SIMULATOR_ACCESS_TOKEN });
  await connectShop({
    prisma,
    shop: SIMULATOR_SHOP,
    profile: { name: store.shop.name, email: store.shop.email, ianaTimezone: store.shop.ianaTimezone, currencyCode: store.shop.currencyCode },
  });
  await sendThankYouAtOnce(prisma);
}

// The simulator shop's thank-you flow sends at once, and neither "ordered again" nor smart
// sending stops many orders by the same few customers.
export async function sendThankYouAtOnce(prisma: PrismaClient): Promise<void> {
  const flow = defaultFlows()[0];
  flow.steps[0].delay = { amount: 0, unit: "minutes" };
  flow.exitRules = { orderedAgain: false };
  await importFlows(prisma, SIMULATOR_SHOP, { version: 1, flows: [flow] });
  // The default flow is installed off; the merchant turns it on as the Flows page does.
  const { id } = await prisma.flow.findUniqueOrThrow({ where: { shop_key: { shop: SIMULATOR_SHOP, key: flow.key } }, select: { id: true } });
  await setFlowActive({ prisma, shop: SIMULATOR_SHOP, id, active: true, actor: "merchant" });
  await prisma.shop.update({
    where: { domain: SIMULATOR_SHOP },
    data: { frequencyCap: JSON.stringify({ enabled: false, maxSends: 1, periodHours: 16 }) },
  });
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
