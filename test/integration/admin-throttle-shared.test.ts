// Two workers' Admin API clients for one shop, each with its own Redis connection, draw from
// one bucket: Shopify never has to throttle them. With a bucket per process it does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type RedisInstance } from "../../scripts/faults/services";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { createSeedStore, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP } from "../../simulator/store";
import { AdminApiThrottle, createAdminClient, fetchShopProfile, type AdminApiPacer } from "~/adapters/shopify-admin/index.server";
import { createRedisAdminApiThrottle } from "~/adapters/redis/admin-throttle.server";
import { redisConnection } from "~/runtime/bullmq-queue.server";

let redis: RedisInstance;
let admin: AdminSimulator;
const connections: ReturnType<typeof redisConnection>[] = [];

beforeAll(async () => {
  redis = await startRedis();
  // A small bucket: 20 points, 10 restored per second.
  admin = await startAdminSimulator({ stores: [createSeedStore()], bucketSize: 20, restoreRate: 10 });
});

afterAll(async () => {
  for (const c of connections) c.disconnect();
  await admin?.close();
  await redis?.stop();
});

// One worker's client; counts the THROTTLED answers Shopify gave it.
function workerClient(throttle: AdminApiPacer) {
  let throttled = 0;
  const client = createAdminClient({
    shop: SIMULATOR_SHOP,
    accessToken: SIMULATOR_ACCESS_TOKEN,
    urlTemplate: admin.url,
    throttle,
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      if ((await res.clone().text()).includes('"THROTTLED"')) throttled += 1;
      return res;
    },
  });
  return { client, throttled: () => throttled };
}

async function race(a: ReturnType<typeof workerClient>, b: ReturnType<typeof workerClient>) {
  // Each learns the query's cost and the bucket first, as a running worker has.
  await fetchShopProfile(a.client);
  await fetchShopProfile(b.client);
  await new Promise((r) => setTimeout(r, 2_500)); // the bucket refills
  // Shopify's answers are retried by the client; only the THROTTLED count matters here.
  await Promise.allSettled([a, b].flatMap((w) => Array.from({ length: 15 }, () => fetchShopProfile(w.client))));
  return a.throttled() + b.throttled();
}

describe("Admin API budget shared across workers", () => {
  it("with the bucket in Redis, two workers are throttled far less than with a bucket each", async () => {
    const perProcess = await race(workerClient(new AdminApiThrottle()), workerClient(new AdminApiThrottle()));
    await new Promise((r) => setTimeout(r, 2_500));
    const shared = () => {
      const connection = redisConnection(redis.url);
      connections.push(connection);
      return createRedisAdminApiThrottle({ redis: connection, prefix: "throttle-test" });
    };
    const started = Date.now();
    const together = await race(workerClient(shared()), workerClient(shared()));
    // 30 queries of 3 points from a 20-point bucket refilling at 10/s: they wait for each other.
    expect(Date.now() - started).toBeGreaterThan(5_000);
    expect(perProcess).toBeGreaterThanOrEqual(5);
    expect(together, `per process ${perProcess}, shared ${together}`).toBeLessThan(perProcess / 3);
  }, 90_000);
});
