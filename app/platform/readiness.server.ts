// /readyz: can this process do its work? The database answers SELECT 1; Redis (when
// REDIS_URL is set: distributed mode) answers PING. Each check is bounded in time.
import type { PrismaClient } from "@prisma/client";
import { pingRedis } from "~/adapters/redis/redis-ping.server";
import { config } from "~/platform/config.server";

export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; ms: number; error?: string }>;
}

async function timed(check: () => Promise<unknown>, timeoutMs: number) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    // Prisma's messages open with a blank line and the call that failed; the cause comes last.
    const lines = (err instanceof Error ? err.message : String(err)).split("\n").map((l) => l.trim()).filter(Boolean);
    const error = (lines.at(-1) ?? "unknown error").slice(0, 300);
    return { ok: false, ms: Math.round(performance.now() - started), error };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkReadiness({
  prisma,
  redisUrl = config().queue.redisUrl,
  timeoutMs = 2_000,
}: {
  prisma: Pick<PrismaClient, "$queryRawUnsafe">;
  // REDIS_URL: distributed mode, where Redis must answer too.
  redisUrl?: string | null;
  timeoutMs?: number;
}): Promise<Readiness> {
  const checks: Readiness["checks"] = {};
  const [database, redis] = await Promise.all([
    timed(() => prisma.$queryRawUnsafe("SELECT 1"), timeoutMs),
    redisUrl ? timed(() => pingRedis(redisUrl, timeoutMs), timeoutMs + 500) : null,
  ]);
  checks.database = database;
  if (redis) checks.redis = redis;
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}
