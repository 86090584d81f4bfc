// Every variable that takes 0 set to 0 at once: the built server starts, answers /healthz, sends a
// follow-up, and idles (an interval of 0 is a chore turned off, not a loop). And the start refuses
// what it cannot run with: a bound broken, or production without its encryption keys.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startApp, TEST_API_SECRET, type RunningApp } from "../../scripts/harness";
import { SIMULATOR_SHOP } from "../../simulator/store";
import { orderCreatedPayload } from "../../simulator/orders";
import { sendWebhook } from "../../simulator/webhooks";
import { variables } from "~/platform/config.server";
import { sendFirstStepAtOnce, startAppStack, type AppStack } from "../helpers/stack";

vi.setConfig({ testTimeout: 120_000 });

// Whatever the declaration accepts as 0 (PORT aside: the harness picks the port).
const ZEROS = Object.fromEntries(
  variables
    .filter((v) => {
      if (v.name === "PORT") return false;
      // 0 free emails a month is a plan, not a switch: it holds every marketing follow-up
      // (shown in test/integration/billing.test.ts), which would stop this test's email.
      if (v.name === "AFTERGLOW_FREE_EMAILS_PER_MONTH") return false;
      try {
        return v.parse("0", {}) === 0;
      } catch {
        return false;
      }
    })
    .map((v) => [v.name, "0"]),
);

// CPU time (user + system) the process has used, in seconds (Linux).
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100)
}

let stack: AppStack;
let app: RunningApp;

beforeAll(async () => {
  // The default flow on, sending at once instead of after its hour.
  stack = await startAppStack({ name: "zeros", sendgridKey: "SG.zeros-key", env: ZEROS, beforeApp: (started) => sendFirstStepAtOnce(started.env).then(() => {}) });
  ({ app } = stack);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe("every variable that takes 0, at 0", () => {
  it("covers the caps, caches, rate limits, intervals and timeouts", () => {
    expect(Object.keys(ZEROS)).toEqual(
      expect.arrayContaining([
        "SHUTDOWN_TIMEOUT_MS",
        "DATABASE_CONNECT_TIMEOUT_MS",
        "SENDGRID_RATE_LIMIT",
        "RECOMMENDATION_CACHE_MS",
        "INTAKE_CACHE_MS",
        "RETENTION_INTERVAL_MS",
        "CONSENT_RETRY_INTERVAL_MS",
        "ANALYTICS_INTERVAL_MS",
        "ORDER_RECONCILE_INTERVAL_MS",
        "AFTERGLOW_DNS_TIMEOUT_MS",
        "ALERT_COOLDOWN_MS",
      ]),
    );
    expect(Object.keys(ZEROS).length).toBeGreaterThanOrEqual(20);
  });

  it("starts, serves /healthz, sends a follow-up with recommendations, and idles without spinning", async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const { store, sendgrid } = stack;
    const customer = store.customers.find((c) => c.defaultEmailAddress?.emailAddress)!;
    const product = store.products.find((p) => p.status === "ACTIVE" && p.onlineStoreUrl)!;
    const order = orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: product.id, quantity: 1 }] });
    const posted = await sendWebhook(`${app.url}/webhooks/orders/create`, { topic: "orders/create", shop: SIMULATOR_SHOP, payload: order, secret: TEST_API_SECRET });
    expect(posted.status).toBe(200);
    // The in-process dispatcher, woken by the intake, sends it.
    const deadline = Date.now() + 60_000;
    while (sendgrid.messages.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(sendgrid.messages).toHaveLength(1);
    expect(sendgrid.messages[0].to[0].email).toBe(customer.defaultEmailAddress!.emailAddress);
    expect(sendgrid.messages[0].html).toMatch(/\/products\//);

    // Idle: a chore run back to back would keep a core busy.
    const before = cpuSeconds(app.child.pid!);
    await new Promise((r) => setTimeout(r, 3_000));
    const used = cpuSeconds(app.child.pid!) - before;
    expect(used, `${used} s of CPU in 3 s`).toBeLessThan(0.6);
    expect(app.logs.join("\n")).toMatch(/retention is off in this process/);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it("stops on SIGTERM without waiting (SHUTDOWN_TIMEOUT_MS=0), cleanly", async () => {
    const started = Date.now();
    await app.stop();
    expect(app.child.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("what the start refuses", () => {
  it("a bound broken: the variable and its range are named, and nothing starts", async () => {
    for (const [name, value, allowed] of [
      ["DISPATCH_INTERVAL_MS", "0", "a whole number of milliseconds from 1 to 2147483647"],
      ["RETENTION_INTERVAL_MS", "3000000000", "a whole number of milliseconds from 0 to 2147483647"],
      ["DATABASE_POOL_MAX", "0", "a whole number of connections of at least 1"],
    ]) {
      const failed = await startApp({ env: { ...stack.env, [name]: value } }).then(
        async (running) => {
          await running.stop();
          return null;
        },
        (error: Error) => error.message,
      );
      expect(failed, name).toContain(`${name} must be ${allowed}; got "${value}"`);
    }
  });

  it("production without AFTERGLOW_ENCRYPTION_KEYS, saying how to make one", async () => {
    const failed = await startApp({ env: { ...stack.env, AFTERGLOW_ENCRYPTION_KEYS: "" } }).then(
      async (running) => {
        await running.stop();
        return null;
      },
      (error: Error) => error.message,
    );
    expect(failed).toMatch(/AFTERGLOW_ENCRYPTION_KEYS is not set, and production \(NODE_ENV=production\) does not run without it/);
    expect(failed).toMatch(/openssl rand -base64 32/);
  });
});
