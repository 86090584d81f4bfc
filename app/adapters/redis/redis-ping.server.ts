// Readiness of Redis (distributed mode): one PING on a short-lived connection.
import { Redis } from "ioredis";

export async function pingRedis(url: string, timeoutMs = 2_000): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on("error", () => {}); // reported through the rejected promise below
  try {
    await withTimeout(
      (async () => {
        await redis.connect();
        const answer = await redis.ping();
        if (answer !== "PONG") throw new Error(`Redis answered ${answer} to PING`);
      })(),
      timeoutMs,
    );
  } finally {
    redis.disconnect();
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
