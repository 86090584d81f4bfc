// SendGrid's rate limit is per account, however many workers send. BullMQ's limiter only spaces
// job starts, and a job spends a varying time on recommendations and rendering before its send,
// so sends started in one window can bunch up in the next. This gate sits right at the send: a
// sliding-window log in Redis, timed by Redis's clock so workers' clocks need not agree.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { MailTransport } from "~/adapters/mail/transport";

// KEYS[1] log; ARGV window ms, max, member. Returns 0 when the send may go now, else the wait in ms.
const TAKE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window, max = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < max then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window * 2)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`;

export interface SendRateGate {
  // Resolves when a send fits in the account's window.
  take(account: string): Promise<void>;
}

export function createRedisSendRateGate({
  redis,
  max,
  windowMs,
  prefix = "afterglow",
}: {
  redis: Redis;
  max: number;
  windowMs: number;
  prefix?: string;
}): SendRateGate {
  return {
    async take(account) {
      const key = `${prefix}:send-rate:${account}`;
      const member = randomUUID();
      for (;;) {
        const wait = Number(await redis.eval(TAKE_SLOT, 1, key, String(windowMs), String(max), member));
        if (wait <= 0) return;
        await new Promise((r) => setTimeout(r, Math.min(wait, windowMs)));
      }
    },
  };
}

// The same transport, with each send waiting for a slot of `account` first.
export function pacedTransport(transport: MailTransport, gate: SendRateGate, account: string): MailTransport {
  return {
    name: transport.name,
    async send(email) {
      await gate.take(account);
      return transport.send(email);
    },
  };
}
