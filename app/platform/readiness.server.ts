// /readyz: can this process do its work? The database answers SELECT 1; Redis (when
// REDIS_URL is set: distributed mode) answers PING. Each check is bounded in time.
import type { PrismaClient } from "@prisma/client";
import { pingRedis } from "~/adapters/redis/redis-ping.server";

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
  env = process.env,
  timeoutMs = 2_000,
}: {
  prisma: Pick<PrismaClient, "$queryRawUnsafe">;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}): Promise<Readiness> {
  const checks: Readiness["checks"] = {};
  const [database, redis] = await Promise.all([
    timed(() => prisma.$queryRawUnsafe("SELECT 1"), timeoutMs),
    env.REDIS_URL ? timed(() => pingRedis(env.REDIS_URL!, timeoutMs), timeoutMs + 500) : null,
  ]);
  checks.database = database;
  if (redis) checks.redis = redis;
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}
