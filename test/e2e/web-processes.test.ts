// WEB_CONCURRENCY: several web processes share the port. Webhooks land on any of them; only the
// first runs the in-process dispatcher, so each follow-up still goes out once; /metrics answers
// for all of them; a crashed process is replaced; SIGTERM stops them all cleanly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, TEST_API_SECRET, type RunningApp } from "../../scripts/harness";
import type { SendGridStandIn } from "../../simulator/sendgrid";
import { SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { orderCreatedPayload } from "../../simulator/orders";
import { sendWebhook } from "../../simulator/webhooks";
import type { createPrismaClient } from "~/db.server";
import { metric, until as untilOr } from "../helpers/prometheus";
import { exportFlows, importFlows } from "~/services/flows/flows.server";
import { turnOnFlow } from "../helpers/flows";
import { loadConfig } from "~/platform/config.server";
import { startTestStack, type TestStack } from "../helpers/stack";

const webProcessesFromEnv = (env: Record<string, string>) => loadConfig(env).server.webProcesses;

const METRICS_TOKEN = "web-processes-metrics";
let stack: TestStack;
let store: SeedStore;
let sendgrid: SendGridStandIn;
let app: RunningApp;
let prisma: ReturnType<typeof createPrismaClient>;

// A new connection each time, so the primary hands it to the next process in turn.
async function healthPid(): Promise<number> {
  const res = await fetch(`${app.url}/healthz`, { headers: { Connection: "close" }, signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { pid: number }).pid;
}

// While a process is being replaced a request may fail; `tolerant` counts only the answers.
async function pidsSeen(tries = 12, tolerant = false): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < tries; i++) {
    try {
      pids.add(await healthPid());
    } catch (err) {
      if (!tolerant) throw err;
    }
  }
  return pids;
}


const until = (what: string, check: () => Promise<boolean>, ms = 30_000) =>
  untilOr(what, check, ms, () => app.logs.slice(-15).join("\n"));

beforeAll(async () => {
  stack = await startTestStack({
    name: "web-processes",
    sendgridKey: "SG.web-processes",
    env: { METRICS_TOKEN, RECONCILE_START_DELAY_MS: "3600000", WEB_CONCURRENCY: "2" },
  });
  const { env } = stack;
  ({ store, sendgrid, prisma } = stack);
  const flows = await exportFlows(prisma, SIMULATOR_SHOP);
  flows.flows[0].steps[0].delay = { amount: 0, unit: "minutes" };
  flows.flows[0].exitRules = { orderedAgain: false };
  await importFlows(prisma, SIMULATOR_SHOP, flows);
  await turnOnFlow({ prisma, shop: SIMULATOR_SHOP });
  await prisma.shop.update({ where: { domain: SIMULATOR_SHOP }, data: { frequencyCap: JSON.stringify({ enabled: false, maxSends: 1, periodHours: 16 }) } });
  app = await startApp({ env });
  // Both processes listening (the harness waits for the first answer only).
  await until("two web processes", async () => (await pidsSeen(4)).size === 2);
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await stack?.stop();
});

describe("several web processes (WEB_CONCURRENCY)", () => {
  it("reads WEB_CONCURRENCY strictly", () => {
    expect(webProcessesFromEnv({})).toBe(1);
    expect(webProcessesFromEnv({ WEB_CONCURRENCY: "4" })).toBe(4);
    expect(() => webProcessesFromEnv({ WEB_CONCURRENCY: "two" })).toThrow(/WEB_CONCURRENCY must be a whole number/);
    expect(() => webProcessesFromEnv({ WEB_CONCURRENCY: "0" })).toThrow(/WEB_CONCURRENCY/);
  });

  it("serves from two processes; webhooks on either are sent once by the one dispatcher; /metrics adds both up", async () => {
    const pids = await pidsSeen();
    expect(pids.size).toBe(2);
    expect(pids.has(app.child.pid!)).toBe(false); // the primary only hands out connections
    expect(app.logs.filter((l) => l.includes("in-process dispatcher started"))).toHaveLength(1);
    expect(app.logs.filter((l) => l.includes("in-process dispatcher is off"))).toHaveLength(1);

    const customers = store.customers.filter((c) => c.defaultEmailAddress?.marketingState === "SUBSCRIBED");
    const orders = 8;
    for (let i = 0; i < orders; i++) {
      const payload = orderCreatedPayload({ store, customerId: customers[i % customers.length].id, lines: [{ productId: store.products[i % 3].id, quantity: 1 }], record: false });
      // A fresh connection per webhook: they spread over both processes.
      const res = await sendWebhook(`${app.url}/webhooks/orders/create`, { topic: "orders/create", shop: SIMULATOR_SHOP, payload, secret: TEST_API_SECRET });
      expect(res.status).toBe(200);
    }
    await until("every follow-up sent", async () => (await prisma.followUp.count({ where: { status: "sent" } })) === orders);
    const perFollowUp = new Map<string, number>();
    for (const m of sendgrid.messages) perFollowUp.set(m.customArgs!.followUpId, (perFollowUp.get(m.customArgs!.followUpId) ?? 0) + 1);
    expect(perFollowUp.size).toBe(orders);
    expect([...perFollowUp.values()].every((n) => n === 1)).toBe(true);

    // Whichever process answers the scrape, the counts are the app's.
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${app.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}`, Connection: "close" } });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(metric(text, "afterglow_webhooks_received_total", { topic: "orders/create" })).toBe(orders);
      expect(metric(text, "afterglow_follow_ups_sent_total")).toBe(orders);
    }
  });

  it("replaces a web process that dies, and stops them all on SIGTERM", async () => {
    const before = await pidsSeen();
    const [victim] = [...before];
    process.kill(victim, "SIGKILL");
    await until(
      "a replacement process",
      async () => {
        const now = await pidsSeen(4, true);
        return now.size === 2 && !now.has(victim);
      },
      60_000,
    );
    expect(app.logs.some((l) => l.includes("web process exited; starting another"))).toBe(true);

    const exited = new Promise<number | null>((r) => app.child.once("exit", (code) => r(code)));
    app.child.kill("SIGTERM");
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("still running after 30 s"), 30_000))]);
    expect(code, app.logs.slice(-10).join("\n")).toBe(0);
  }, 120_000);
});
