// Observability end to end: the built server with its in-process dispatcher, signed webhooks,
// the store simulator and the SendGrid stand-in. /metrics is scraped before and after and the
// differences must match what happened; logs are captured and checked for addresses; the
// failure-rate alert reaches a local HTTP receiver; /readyz names the dependency that is down.
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startApp, TEST_API_SECRET, type RunningApp } from "../../scripts/harness";
import type { FreshDatabase } from "../../scripts/databases";
import type { SendGridStandIn } from "../../simulator/sendgrid";
import { SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { orderCreatedPayload } from "../../simulator/orders";
import { sendWebhook, signWebhookBody, webhookRequest } from "../../simulator/webhooks";
import type { createPrismaClient } from "~/db.server";
import { metric, until as untilOr } from "../helpers/prometheus";
import { exportFlows, importFlows } from "~/services/flows/flows.server";
import { turnOnFlow } from "../helpers/flows";
import { startTestStack, type TestStack } from "../helpers/stack";

const METRICS_TOKEN = "metrics-token-for-tests";
const EMAIL_LIKE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;

let stack: TestStack;
let database: FreshDatabase;
let env: Record<string, string>;
let store: SeedStore;
let sendgrid: SendGridStandIn;
let app: RunningApp;
let prisma: ReturnType<typeof createPrismaClient>;
let receiver: http.Server;
const alerts: Record<string, unknown>[] = [];

// Prometheus text format: the sum of every series of `name` whose labels include `labels`.

async function scrape(): Promise<string> {
  const res = await fetch(`${app.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  return res.text();
}

const until = (what: string, check: () => Promise<boolean>, ms = 20_000) =>
  untilOr(what, check, ms, () => app.logs.slice(-30).join("\n"));

const orderFor = (customer: number) =>
  orderCreatedPayload({
    store,
    customerId: store.customers[customer].id,
    lines: [{ productId: store.products[0].id, quantity: 1 }],
    record: false,
  });

const deliver = (payload: unknown, webhookId?: string) =>
  sendWebhook(`${app.url}/webhooks/orders/create`, {
    topic: "orders/create",
    shop: SIMULATOR_SHOP,
    payload,
    secret: TEST_API_SECRET,
    ...(webhookId ? { webhookId } : {}),
  });

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      alerts.push({ contentType: req.headers["content-type"], ...JSON.parse(body) });
      res.end("ok");
    });
  });
  const receiverPort = await freePort();
  await new Promise<void>((r) => receiver.listen(receiverPort, "127.0.0.1", () => r()));
  const port = await freePort();
  stack = await startTestStack({
    name: "observability",
    sendgridKey: "SG.observability-key",
    env: {
      SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
      // Long: webhooks wake the dispatcher themselves, so a row written straight to the database stays due.
      DISPATCH_INTERVAL_MS: "60000",
      METRICS_TOKEN,
      LOG_LEVEL: "debug",
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${receiverPort}/alerts`,
      ALERT_MIN_ATTEMPTS: "3",
      ALERT_FAILURE_RATE: "20",
      RECONCILE_START_DELAY_MS: "3600000",
    },
  });
  ({ database, store, sendgrid, env, prisma } = stack);
  // Send at once instead of after the default hour.
  const flows = await exportFlows(prisma, SIMULATOR_SHOP);
  flows.flows[0].steps[0].delay = { amount: 0, unit: "minutes" };
  // Ada orders several times here: neither "ordered again" nor smart sending may stop her emails.
  flows.flows[0].exitRules = { orderedAgain: false };
  await importFlows(prisma, SIMULATOR_SHOP, flows);
  await turnOnFlow({ prisma, shop: SIMULATOR_SHOP });
  await prisma.shop.update({
    where: { domain: SIMULATOR_SHOP },
    data: { frequencyCap: JSON.stringify({ enabled: false, maxSends: 1, periodHours: 16 }) },
  });
  app = await startApp({ env, port });
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await stack?.stop();
  await new Promise((r) => receiver?.close(r));
});

