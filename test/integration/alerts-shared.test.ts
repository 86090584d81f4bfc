// Several workers feed one failure-rate window in Redis: a shop failing across all of them is
// seen as one rate, and alerted once, where a window per process would see a share each.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type RedisInstance } from "../../scripts/faults/services";
import { redisConnection } from "~/runtime/bullmq-queue.server";
import { createFailureAlerts } from "~/services/dispatch/alerts.server";
import { loadConfig } from "~/platform/config.server";
import { createLogger } from "~/platform/logger.server";

let redis: RedisInstance;
const connections: ReturnType<typeof redisConnection>[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of connections) c.disconnect();
  await redis?.stop();
});

// One worker's alerts; `prefix` null keeps its window in the process.
function worker(env: Record<string, string>, posted: unknown[], prefix: string | null, logs: string[] = []) {
  const c = redisConnection(redis.url);
  connections.push(c);
  return createFailureAlerts({
    settings: loadConfig({ ALERT_WEBHOOK_URL: "http://alerts.invalid/hook", ...env }).alerts,
    logger: createLogger({}, { write: (line) => logs.push(line) }),
    fetchImpl: (async (_url: string, init: RequestInit) => {
      posted.push(JSON.parse(String(init.body)));
      return new Response(null, { status: 204 });
    }) as typeof fetch,
    ...(prefix ? { redis: c, prefix } : {}),
  });
}

describe("failure alerts shared through Redis", () => {
  const env = { ALERT_MIN_ATTEMPTS: "10", ALERT_FAILURE_RATE: "50", ALERT_COOLDOWN_MS: "3600000" };

  it("three workers, six attempts each: one rate over all eighteen, one alert", async () => {
    const posted: unknown[] = [];
    const prefix = `alerts-${Date.now()}`;
    const workers = [0, 1, 2].map(() => worker(env, posted, prefix));
    const at = new Date();
    for (let i = 0; i < 6; i++) {
      for (const w of workers) await w.observe({ shop: "failing.myshopify.com", outcome: i < 4 ? "failed" : "sent", dueAt: at, at });
    }
    expect(posted).toHaveLength(1);
    // Raised at the tenth attempt over all workers: 10 of 10 failed.
    expect(posted[0]).toMatchObject({ shop: "failing.myshopify.com", attempts: 10, failures: 10 });
    // Another shop has its own window.
    for (const w of workers) await w.observe({ shop: "fine.myshopify.com", outcome: "sent", dueAt: at, at });
    expect(posted).toHaveLength(1);
  });

  it("with a window per process, the same failures raise nothing: each worker saw six", async () => {
    const posted: unknown[] = [];
    const workers = [0, 1, 2].map(() => worker(env, posted, null));
    const at = new Date();
    for (let i = 0; i < 6; i++) {
      for (const w of workers) await w.observe({ shop: "failing.myshopify.com", outcome: i < 4 ? "failed" : "sent", dueAt: at, at });
    }
    expect(posted).toHaveLength(0);
  });

  it("ALERT_COOLDOWN_MS=0 alerts on every failing check, ALERT_MIN_ATTEMPTS=0 from the first attempt", async () => {
    for (const prefix of [`alerts-zero-${Date.now()}`, null]) {
      const posted: unknown[] = [];
      const logs: string[] = [];
      const w = worker({ ALERT_MIN_ATTEMPTS: "0", ALERT_FAILURE_RATE: "0", ALERT_COOLDOWN_MS: "0" }, posted, prefix, logs);
      const at = new Date();
      await w.observe({ shop: "zero.myshopify.com", outcome: "sent", dueAt: at, at });
      expect(posted, String(prefix)).toHaveLength(0);
      for (let i = 0; i < 3; i++) await w.observe({ shop: "zero.myshopify.com", outcome: "failed", dueAt: at, at });
      expect(posted, String(prefix)).toHaveLength(3);
      // Counted where it should be: Redis took every attempt, nothing fell back to the process.
      expect(logs.filter((l) => l.includes("shared failure window unavailable"))).toEqual([]);
    }
  });

  it("attempts older than the window fall out of the shared rate", async () => {
    const posted: unknown[] = [];
    const w = worker({ ...env, ALERT_WINDOW_MS: "60000" }, posted, `alerts-window-${Date.now()}`);
    const t0 = Date.now();
    for (let i = 0; i < 9; i++) await w.observe({ shop: "s.myshopify.com", outcome: "failed", dueAt: new Date(t0), at: new Date(t0) });
    // Two minutes later the old failures no longer count: one failure of one is too few.
    const later = new Date(t0 + 120_000);
    await w.observe({ shop: "s.myshopify.com", outcome: "failed", dueAt: later, at: later });
    expect(posted).toHaveLength(0);
  });
});
