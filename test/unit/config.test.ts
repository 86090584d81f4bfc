import fs from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { config, ConfigError, loadConfig, TIMER_MAX_MS, variables } from "~/platform/config.server";
import { CONFIGURATION_DOC, configurationDoc } from "../../scripts/config-docs";

describe("loadConfig", () => {
  it("gives every variable its default when the environment is empty", () => {
    const c = loadConfig({});
    expect(c.server).toMatchObject({ port: 3000, host: "0.0.0.0", webProcesses: 1, directWebhooks: "on", backgroundWork: "on", shutdownTimeoutMs: 10_000 });
    expect(c.database).toEqual({ url: "file:./prisma/dev.sqlite", poolMax: 10, poolIdleMs: 10_000, connectTimeoutMs: 5_000 });
    expect(c.shopify).toMatchObject({ apiKey: null, apiSecret: "", appUrl: "http://localhost:3000", adminApiUrl: null });
    expect(c.mail).toMatchObject({ transport: null, sendgridApiKey: null, rateLimit: 600, rateLimitWindowMs: 1_000, handoverEventWaitMs: 0, asmGroupMarketing: 0 });
    expect(c.events).toMatchObject({ publicKey: null, toleranceSeconds: 600, maxBodyBytes: 5 * 1024 * 1024, suppressAfterBlocks: 3, suppressAfterDeferrals: 10 });
    expect(c.webhooks.maxBytes).toBe(2 * 1024 * 1024);
    expect(c.queue).toMatchObject({ redisUrl: null, workerConcurrency: 8, workerLockMs: 30_000, dispatchIntervalMs: 5_000, dispatchBatchSize: 50, leaseMs: null, recommendationCacheMs: 300_000, intakeCacheMs: 5_000 });
    expect(c.housekeeping).toEqual({
      retentionIntervalMs: 6 * 3600_000,
      retentionDays: 90,
      consentRetryIntervalMs: 60_000,
      consentWriteBackBackoffMs: 60_000,
      flowTriggerIntervalMs: 15_000,
      flowTriggerBackoffMs: 30_000,
      analyticsIntervalMs: 60_000,
      marketingSyncIntervalMs: 900_000,
      orderReconcileIntervalMs: 900_000,
      deliveryFallbackIntervalMs: 300_000,
      reconcileStartDelayMs: 30_000,
      reconcileOverlapMs: 900_000,
      reconcileLookbackMs: 3 * 86_400_000,
    });
    expect(c.alerts).toEqual({ webhookUrl: null, threshold: 0.2, minAttempts: 10, windowMs: 900_000, cooldownMs: 3_600_000 });
    expect(c.logging).toEqual({ level: "info", stacks: false });
    expect(c.dns).toEqual({ servers: [], timeoutMs: 4_000, cacheMs: 300_000 });
  });

  it("treats an empty value as unset", () => {
    expect(loadConfig({ PORT: "", WEB_CONCURRENCY: " ", LOG_LEVEL: "" }).server).toMatchObject({ port: 3000, webProcesses: 1 });
  });

  it("reads values of each kind", () => {
    const c = loadConfig({
      PORT: "0",
      WEB_CONCURRENCY: "4",
      AFTERGLOW_WORKER: "off",
      MAIL_TRANSPORT: " SendGrid ",
      SENDGRID_RATE_LIMIT: "0",
      ALERT_FAILURE_RATE: "25",
      LOG_STACKS: "1",
      AFTERGLOW_DNS_SERVERS: "1.1.1.1, 8.8.8.8,",
      AFTERGLOW_UNSUBSCRIBE_SECRET_PREVIOUS: "old, older",
      SENDGRID_EVENT_WAIT_MS: "20000",
    });
    expect(c.server).toMatchObject({ port: 0, webProcesses: 4, backgroundWork: "off" });
    expect(c.mail).toMatchObject({ transport: "sendgrid", rateLimit: 0, handoverEventWaitMs: 20_000 });
    expect(c.alerts.threshold).toBe(0.25);
    expect(loadConfig({ ALERT_FAILURE_RATE: "0.1" }).alerts.threshold).toBe(0.1);
    expect(c.logging.stacks).toBe(true);
    expect(c.dns.servers).toEqual(["1.1.1.1", "8.8.8.8"]);
    expect(c.unsubscribe.previousSecrets).toEqual(["old", "older"]);
  });

  it("waits for SendGrid's events by default only when a signed Event Webhook can bring them", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const key = publicKey.export({ format: "der", type: "spki" }).toString("base64");
    const c = loadConfig({ SENDGRID_WEBHOOK_PUBLIC_KEY: key });
    expect(c.events.publicKey?.asymmetricKeyType).toBe("ec");
    expect(c.mail.handoverEventWaitMs).toBe(600_000);
  });

  it("fails naming the variable, what it got and what is allowed", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ WEB_CONCURRENCY: "two" }, /^WEB_CONCURRENCY must be a whole number from 1 to 64; got "two"$/],
      [{ WEB_CONCURRENCY: "0" }, /^WEB_CONCURRENCY must be a whole number from 1 to 64; got "0"$/],
      [{ LOG_LEVEL: "verbose" }, /^LOG_LEVEL must be "debug" or "info" or "warn" or "error"; got "verbose"$/],
      [{ AFTERGLOW_WORKER: "false" }, /^AFTERGLOW_WORKER must be "on" or "off"; got "false"$/],
      [{ MAIL_TRANSPORT: "smtp" }, /^MAIL_TRANSPORT must be "outbox", "sendgrid" or "postmark"/],
      [{ SHUTDOWN_TIMEOUT_MS: "-1" }, /^SHUTDOWN_TIMEOUT_MS must be a whole number of milliseconds from 0 to 2147483647; got "-1"$/],
      [{ SUPPRESS_AFTER_BLOCKS: "none" }, /^SUPPRESS_AFTER_BLOCKS must be a whole number of at least 1; got "none"$/],
      [{ SENDGRID_WEBHOOK_TOLERANCE_SECONDS: "0" }, /^SENDGRID_WEBHOOK_TOLERANCE_SECONDS must be a number of seconds above 0/],
      [{ SENDGRID_API_URL: "api.sendgrid" }, /^SENDGRID_API_URL must be an http:\/\/ or https:\/\/ URL; got "api.sendgrid"$/],
      [{ DATABASE_URL: "mysql://db/afterglow" }, /^DATABASE_URL must be a SQLite file URL/],
      [{ SENDGRID_WEBHOOK_PUBLIC_KEY: "garbage" }, /^SENDGRID_WEBHOOK_PUBLIC_KEY must be SendGrid's Event Webhook Verification Key/],
      [{ LOG_STACKS: "yes" }, /^LOG_STACKS must be "1" \(on\) or "0" \(off\); got "yes"$/],
      [{ ALERT_FAILURE_RATE: "200" }, /^ALERT_FAILURE_RATE must be a number from 0 to 100; got "200"$/],
    ];
    for (const [env, message] of cases) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(ConfigError);
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(message);
    }
  });

  it("returns a frozen object", () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.server)).toBe(true);
    expect(Object.isFrozen(c.dns.servers)).toBe(true);
    expect(() => {
      (c.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it("declares each variable once, with a meaning and a default", () => {
    const names = variables.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const v of variables) {
      expect(v.name).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(v.meaning.length, v.name).toBeGreaterThan(10);
      expect(v.default, v.name).not.toBe("");
    }
  });
});