describe("health and metrics endpoints", () => {
  it("answers /healthz without touching anything, and /readyz after checking the database", async () => {
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { database: { ok: true } } });
  });

  it("refuses /metrics without the bearer token", async () => {
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${app.url}/metrics`, { headers: { Authorization: "Bearer wrong" } })).status).toBe(401);
  });
});

describe("metrics follow what happened", () => {
  it("counts webhooks received, deduplicated and rejected; follow-ups scheduled, sent and skipped; send latency and lateness", async () => {
    const before = await scrape();
    const topic = { topic: "orders/create" };

    // Ada (subscribed) twice, one of them redelivered; Ben (not subscribed to marketing) once.
    const first = orderFor(0);
    const firstId = randomUUID();
    expect((await deliver(first, firstId)).status).toBe(200);
    expect((await deliver(first, firstId)).status).toBe(200);
    expect((await deliver(orderFor(0))).status).toBe(200);
    expect((await deliver(orderFor(1))).status).toBe(200);
    // A forged signature and a signed body that is not an order.
    const forged = webhookRequest({ topic: "orders/create", shop: SIMULATOR_SHOP, payload: orderFor(0), secret: "not-the-secret" });
    expect((await fetch(`${app.url}/webhooks/orders/create`, { method: "POST", headers: forged.headers, body: forged.body })).status).toBe(401);
    const notAnOrder = JSON.stringify({ id: "abc", line_items: 3 });
    const signed = { ...forged.headers, "X-Shopify-Hmac-Sha256": signWebhookBody(notAnOrder, TEST_API_SECRET), "X-Shopify-Webhook-Id": randomUUID() };
    expect((await fetch(`${app.url}/webhooks/orders/create`, { method: "POST", headers: signed, body: notAnOrder })).status).toBe(400);

    await until("two emails sent and one skipped", async () => (await prisma.followUp.count({ where: { status: { in: ["sent", "skipped"] } } })) === 3);
    expect(sendgrid.messages).toHaveLength(2);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => metric(after, name, labels) - metric(before, name, labels);

    // Every correctly signed delivery: the redelivery and the signed non-order too.
    expect(delta("afterglow_webhooks_received_total", topic)).toBe(5);
    expect(delta("afterglow_webhooks_deduplicated_total", topic)).toBe(1);
    expect(delta("afterglow_webhooks_rejected_total", { ...topic, reason: "bad_hmac" })).toBe(1);
    expect(delta("afterglow_webhooks_rejected_total", { ...topic, reason: "invalid_payload" })).toBe(1);
    expect(delta("afterglow_follow_ups_scheduled_total", { source: "webhook" })).toBe(3);
    expect(delta("afterglow_follow_ups_sent_total")).toBe(2);
    expect(delta("afterglow_follow_ups_skipped_total", { reason: "no_marketing_consent" })).toBe(1);
    expect(delta("afterglow_follow_ups_failed_total")).toBe(0);
    expect(delta("afterglow_send_duration_seconds_count", { transport: "sendgrid", result: "accepted" })).toBe(2);
    expect(delta("afterglow_send_duration_seconds_sum", { transport: "sendgrid", result: "accepted" })).toBeGreaterThan(0);
    expect(delta("afterglow_send_lateness_seconds_count")).toBe(2);
    expect(after).toMatch(/^afterglow_queue_depth 0$/m);
  });

  it("shows follow-ups due and not yet dispatched as queue depth", async () => {
    // Written straight to the database, this follow-up waits for the next poll (a minute away).
    const due = await prisma.followUp.findFirstOrThrow({ where: { status: "sent" } });
    const order = await prisma.order.findUniqueOrThrow({ where: { id: due.orderRef } });
    const past = new Date(Date.now() - 60_000);
    await prisma.followUp.create({
      data: { shop: SIMULATOR_SHOP, orderRef: order.id, orderId: order.orderId, flowId: due.flowId, stepId: due.stepId, stepKey: "backlog", template: due.template, recipient: due.recipient, status: "scheduled", dueAt: past, nextAttemptAt: past, leaseUntil: null },
    });
    expect(metric(await scrape(), "afterglow_queue_depth")).toBe(1);
    // A webhook wakes the dispatcher, which takes everything due.
    expect((await deliver(orderFor(0))).status).toBe(200);
    await until("the backlog to drain", async () => (await prisma.followUp.count({ where: { stepKey: "backlog", status: "scheduled" } })) === 0);
    expect(metric(await scrape(), "afterglow_queue_depth")).toBe(0);
  });

  it("counts permanent failures and raises one failure-rate alert per shop, to the alert webhook", async () => {
    const before = await scrape();
    sendgrid.failNext({ status: 400, count: 3 });
    for (let i = 0; i < 3; i++) expect((await deliver(orderFor(0))).status).toBe(200);
    await until("three failed follow-ups", async () => (await prisma.followUp.count({ where: { status: "failed" } })) === 3);
    await until("the alert", async () => alerts.length > 0);
    await new Promise((r) => setTimeout(r, 500)); // a second alert would arrive by now
    const after = await scrape();
    expect(metric(after, "afterglow_follow_ups_failed_total") - metric(before, "afterglow_follow_ups_failed_total")).toBe(3);
    expect(metric(after, "afterglow_failure_alerts_total")).toBe(1);
    expect(alerts).toHaveLength(1); // the cool-down holds back the rest
    expect(alerts[0]).toMatchObject({ contentType: "application/json", type: "afterglow.failure_rate", shop: SIMULATOR_SHOP, threshold: 0.2 });
    expect(Number(alerts[0].failures) / Number(alerts[0].attempts)).toBeGreaterThan(0.2);
    expect(app.logs.some((l) => l.includes("failure rate above threshold") && l.includes(SIMULATOR_SHOP))).toBe(true);
  });
});

describe("logs", () => {
  it("are JSON lines with shop, order and follow-up ids, and no customer's email anywhere", async () => {
    const sent = await prisma.followUp.findMany({ where: { status: "sent" } });
    expect(sent.length).toBeGreaterThan(0);
    const lines = app.logs.filter((l) => l.startsWith("{"));
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const all = app.logs.join("\n");
    for (const f of sent) {
      const entry = lines.map((l) => JSON.parse(l)).find((e) => e.followUpId === f.id && e.msg === "follow-up sent");
      expect(entry).toMatchObject({ level: "info", shop: SIMULATOR_SHOP, orderId: f.orderId, followUpId: f.id });
    }
    // The addresses this run emailed (and failed to) are known; none may appear, nor anything shaped like one.
    const recipients = await prisma.followUp.findMany({ select: { recipient: true } });
    expect(recipients.length).toBeGreaterThan(0);
    for (const { recipient } of recipients) expect(all).not.toContain(recipient);
    expect(all).not.toMatch(EMAIL_LIKE);
  });
});

describe("/readyz when a dependency is down", () => {
  it("answers 503 naming the database when it cannot be reached", async () => {
    // Of the kind under test: a SQLite file in a folder that does not exist, or a PostgreSQL port nothing listens on.
    const unreachable =
      database.kind === "postgresql"
        ? `postgresql://postgres@127.0.0.1:${await freePort()}/afterglow`
        : `file:${path.join(os.tmpdir(), `afterglow-missing-${randomUUID()}`, "app.sqlite")}`;
    const broken = await startApp({ env: { ...env, DATABASE_URL: unreachable, AFTERGLOW_WORKER: "off" } });
    try {
      expect((await fetch(`${broken.url}/healthz`)).status).toBe(200);
      const res = await fetch(`${broken.url}/readyz`);
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body).toMatchObject({ ready: false, checks: { database: { ok: false } } });
      expect(body.checks.database.error).toBeTruthy();
    } finally {
      await broken.stop();
    }
  }, 90_000);

  it("checks Redis when REDIS_URL is set: 200 with it answering, 503 naming it when it does not", async () => {
    const closedPort = await freePort();
    const { checkReadiness } = await import("~/platform/readiness.server");
    const up = await checkReadiness({ prisma, redisUrl: "redis://127.0.0.1:6379" });
    expect(up).toMatchObject({ ready: true, checks: { database: { ok: true }, redis: { ok: true } } });
    const down = await startApp({ env: { ...env, REDIS_URL: `redis://127.0.0.1:${closedPort}`, AFTERGLOW_WORKER: "off" } });
    try {
      const res = await fetch(`${down.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ ready: false, checks: { database: { ok: true }, redis: { ok: false } } });
    } finally {
      await down.stop();
    }
  }, 90_000);
});
