// The alert hook: a shop whose sends fail too often is logged at error level and, when
// ALERT_WEBHOOK_URL is set, POSTed there as JSON (Slack-style incoming webhooks, PagerDuty
// Events via a relay, or any receiver of one's own).
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { FailureRateMonitor, type FailureAlert, type FailureRatePolicy } from "~/domain/failure-rate";
import { config, type Config } from "~/platform/config.server";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import { failureAlertRaised, type DispatchObservation } from "~/platform/metrics.server";

export interface FailureAlerts {
  // Feeds one dispatch outcome; resolves when any alert it raised has been delivered (or given up).
  observe(o: DispatchObservation): Promise<void>;
}

// What decides whether one attempt crossed the line: a window in this process, or one in Redis
// that every worker feeds.
interface FailureWindow {
  record(attempt: { shop: string; failed: boolean; at: Date }): Promise<FailureAlert | null>;
}

// KEYS attempts, failures, cool-down; ARGV now, window, member, failed (1/0), min attempts,
// threshold, cool-down ms. Returns { attempts, failures, raise (1/0) }.
const RECORD_ATTEMPT = `
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
redis.call('ZADD', KEYS[1], now, ARGV[3])
if ARGV[4] == '1' then redis.call('ZADD', KEYS[2], now, ARGV[3]) end
redis.call('PEXPIRE', KEYS[1], window)
redis.call('PEXPIRE', KEYS[2], window)
local attempts, failures = redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2])
if attempts < tonumber(ARGV[5]) or failures / attempts <= tonumber(ARGV[6]) then return {attempts, failures, 0} end
-- Only the first worker to see the crossing raises it; the rest find the cool-down set.
-- A cool-down of 0 (no cool-down) sets nothing: Redis refuses an expiry of 0.
if tonumber(ARGV[7]) == 0 then return {attempts, failures, 1} end
if redis.call('SET', KEYS[3], now, 'NX', 'PX', tonumber(ARGV[7])) then return {attempts, failures, 1} end
return {attempts, failures, 0}
`;

function redisFailureWindow(redis: Redis, policy: FailureRatePolicy, prefix: string): FailureWindow {
  return {
    async record({ shop, failed, at }) {
      const base = `${prefix}:failure-rate:${shop}`;
      const [attempts, failures, raise] = (await redis.eval(
        RECORD_ATTEMPT,
        3,
        `${base}:attempts`,
        `${base}:failures`,
        `${base}:alerted`,
        String(at.getTime()),
        String(policy.windowMs),
        randomUUID(),
        failed ? "1" : "0",
        String(policy.minAttempts),
        String(policy.threshold),
        String(policy.cooldownMs),
      )) as [number, number, number];
      if (raise !== 1) return null;
      return { shop, attempts, failures, rate: failures / attempts, threshold: policy.threshold, windowMs: policy.windowMs, at };
    },
  };
}

export function createFailureAlerts({
  settings = config().alerts,
  logger = rootLogger,
  fetchImpl = fetch,
  redis,
  prefix = "afterglow",
}: {
  settings?: Config["alerts"];
  logger?: Logger;
  fetchImpl?: typeof fetch;
  // With many workers, each sees only its share of a shop's sends: the window belongs in Redis.
  redis?: Redis;
  prefix?: string;
} = {}): FailureAlerts {
  const policy: FailureRatePolicy = settings;
  const local = new FailureRateMonitor(policy);
  const window: FailureWindow = redis ? redisFailureWindow(redis, policy, prefix) : { record: async (a) => local.record(a) };
  const url = settings.webhookUrl;
  const log = logger.child({ component: "alerts" });

  async function deliver(alert: FailureAlert) {
    failureAlertRaised();
    const percent = Math.round(alert.rate * 1000) / 10;
    const text =
      `Afterglow: ${alert.failures} of ${alert.attempts} send attempts for ${alert.shop} failed in the last ` +
      `${Math.round(alert.windowMs / 60_000)} minutes (${percent} %, threshold ${alert.threshold * 100} %).`;
    log.error("failure rate above threshold", { shop: alert.shop, attempts: alert.attempts, failures: alert.failures, rate: alert.rate });
    if (!url) return;
    try {
      const res = await fetchImpl(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ type: "afterglow.failure_rate", text, ...alert, at: alert.at.toISOString() }),
        signal: AbortSignal.timeout(5_000),
      });
      if (!res.ok) log.warn("alert webhook refused the alert", { shop: alert.shop, status: res.status });
    } catch (err) {
      log.warn("alert webhook unreachable", { shop: alert.shop, err });
    }
  }

  return {
    async observe(o) {
      // Skips are decisions, not failures; a lost claim is another dispatcher's business.
      if (o.outcome === "skipped" || o.outcome === "lost") return;
      let alert: FailureAlert | null;
      try {
        alert = await window.record({ shop: o.shop, failed: o.outcome !== "sent", at: o.at });
      } catch (err) {
        // Redis away: fall back to what this process saw rather than stay silent.
        log.warn("shared failure window unavailable; using this process's", { err });
        alert = local.record({ shop: o.shop, failed: o.outcome !== "sent", at: o.at });
      }
      if (alert) await deliver(alert);
    },
  };
}