// Every numeric variable: what 0 does (a meaning, or a refusal), and the range the error names.
// A variable added without a row here fails the first test.
const T = "2147483647"; // Node's longest timer
const NUMERIC: Record<string, { zero: RegExp | "refused"; allowed: string }> = {
  PORT: { zero: /0 listens on a free port/, allowed: "a whole number from 0 to 65535" },
  WEB_CONCURRENCY: { zero: "refused", allowed: "a whole number from 1 to 64" },
  SHUTDOWN_TIMEOUT_MS: { zero: /0 does not wait/, allowed: `a whole number of milliseconds from 0 to ${T}` },
  METRICS_PORT: { zero: /0 listens on a free port/, allowed: "a whole number from 0 to 65535" },
  DATABASE_POOL_MAX: { zero: "refused", allowed: "a whole number of connections of at least 1" },
  DATABASE_POOL_IDLE_MS: { zero: /0 keeps idle connections open/, allowed: `a whole number of milliseconds from 0 to ${T}` },
  DATABASE_CONNECT_TIMEOUT_MS: { zero: /0 waits without a limit/, allowed: `a whole number of milliseconds from 0 to ${T}` },
  SENDGRID_TIMEOUT_MS: { zero: "refused", allowed: `a whole number of milliseconds from 1 to ${T}` },
  POSTMARK_TIMEOUT_MS: { zero: "refused", allowed: `a whole number of milliseconds from 1 to ${T}` },
  MAIL_FAILOVER_AFTER_MS: { zero: "refused", allowed: `a whole number of milliseconds from 1 to ${T}` },
  MAIL_FAILOVER_PROBE_MS: { zero: "refused", allowed: `a whole number of milliseconds from 1 to ${T}` },
  POSTMARK_WEBHOOK_MAX_BYTES: { zero: "refused", allowed: "a whole number of bytes of at least 1" },
  SENDGRID_ASM_GROUP_MARKETING: { zero: /0 sends without a group/, allowed: "a whole number, 0 or more" },
  SENDGRID_ASM_GROUP_SERVICE: { zero: /0 sends without a group/, allowed: "a whole number, 0 or more" },
  SENDGRID_RATE_LIMIT: { zero: /0 turns the limit off/, allowed: "a whole number, 0 or more" },
  SENDGRID_RATE_LIMIT_WINDOW_MS: { zero: "refused", allowed: `a whole number of milliseconds from 1 to ${T}` },
  SENDGRID_EVENT_WAIT_MS: { zero: /0 sends again at once/, allowed: "a number of milliseconds, 0 or more" },
  SENDGRID_WEBHOOK_TOLERANCE_SECONDS: { zero: "refused", allowed: "a number of seconds above 0" },
  SENDGRID_WEBHOOK_MAX_BYTES: { zero: "refused", allowed: "a whole number of bytes of at least 1" },
  SUPPRESS_AFTER_BLOCKS: { zero: "refused", allowed: "a whole number of at least 1" },
  SUPPRESS_AFTER_DEFERRALS: { zero: "refused", allowed: "a whole number of at least 1" },
  WEBHOOK_MAX_BYTES: { zero: "refused", allowed: "a whole number of bytes of at least 1" },
  WORKER_CONCURRENCY: { zero: "refused", allowed: "a whole number of at least 1" },
  WORKER_LOCK_MS: { zero: "refused", allowed: `a whole number of milliseconds from 1 to ${T}` },
  RECONCILE_INTERVAL_MS: { zero: "refused", allowed: `a whole number of milliseconds from 1 to ${T}` },
  DISPATCH_INTERVAL_MS: { zero: "refused", allowed: `a whole number of milliseconds from 1 to ${T}` },
  DISPATCH_BATCH_SIZE: { zero: "refused", allowed: "a whole number of at least 1" },
  DISPATCH_LEASE_MS: { zero: "refused", allowed: `a whole number of milliseconds from 1 to ${T}` },
  RECOMMENDATION_CACHE_MS: { zero: /0 turns the cache off/, allowed: "a whole number of milliseconds, 0 or more" },
  INTAKE_CACHE_MS: { zero: /0 reads them for every webhook/, allowed: "a whole number of milliseconds, 0 or more" },
  RETENTION_INTERVAL_MS: { zero: /0 turns pruning off/, allowed: `a whole number of milliseconds from 0 to ${T}` },
  RETENTION_DAYS: { zero: "refused", allowed: "a whole number of days of at least 1" },
  CONSENT_RETRY_INTERVAL_MS: { zero: /0 turns the retries off/, allowed: `a whole number of milliseconds from 0 to ${T}` },
  ANALYTICS_INTERVAL_MS: { zero: /0 turns the rollups off/, allowed: `a whole number of milliseconds from 0 to ${T}` },
  MARKETING_SYNC_INTERVAL_MS: { zero: /0 turns the Marketing section's updates off/, allowed: `a whole number of milliseconds from 0 to ${T}` },
  ORDER_RECONCILE_INTERVAL_MS: { zero: /0 turns order reconciliation off/, allowed: `a whole number of milliseconds from 0 to ${T}` },
  DELIVERY_FALLBACK_INTERVAL_MS: { zero: /0 turns the delivery fallback off/, allowed: `a whole number of milliseconds from 0 to ${T}` },
  REVIEW_APP_TIMEOUT_MS: { zero: "refused", allowed: `a whole number of milliseconds from 1 to ${T}` },
  RECONCILE_START_DELAY_MS: { zero: /0 reconciles right after the start/, allowed: `a whole number of milliseconds from 0 to ${T}` },
  RECONCILE_OVERLAP_MS: { zero: /0 starts where the last check ended/, allowed: "a whole number of milliseconds, 0 or more" },
  RECONCILE_LOOKBACK_MS: { zero: "refused", allowed: "a whole number of milliseconds of at least 1" },
  ALERT_FAILURE_RATE: { zero: /0 alerts on any failure/, allowed: "a number from 0 to 100" },
  ALERT_MIN_ATTEMPTS: { zero: /0 judges a shop from its first attempt/, allowed: "a whole number, 0 or more" },
  ALERT_WINDOW_MS: { zero: "refused", allowed: "a whole number of milliseconds of at least 1" },
  ALERT_COOLDOWN_MS: { zero: /0 lets every check alert again/, allowed: "a whole number of milliseconds, 0 or more" },
  AFTERGLOW_DNS_TIMEOUT_MS: { zero: /0 sets no deadline of its own/, allowed: `a whole number of milliseconds from 0 to ${T}` },
  SENDER_DOMAIN_CACHE_MS: { zero: /0 checks again every time/, allowed: "a whole number of milliseconds, 0 or more" },
  REQUEST_MAX_BYTES: { zero: "refused", allowed: "a whole number of bytes from 1024 to 67108864" },
  ADMIN_REQUEST_MAX_BYTES: { zero: "refused", allowed: "a whole number of bytes from 1024 to 67108864" },
  HTTP_REQUEST_TIMEOUT_MS: { zero: "refused", allowed: "a whole number of milliseconds from 1000 to 300000" },
  HTTP_HEADERS_TIMEOUT_MS: { zero: "refused", allowed: "a whole number of milliseconds from 1000 to 300000" },
  HTTP_KEEP_ALIVE_TIMEOUT_MS: { zero: "refused", allowed: "a whole number of milliseconds from 1000 to 300000" },
  HTTP_MAX_CONNECTIONS: { zero: "refused", allowed: "a whole number of connections from 1 to 100000" },
  SHOP_PROFILE_RETRY_MS: { zero: /0 asks on every load/, allowed: `a whole number of milliseconds from 0 to ${T}` },
  SHOPIFY_WAIT_BACKOFF_MS: { zero: "refused", allowed: "a whole number of milliseconds from 1 to 2147483647" },
  SHOPIFY_WAIT_MAX_MS: { zero: "refused", allowed: "a whole number of milliseconds from 1 to 2592000000" },
  TEST_SENDS_PER_HOUR: { zero: "refused", allowed: "a whole number from 1 to 100" },
  CONSENT_WRITE_BACK_BACKOFF_MS: { zero: "refused", allowed: "a whole number of milliseconds from 1 to 2147483647" },
  FLOW_TRIGGER_INTERVAL_MS: { zero: /0 turns sending Flow triggers off/, allowed: `a whole number of milliseconds from 0 to ${T}` },
  FLOW_TRIGGER_BACKOFF_MS: { zero: "refused", allowed: "a whole number of milliseconds from 1 to 2147483647" },
  AFTERGLOW_FREE_EMAILS_PER_MONTH: { zero: /0 holds every marketing follow-up/, allowed: "a whole number from 0 to 10000000" },
};

describe("every numeric variable", () => {
  const numeric = variables.filter((v) => v.type === "whole number" || v.type === "number");

  it("has a row above that says what 0 does and what the range is", () => {
    expect(numeric.map((v) => v.name).sort()).toEqual(Object.keys(NUMERIC).sort());
  });

  const refusal = (name: string, allowed: string, got: string) => `${name} must be ${allowed}; got "${got}"`;
  const refuses = (name: string, value: string, allowed: string) => {
    expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(refusal(name, allowed, value));
  };

  for (const [name, { zero, allowed }] of Object.entries(NUMERIC)) {
    it(`${name}: 0, negative, non-numeric and out-of-range values`, () => {
      const v = numeric.find((n) => n.name === name)!;
      expect(v.allowed).toBe(allowed);
      if (zero === "refused") {
        refuses(name, "0", allowed);
      } else {
        // Accepted as 0 (no default slipped in), and the meaning says what 0 does.
        expect(v.parse("0", {}), name).toBe(0);
        expect(v.meaning).toMatch(zero);
      }
      for (const bad of ["-1", "-0.5", "ten", "1O", "0x10", "Infinity", "NaN", "1e400"]) refuses(name, bad, allowed);
      if (v.type === "whole number") {
        refuses(name, "1.5", allowed);
        refuses(name, "1e20", allowed); // past what a number holds exactly
      }
      const max = /(?:from|to) \d+ to (\d+)/.exec(allowed)?.[1];
      if (max) refuses(name, String(Number(max) + 1), allowed);
      // A delay Node's timers cannot hold would fire at once (the HTTP server's own timeouts stop at 300 s).
      if (allowed.includes("milliseconds") && /INTERVAL|TIMEOUT|DELAY|LOCK|LEASE|IDLE|WINDOW/.test(name) && !/RATE_LIMIT|EVENT_WAIT|ALERT_WINDOW|^HTTP_/.test(name)) {
        expect(max, name).toBe(String(TIMER_MAX_MS));
      }
    });
  }
});

describe("config()", () => {
  it("parses an environment once and again only when a declared variable changes", () => {
    const env: Record<string, string | undefined> = { PORT: "4000", UNRELATED: "a" };
    const first = config(env);
    expect(config(env)).toBe(first);
    env.UNRELATED = "b";
    expect(config(env)).toBe(first);
    env.PORT = "4001";
    expect(config(env).server.port).toBe(4001);
  });
});

describe("docs/configuration.md", () => {
  it("is what the declaration generates (run npm run docs:config after changing it)", () => {
    expect(fs.readFileSync(CONFIGURATION_DOC, "utf8")).toBe(configurationDoc());
  });

  it("names every declared variable", () => {
    const doc = configurationDoc();
    for (const v of variables) expect(doc).toContain(`\`${v.name}\``);
  });
});
