// Shopify's Admin API cost budget is one leaky bucket per app and shop, however many workers
// send: keep our estimate of it in Redis so all workers draw from the same bucket. Each
// request reserves its expected cost first (waiting for the restore rate when it does not fit),
// and Shopify's reported throttleStatus corrects the estimate after each answer.
import type { Redis } from "ioredis";
import { AdminApiThrottle, type AdminApiPacer, type QueryCost } from "~/adapters/shopify-admin/index.server";
import { logger } from "~/platform/logger.server";

// KEYS[1] bucket; ARGV now, cost. Returns the wait in ms (0: send now).
const RESERVE = `
local b = redis.call('HMGET', KEYS[1], 'max', 'available', 'rate', 'at')
if not b[1] then return 0 end
local max, avail, rate, at = tonumber(b[1]), tonumber(b[2]), tonumber(b[3]), tonumber(b[4])
local now, cost = tonumber(ARGV[1]), tonumber(ARGV[2])
if rate <= 0 then return 0 end
-- Workers' calls arrive out of order: time only moves forward, or restore would count twice.
local t = math.max(now, at)
avail = math.min(max, avail + (t - at) / 1000 * rate) - math.min(cost, max)
redis.call('HSET', KEYS[1], 'available', tostring(avail), 'at', tostring(t))
redis.call('PEXPIRE', KEYS[1], 3600000)
if avail >= 0 then return 0 end
return math.ceil(-avail / rate * 1000)
`;

// KEYS[1] bucket; ARGV max, reported available, rate, now, refund (requested minus actual cost).
// Other workers' requests still in flight are not in Shopify's figure yet, so the lower of the
// report and our own estimate wins.
const RECORD = `
local now, reported, refund = tonumber(ARGV[4]), tonumber(ARGV[2]), tonumber(ARGV[5])
local b = redis.call('HMGET', KEYS[1], 'max', 'available', 'rate', 'at')
local t = now
if b[1] then
  t = math.max(now, tonumber(b[4]))
  local est = math.min(tonumber(b[1]), tonumber(b[2]) + (t - tonumber(b[4])) / 1000 * tonumber(b[3]) + refund)
  if est < reported then reported = est end
end
redis.call('HSET', KEYS[1], 'max', ARGV[1], 'available', tostring(reported), 'rate', ARGV[3], 'at', tostring(t))
redis.call('PEXPIRE', KEYS[1], 3600000)
return 1
`;

export function createRedisAdminApiThrottle({ redis, prefix = "afterglow" }: { redis: Redis; prefix?: string }): AdminApiPacer {
  // Costs per operation are learned per process; only the bucket needs sharing.
  const local = new AdminApiThrottle();
  const key = (bucketKey: string) => `${prefix}:admin-api-bucket:${bucketKey}`;
  return {
    expectedCost: (operation, override) => local.expectedCost(operation, override),
    async reserve(bucketKey, cost, now) {
      return Number(await redis.eval(RESERVE, 1, key(bucketKey), String(now), String(cost)));
    },
    record(bucketKey: string, operation: string, cost: QueryCost | undefined, now: number) {
      local.record(bucketKey, operation, cost, now);
      const status = cost?.throttleStatus;
      if (!status || !Number.isFinite(status.currentlyAvailable) || !Number.isFinite(status.restoreRate)) return;
      const refund = Math.max(0, (cost?.requestedQueryCost ?? 0) - (cost?.actualQueryCost ?? 0));
      redis
        .eval(RECORD, 1, key(bucketKey), String(status.maximumAvailable), String(status.currentlyAvailable), String(status.restoreRate), String(now), String(refund))
        .catch((err: unknown) => logger.warn("could not record the Admin API bucket in Redis", { bucketKey, err }));
    },
  };
}
