// The send gate that keeps workers together under one SendGrid limit, on a real Redis: each
// "worker" has its own connection, and the grants are timed where the caller gets them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type RedisInstance } from "../../scripts/faults/services";
import { redisConnection } from "~/runtime/bullmq-queue.server";
import { createRedisSendRateGate, pacedTransport } from "~/adapters/redis/send-rate.server";
import type { MailTransport } from "~/adapters/mail/transport";

let redis: RedisInstance;
const connections: ReturnType<typeof redisConnection>[] = [];
const gate = (max: number, windowMs: number) => {
  const c = redisConnection(redis.url);
  connections.push(c);
  return createRedisSendRateGate({ redis: c, max, windowMs, prefix: "send-rate-test" });
};

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const c of connections) c.disconnect();
  await redis?.stop();
});

function busiest(times: number[], windowMs: number) {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j] - sorted[i] < windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

describe("send rate gate", () => {
  it("two workers together get no more than the limit in any window", async () => {
    const [a, b] = [gate(5, 400), gate(5, 400)];
    const granted: number[] = [];
    const take = async (g: typeof a) => {
      await g.take("app");
      granted.push(Date.now());
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: 20 }, (_, i) => take(i % 2 ? a : b)));
    // 20 sends at 5 per 400 ms: the last window opens 3 windows after the first.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_150);
    // Grants are timed by Redis; the caller hears of one a few ms later.
    expect(busiest(granted, 380)).toBeLessThanOrEqual(5);
  });

  it("keeps accounts apart: a shop with its own key is not slowed by the app's sends", async () => {
    const g = gate(3, 1_500);
    const started = Date.now();
    for (let i = 0; i < 3; i++) await g.take("the-app");
    await g.take("shop:own-key.myshopify.com");
    expect(Date.now() - started).toBeLessThan(1_200); // not held for the app account's 1.5 s window
    // The app's account is full until its first send leaves the window.
    await g.take("the-app");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_450);
  });

  it("a paced transport waits for its slot and then sends the email unchanged", async () => {
    const sent: string[] = [];
    const inner: MailTransport = {
      name: "recording",
      async send(email) {
        sent.push(email.subject);
        return { messageId: `m-${sent.length}` } as never;
      },
    };
    const paced = pacedTransport(inner, gate(2, 300), "paced");
    const started = Date.now();
    const results = await Promise.all(["a", "b", "c"].map((subject) => paced.send({ subject } as never)));
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(sent.sort()).toEqual(["a", "b", "c"]);
    expect(results.map((r) => (r as { messageId: string }).messageId).sort()).toEqual(["m-1", "m-2", "m-3"]);
    expect(paced.name).toBe("recording");
  });
});
