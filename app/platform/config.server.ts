// Every environment variable the web server, the worker and the CLI read, declared once with its
// type, default, allowed values and meaning. loadConfig() turns an environment into one frozen,
// typed object or fails naming the variable, what it got and what is allowed;
// docs/configuration.md is generated from this file (npm run docs:config).

import { createHmac, type KeyObject } from "node:crypto";
import { parseSendGridPublicKey } from "./sendgrid-key.server";

export type Env = Record<string, string | undefined>;

export interface Variable<T> {
  name: string;
  meaning: string;
  type: string; // for the docs: "whole number", "text", "one of", ...
  allowed: string; // for the docs and the error: "a whole number from 1 to 64"
  default: string; // for the docs: what an unset (or empty) variable means
  secret?: boolean;
  parse(raw: string | undefined, env: Env): T;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly got: string,
    readonly allowed: string,
  ) {
    super(`${variable} must be ${allowed}; got "${got}"`);
    this.name = "ConfigError";
  }
}

const unset = (raw: string | undefined): raw is undefined => raw === undefined || raw.trim() === "";

interface NumberOptions<D> {
  meaning: string;
  default: D;
  min?: number;
  max?: number;
  above?: number; // strictly more than this
  unit?: string; // "milliseconds", "bytes": named in the error and the docs
  whole?: boolean;
  off?: string; // what 0 means when 0 turns something off
  defaultText?: string;
  defaultFrom?: (env: Env) => D; // a default that follows from another variable
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

function numberVariable<D extends number | null>(name: string, o: NumberOptions<D>): Variable<number | D> {
  const whole = o.whole ?? true;
  const kind = whole ? "a whole number" : "a number";
  const unit = o.unit ? ` of ${o.unit}` : "";
  const range =
    o.min !== undefined && o.max !== undefined
      ? ` from ${o.min} to ${o.max}`
      : o.min !== undefined
        ? o.min === 0
          ? ", 0 or more"
          : ` of at least ${o.min}`
        : "";
  const allowed = o.above !== undefined ? `${kind}${unit} above ${o.above}` : `${kind}${unit}${range}`;
  return {
    name,
    meaning: o.off ? `${o.meaning} 0 ${o.off}.` : o.meaning,
    type: whole ? "whole number" : "number",
    allowed,
    default: o.defaultText ?? (o.default === null ? "unset" : String(o.default)),
    parse(raw, env) {
      if (unset(raw)) return o.defaultFrom ? o.defaultFrom(env) : o.default;
      // Decimal only: Number() would also take "0x10", "0b11" and "Infinity".
      const n = DECIMAL.test(raw.trim()) ? Number(raw.trim()) : NaN;
      const ok = Number.isFinite(n) && (!whole || Number.isSafeInteger(n)) && (o.min === undefined || n >= o.min) && (o.max === undefined || n <= o.max) && (o.above === undefined || n > o.above);
      if (!ok) throw new ConfigError(name, raw, allowed);
      return n;
    },
  };
}

const int = (name: string, o: Omit<NumberOptions<number>, "whole">) => numberVariable(name, { ...o, whole: true });
const optionalInt = (name: string, o: Omit<NumberOptions<null>, "whole" | "default">) =>
  numberVariable<null>(name, { ...o, default: null, whole: true });

function text(name: string, o: { meaning: string; default: string; secret?: boolean; check?: Check }): Variable<string> {
  return {
    name,
    meaning: o.meaning,
    type: "text",
    allowed: o.check?.allowed ?? "any text",
    default: o.default === "" ? "empty" : o.default,
    secret: o.secret,
    parse(raw) {
      if (unset(raw)) return o.default;
      if (o.check && !o.check.test(raw)) throw new ConfigError(name, raw, o.check.allowed);
      return raw;
    },
  };
}

interface Check {
  allowed: string;
  test: (value: string) => boolean;
}

function optionalText(name: string, o: { meaning: string; secret?: boolean; trim?: boolean; check?: Check }): Variable<string | null> {
  return {
    name,
    meaning: o.meaning,
    type: "text",
    allowed: o.check?.allowed ?? "any text",
    default: "unset",
    secret: o.secret,
    parse(raw) {
      if (unset(raw)) return null;
      const value = o.trim ? raw.trim() : raw;
      if (o.check && !o.check.test(value)) throw new ConfigError(name, raw, o.check.allowed);
      return value;
    },
  };
}

function oneOf<V extends string, D extends V | null>(
  name: string,
  o: { meaning: string; values: readonly V[]; default: D; allowed?: string; caseless?: boolean },
): Variable<V | D> {
  const allowed = o.allowed ?? o.values.map((v) => `"${v}"`).join(" or ");
  return {
    name,
    meaning: o.meaning,
    type: "one of",
    allowed,
    default: o.default === null ? "unset" : o.default,
    parse(raw) {
      if (unset(raw)) return o.default;
      const value = o.caseless ? raw.trim().toLowerCase() : raw;
      if (!(o.values as readonly string[]).includes(value)) throw new ConfigError(name, raw, allowed);
      return value as V;
    },
  };
}

// "1" turns it on; unset or "0" leaves it off.
function flag(name: string, meaning: string): Variable<boolean> {
  const v = oneOf(name, { meaning, values: ["0", "1"] as const, default: "0", allowed: `"1" (on) or "0" (off)` });
  return { ...v, type: "flag", default: "0", parse: (raw, env) => v.parse(raw, env) === "1" };
}

function list(name: string, meaning: string): Variable<string[]> {
  return {
    name,
    meaning,
    type: "comma-separated list",
    allowed: "values separated by commas",
    default: "empty",
    parse: (raw) => (raw ?? "").split(",").map((s) => s.trim()).filter(Boolean),
  };
}

// A key that hashes the addresses an erasure keeps (suppressions). "derived" comes from
// SHOPIFY_API_SECRET and is filled in by derive(), which knows that secret.
export interface EmailHashKey {
  id: string;
  key: Buffer | "derived";
}

export const DERIVED_EMAIL_HASH_KEY_ID = "app";
const EMAIL_HASH_KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

function emailHashKeys(name: string, meaning: string): Variable<readonly EmailHashKey[]> {
  const allowed = `"<id>:<base64 of at least 32 random bytes>" entries separated by commas (ids of letters, digits, - or _), or "${DERIVED_EMAIL_HASH_KEY_ID}" for the key derived from SHOPIFY_API_SECRET`;
  return {
    name,
    meaning,
    type: "comma-separated list",
    allowed,
    default: `unset: one key, "${DERIVED_EMAIL_HASH_KEY_ID}", derived from SHOPIFY_API_SECRET`,
    secret: true,
    parse(raw) {
      const entries = (raw ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      if (entries.length === 0) return [{ id: DERIVED_EMAIL_HASH_KEY_ID, key: "derived" }];
      const seen = new Set<string>();
      return entries.map((entry) => {
        const colon = entry.indexOf(":");
        const id = colon < 0 ? entry : entry.slice(0, colon);
        const key = colon < 0 ? null : Buffer.from(entry.slice(colon + 1), "base64");
        const ok = EMAIL_HASH_KEY_ID.test(id) && !seen.has(id) && (id === DERIVED_EMAIL_HASH_KEY_ID ? key === null : key !== null && key.length >= 32);
        // The value is a secret: the error names the entry's id, never its key.
        if (!ok) throw new ConfigError(name, `entry "${id}"`, `${allowed}; each id once`);
        seen.add(id);
        return { id, key: key ?? "derived" };
      });
    },
  };
}

// Parsed here so a key that is not SendGrid's kind fails at start, not at the first event post.
function publicKey(name: string, meaning: string): Variable<KeyObject | null> {
  const allowed = "SendGrid's Event Webhook Verification Key, an ECDSA P-256 public key in base64 (as SendGrid shows it) or PEM";
  return {
    name,
    meaning,
    type: "public key",
    allowed,
    default: "unset",
    parse(raw) {
      if (unset(raw)) return null;
      try {
        return parseSendGridPublicKey(raw);
      } catch (err) {
        throw new ConfigError(name, raw.length > 40 ? `${raw.slice(0, 40)}...` : raw, `${allowed} (${(err as Error).message})`);
      }
    },
  };
}

const httpUrl = { allowed: "an http:// or https:// URL", test: (v: string) => /^https?:\/\/[^\s]+$/.test(v) && URL.canParse(v) };

// Node fires a timer of more milliseconds than this at once (TimeoutOverflowWarning), so no delay may exceed it.
export const TIMER_MAX_MS = 2_147_483_647;

export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";
export const DEFAULT_APP_URL = "http://localhost:3000";

// A housekeeping chore's interval: 0 turns the chore off in that process.
const chore = { min: 0, max: TIMER_MAX_MS, unit: "milliseconds" } as const;

// Grouped as the docs present them; each group becomes one part of the config object.
export const declaration = {
  server: {
    port: int("PORT", { meaning: "Port the web server listens on.", default: 3000, min: 0, max: 65535, off: "listens on a free port the system picks" }),
    host: text("HOST", { meaning: "Address the web server binds to.", default: "0.0.0.0" }),
    nodeEnv: oneOf("NODE_ENV", {
      meaning: "Remix's mode; anything but production also keeps one Prisma client across module reloads.",
      values: ["development", "production", "test"] as const,
      default: null,
    }),
    webProcesses: int("WEB_CONCURRENCY", {
      meaning: "Web processes sharing the port (node:cluster); only the first runs the in-process dispatcher and housekeeping.",
      default: 1,
      min: 1,
      max: 64,
    }),
    directWebhooks: oneOf("AFTERGLOW_DIRECT_WEBHOOKS", {
      meaning: "Whether Shopify's webhooks skip Express and Remix (the direct path); off sends them through the routes.",
      values: ["on", "off"] as const,
      default: "on",
    }),
    backgroundWork: oneOf("AFTERGLOW_WORKER", {
      meaning: "Whether the web process dispatches follow-ups and runs housekeeping itself (without REDIS_URL); off leaves sending to `npm run afterglow -- dispatch`.",
      values: ["on", "off"] as const,
      default: "on",
    }),
    shutdownTimeoutMs: int("SHUTDOWN_TIMEOUT_MS", {
      meaning: "How long a stopping process waits for in-flight sends and chores; the process exits 15 s after that at the latest.",
      default: 10_000,
      min: 0,
      max: TIMER_MAX_MS,
      unit: "milliseconds",
      off: "does not wait: a worker hands back the follow-ups it has not sent yet at once, and chores still running are left unfinished",
    }),
    metricsToken: optionalText("METRICS_TOKEN", {
      meaning: "Bearer token /metrics asks for; unset refuses /metrics on the public port in production (403) and leaves it open otherwise.",
      secret: true,
    }),
    metricsPort: optionalInt("METRICS_PORT", {
      meaning: "Port of the metrics server `npm run afterglow -- dispatch` starts; unset starts none.",
      min: 0,
      max: 65535,
      off: "listens on a free port the system picks",
    }),
  },
  requests: {
    maxBodyBytes: int("REQUEST_MAX_BYTES", {
      meaning: "Largest request body accepted where no other limit applies: the login form, unsubscribe posts, any other route. Larger is 413, chunked or not.",
      default: 64 * 1024,
      min: 1024,
      max: 64 * 1024 * 1024,
      unit: "bytes",
    }),
    adminMaxBodyBytes: int("ADMIN_REQUEST_MAX_BYTES", {
      meaning: "Largest request body the embedded admin's routes (/app/...) accept: flow drafts and settings forms.",
      default: 1024 * 1024,
      min: 1024,
      max: 64 * 1024 * 1024,
      unit: "bytes",
    }),
    timeoutMs: int("HTTP_REQUEST_TIMEOUT_MS", {
      meaning: "How long a client may take to send a whole request, headers and body; a slower one is answered 408 and disconnected.",
      default: 30_000,
      min: 1_000,
      max: 300_000,
      unit: "milliseconds",
    }),
    headersTimeoutMs: int("HTTP_HEADERS_TIMEOUT_MS", {
      meaning: "How long a client may take to send a request's headers; at most HTTP_REQUEST_TIMEOUT_MS.",
      default: 10_000,
      min: 1_000,
      max: 300_000,
      unit: "milliseconds",
    }),
    keepAliveTimeoutMs: int("HTTP_KEEP_ALIVE_TIMEOUT_MS", {
      meaning: "How long an idle keep-alive connection stays open; behind a load balancer that reuses connections, set it above the balancer's idle timeout.",
      default: 5_000,
      min: 1_000,
      max: 300_000,
      unit: "milliseconds",
    }),
    maxConnections: int("HTTP_MAX_CONNECTIONS", {
      meaning: "Open connections one web process accepts; further ones are closed at once. Request bodies held in memory are at most this many times the largest body limit (this group's, WEBHOOK_MAX_BYTES, SENDGRID_WEBHOOK_MAX_BYTES, POSTMARK_WEBHOOK_MAX_BYTES).",
      default: 256,
      min: 1,
      max: 100_000,
      unit: "connections",
    }),
  },
  database: {
    url: text("DATABASE_URL", {
      meaning: "SQLite file URL or PostgreSQL URL of the database.",
      default: DEFAULT_DATABASE_URL,
      check: {
        allowed: "a SQLite file URL (file:./prisma/dev.sqlite) or a PostgreSQL URL (postgresql://user:password@host:5432/afterglow)",
        test: (v) => v.startsWith("file:") || /^postgres(ql)?:\/\//.test(v),
      },
    }),
    // 0 would leave every query waiting for a connection that never comes.
    poolMax: int("DATABASE_POOL_MAX", { meaning: "PostgreSQL connections per process.", default: 10, min: 1, unit: "connections" }),
    poolIdleMs: int("DATABASE_POOL_IDLE_MS", {
      meaning: "How long an idle PostgreSQL connection stays open.",
      default: 10_000,
      min: 0,
      max: TIMER_MAX_MS,
      unit: "milliseconds",
      off: "keeps idle connections open",
    }),
    connectTimeoutMs: int("DATABASE_CONNECT_TIMEOUT_MS", {
      meaning: "How long opening a PostgreSQL connection may take.",
      default: 5_000,
      min: 0,
      max: TIMER_MAX_MS,
      unit: "milliseconds",
      off: "waits without a limit",
    }),
  },
  shopify: {
    apiKey: optionalText("SHOPIFY_API_KEY", { meaning: "The app's client ID from the Partner Dashboard." }),
    apiSecret: text("SHOPIFY_API_SECRET", { meaning: "The app's client secret: verifies webhooks and sessions.", default: "", secret: true }),
    scopes: optionalText("SCOPES", { meaning: "Access scopes the app asks for, comma-separated (as in shopify.app.toml)." }),
    appUrl: text("SHOPIFY_APP_URL", { meaning: "Public URL of the app: the base of unsubscribe links and OAuth redirects.", default: DEFAULT_APP_URL }),
    customShopDomain: optionalText("SHOP_CUSTOM_DOMAIN", { meaning: "A shop domain other than *.myshopify.com the app accepts (development stores behind a proxy)." }),
    adminApiUrl: optionalText("SHOPIFY_ADMIN_API_URL", {
      meaning: "Admin GraphQL URL template with {shop} and {version}; unset is Shopify's own (https://{shop}/admin/api/{version}/graphql.json).",
    }),
    accessTokenUrl: optionalText("SHOPIFY_ACCESS_TOKEN_URL", {
      meaning:
        "OAuth access-token URL template with {shop}, where installs exchange a session token or code for the shop's token; unset is Shopify's own (https://{shop}/admin/oauth/access_token).",
    }),
    profileRetryMs: int("SHOP_PROFILE_RETRY_MS", {
      meaning:
        "When Shopify failed to give a shop's profile at install, the embedded app asks again on a page load at most this often per shop, so an outage does not slow every page.",
      default: 60_000,
      min: 0,
      max: TIMER_MAX_MS,
      unit: "milliseconds",
      off: "asks on every load",
    }),
    waitBackoffMs: int("SHOPIFY_WAIT_BACKOFF_MS", {
      meaning:
        "First wait of a follow-up held because Shopify did not answer about consent (down, throttled); it doubles with each wait up to two hours, and is never shorter than the wait Shopify asks for.",
      default: 30_000,
      min: 1,
      max: TIMER_MAX_MS,
      unit: "milliseconds",
    }),
    waitMaxMs: int("SHOPIFY_WAIT_MAX_MS", {
      meaning: "How long past its due time a follow-up waits for Shopify to answer about consent before it fails (never skipped as no consent).",
      default: 3 * 86_400_000,
      min: 1,
      max: 30 * 86_400_000,
      unit: "milliseconds",
    }),
  },
  mail: {
    transport: oneOf("MAIL_TRANSPORT", {
      meaning:
        "Forces the mail transport; unset sends through SendGrid when SENDGRID_API_KEY is set (failing over to Postmark when POSTMARK_SERVER_TOKEN is set too), else keeps mail in the outbox. postmark sends everything through Postmark.",
      values: ["outbox", "sendgrid", "postmark"] as const,
      default: null,
      caseless: true,
      allowed: `"outbox", "sendgrid" or "postmark" (any case), or unset`,
    }),
    sendgridApiKey: optionalText("SENDGRID_API_KEY", { meaning: "The app's SendGrid API key (a shop may set its own in Settings).", secret: true, trim: true }),
    sendgridApiUrl: optionalText("SENDGRID_API_URL", { meaning: "SendGrid API base URL (a stand-in in tests).", trim: true, check: httpUrl }),
    sendgridTimeoutMs: optionalInt("SENDGRID_TIMEOUT_MS", { meaning: "How long one SendGrid API call may take; unset is the client's own default.", min: 1, max: TIMER_MAX_MS, unit: "milliseconds" }),
    postmarkServerToken: optionalText("POSTMARK_SERVER_TOKEN", {
      meaning: "The Postmark server's API token; set beside SENDGRID_API_KEY, Postmark takes the mail while SendGrid is failing (MAIL_FAILOVER_AFTER_MS) and for shops that choose it.",
      secret: true,
      trim: true,
    }),
    postmarkApiUrl: optionalText("POSTMARK_API_URL", { meaning: "Postmark API base URL (a stand-in in tests); unset is https://api.postmarkapp.com.", trim: true, check: httpUrl }),
    postmarkTimeoutMs: optionalInt("POSTMARK_TIMEOUT_MS", { meaning: "How long one Postmark API call may take; unset is 15000.", min: 1, max: TIMER_MAX_MS, unit: "milliseconds" }),
    postmarkMessageStream: text("POSTMARK_MESSAGE_STREAM", { meaning: "The Postmark message stream follow-ups go out on: a transactional stream.", default: "outbound" }),
    postmarkTrackOpens: oneOf("POSTMARK_TRACK_OPENS", { meaning: "Whether Postmark tracks opens (its Open webhook).", values: ["on", "off"] as const, default: "on" }),
    postmarkTrackLinks: oneOf("POSTMARK_TRACK_LINKS", {
      meaning: "Which links Postmark tracks (its Click webhook).",
      values: ["HtmlAndText", "HtmlOnly", "TextOnly", "None"] as const,
      default: "HtmlAndText",
    }),
    failoverAfterMs: int("MAIL_FAILOVER_AFTER_MS", {
      meaning: "How long SendGrid must fail (429, 5xx, timeouts, no connection) without one answer before new follow-ups go to Postmark; each process judges from its own sends.",
      default: 60_000,
      min: 1,
      max: TIMER_MAX_MS,
      unit: "milliseconds",
    }),
    failoverProbeMs: int("MAIL_FAILOVER_PROBE_MS", {
      meaning: "While mail goes to Postmark, how often one follow-up tries SendGrid again; its first answer brings mail back to SendGrid.",
      default: 30_000,
      min: 1,
      max: TIMER_MAX_MS,
      unit: "milliseconds",
    }),
    fromEmail: optionalText("AFTERGLOW_FROM_EMAIL", { meaning: "From address, under the store's name, for shops whose own domain is not verified in SendGrid yet; unset, they send from their own address unverified." }),
    ipPoolMarketing: optionalText("SENDGRID_IP_POOL_MARKETING", { meaning: "SendGrid IP pool for marketing follow-ups." }),
    asmGroupMarketing: int("SENDGRID_ASM_GROUP_MARKETING", { meaning: "SendGrid unsubscribe group for marketing follow-ups.", default: 0, min: 0, off: "sends without a group" }),
    ipPoolService: optionalText("SENDGRID_IP_POOL_SERVICE", { meaning: "SendGrid IP pool for service follow-ups." }),
    asmGroupService: int("SENDGRID_ASM_GROUP_SERVICE", { meaning: "SendGrid unsubscribe group for service follow-ups.", default: 0, min: 0, off: "sends without a group" }),
    rateLimit: int("SENDGRID_RATE_LIMIT", {
      meaning: "Emails per SENDGRID_RATE_LIMIT_WINDOW_MS per SendGrid account, across all workers (with REDIS_URL).",
      default: 600,
      min: 0,
      off: "turns the limit off",
    }),
    rateLimitWindowMs: int("SENDGRID_RATE_LIMIT_WINDOW_MS", { meaning: "The window SENDGRID_RATE_LIMIT counts in.", default: 1_000, min: 1, max: TIMER_MAX_MS, unit: "milliseconds" }),
    handoverEventWaitMs: numberVariable("SENDGRID_EVENT_WAIT_MS", {
      meaning: "How long an email whose hand-over to SendGrid went unanswered waits for SendGrid's events before it is sent again.",
      default: 0,
      defaultFrom: (env) => (unset(env.SENDGRID_WEBHOOK_PUBLIC_KEY) ? 0 : 10 * 60_000),
      min: 0,
      whole: false,
      unit: "milliseconds",
      off: "sends again at once",
      defaultText: "600000 with SENDGRID_WEBHOOK_PUBLIC_KEY set, else 0 (only a signed Event Webhook brings events)",
    }),
    testSendsPerHour: int("TEST_SENDS_PER_HOUR", {
      meaning: "Test emails one shop may send in any hour, counted from the tests it has recorded (so every process sees the same count).",
      default: 10,
      min: 1,
      max: 100,
    }),
    encryptionKeys: optionalText("AFTERGLOW_ENCRYPTION_KEYS", {
      meaning:
        'Keys that encrypt Shopify access tokens and shops\' own SendGrid keys at rest: "<id>:<base64 of 32 bytes>", comma-separated, the first encrypts. ' +
        "Unset: production (NODE_ENV=production) does not start; elsewhere a key kept in var/encryption-key is made and used.",
      secret: true,
      trim: true,
    }),
  },
  unsubscribe: {
    secret: optionalText("AFTERGLOW_UNSUBSCRIBE_SECRET", {
      meaning: "Signs unsubscribe links, through a key derived from it for them alone; unset derives that key from SHOPIFY_API_SECRET.",
      secret: true,
    }),
    previousSecrets: list("AFTERGLOW_UNSUBSCRIBE_SECRET_PREVIOUS", "Earlier signing secrets whose links still work after a rotation."),
    legacySignatures: oneOf("AFTERGLOW_UNSUBSCRIBE_LEGACY_SIGNATURES", {
      meaning:
        "Whether links signed with the secret itself (before unsubscribe links got their own derived key) still work; refuse once emails sent before that are no longer answered.",
      values: ["accept", "refuse"] as const,
      default: "accept",
    }),
    mailto: optionalText("AFTERGLOW_UNSUBSCRIBE_MAILTO", { meaning: "Address for the List-Unsubscribe mailto; unset leaves it out." }),
  },
  erasure: {
    emailHashKeys: emailHashKeys(
      "AFTERGLOW_EMAIL_HASH_KEYS",
      "Keys of the keyed hash (HMAC-SHA256) an erased customer's suppressions keep instead of the address: the first hashes, every listed one still matches (docs/security.md, rotation).",
    ),
  },
  events: {
    publicKey: publicKey("SENDGRID_WEBHOOK_PUBLIC_KEY", "Verification Key of SendGrid's Signed Event Webhook (base64 or PEM); unset refuses every event post."),
    toleranceSeconds: numberVariable("SENDGRID_WEBHOOK_TOLERANCE_SECONDS", {
      meaning: "How far an event post's timestamp may be from now.",
      default: 600,
      above: 0,
      whole: false,
      unit: "seconds",
    }),
    maxBodyBytes: int("SENDGRID_WEBHOOK_MAX_BYTES", { meaning: "Largest event post accepted.", default: 5 * 1024 * 1024, min: 1, unit: "bytes" }),
    postmarkUser: optionalText("POSTMARK_WEBHOOK_USER", { meaning: "User name of the basic-auth credentials in Postmark's webhook URL (https://user:password@host/webhooks/postmark)." }),
    postmarkPassword: optionalText("POSTMARK_WEBHOOK_PASSWORD", {
      meaning: "Password of those credentials; with POSTMARK_WEBHOOK_USER unset, every Postmark webhook post is refused.",
      secret: true,
    }),
    postmarkMaxBodyBytes: int("POSTMARK_WEBHOOK_MAX_BYTES", { meaning: "Largest Postmark webhook post accepted (one event each).", default: 256 * 1024, min: 1, unit: "bytes" }),
    suppressAfterBlocks: int("SUPPRESS_AFTER_BLOCKS", { meaning: "Blocked bounces for one address before it is suppressed.", default: 3, min: 1 }),
    suppressAfterDeferrals: int("SUPPRESS_AFTER_DEFERRALS", { meaning: "Deferrals of never-delivered messages before the address is suppressed.", default: 10, min: 1 }),
  },
  webhooks: {
    maxBytes: int("WEBHOOK_MAX_BYTES", { meaning: "Largest Shopify webhook body accepted.", default: 2 * 1024 * 1024, min: 1, unit: "bytes" }),
  },
  queue: {
    redisUrl: optionalText("REDIS_URL", { meaning: "Redis for distributed mode: web processes enqueue on BullMQ, `npm run worker` processes dispatch." }),
    prefix: optionalText("AFTERGLOW_QUEUE_PREFIX", { meaning: "Prefix of every Redis key; unset is afterglow." }),
    workerConcurrency: int("WORKER_CONCURRENCY", { meaning: "Follow-ups one worker sends at a time.", default: 8, min: 1 }),
    workerLockMs: int("WORKER_LOCK_MS", { meaning: "How long a worker's claim on a BullMQ job lasts without renewal.", default: 30_000, min: 1, max: TIMER_MAX_MS, unit: "milliseconds" }),
    reconcileIntervalMs: int("RECONCILE_INTERVAL_MS", { meaning: "How often a worker matches the queue against the database.", default: 30_000, min: 1, max: TIMER_MAX_MS, unit: "milliseconds" }),
    dispatchIntervalMs: int("DISPATCH_INTERVAL_MS", { meaning: "How often the in-process dispatcher looks for due follow-ups (without Redis).", default: 5_000, min: 1, max: TIMER_MAX_MS, unit: "milliseconds" }),
    dispatchBatchSize: int("DISPATCH_BATCH_SIZE", { meaning: "Follow-ups claimed per dispatcher pass.", default: 50, min: 1 }),
    leaseMs: optionalInt("DISPATCH_LEASE_MS", { meaning: "How long a claimed follow-up stays claimed before another dispatcher may retry it; unset is 120000.", min: 1, max: TIMER_MAX_MS, unit: "milliseconds" }),
    recommendationCacheMs: int("RECOMMENDATION_CACHE_MS", {
      meaning: "How long a shop's recommendations are reused.",
      default: 5 * 60_000,
      min: 0,
      unit: "milliseconds",
      off: "turns the cache off",
    }),
    intakeCacheMs: int("INTAKE_CACHE_MS", { meaning: "How long webhook intake reuses a shop's flows and settings.", default: 5_000, min: 0, unit: "milliseconds", off: "reads them for every webhook" }),
  },
  housekeeping: {
    retentionIntervalMs: int("RETENTION_INTERVAL_MS", {
      meaning: "How often old email bodies and event details are pruned.",
      default: 6 * 3600_000,
      ...chore,
      off: "turns pruning off in this process",
    }),
    retentionDays: int("RETENTION_DAYS", { meaning: "Days rendered emails and event details are kept.", default: 90, min: 1, unit: "days" }),
    consentRetryIntervalMs: int("CONSENT_RETRY_INTERVAL_MS", {
      meaning: "How often consent changes waiting for Shopify (unsubscribes, resubscribes) are looked at.",
      default: 60_000,
      ...chore,
      off: "turns the retries off in this process",
    }),
    consentWriteBackBackoffMs: int("CONSENT_WRITE_BACK_BACKOFF_MS", {
      meaning: "First wait before a consent change Shopify could not take is tried again; it doubles with each attempt, up to six hours.",
      default: 60_000,
      min: 1,
      max: TIMER_MAX_MS,
      unit: "milliseconds",
    }),
    flowTriggerIntervalMs: int("FLOW_TRIGGER_INTERVAL_MS", {
      meaning: "How often the Shopify Flow triggers waiting to be sent (follow-up sent, clicked, unsubscribed, bounced) are looked at.",
      default: 15_000,
      ...chore,
      off: "turns sending Flow triggers off in this process",
    }),
    flowTriggerBackoffMs: int("FLOW_TRIGGER_BACKOFF_MS", {
      meaning: "First wait before a Flow trigger Shopify could not take is tried again; it doubles with each attempt, up to an hour, 12 attempts in all.",
      default: 30_000,
      min: 1,
      max: TIMER_MAX_MS,
      unit: "milliseconds",
    }),
    analyticsIntervalMs: int("ANALYTICS_INTERVAL_MS", { meaning: "How often analytics rollups run.", default: 60_000, ...chore, off: "turns the rollups off in this process" }),
    marketingSyncIntervalMs: int("MARKETING_SYNC_INTERVAL_MS", {
      meaning: "How often the flows and their daily numbers are brought up to date in Shopify's Marketing section.",
      default: 15 * 60_000,
      ...chore,
      off: "turns the Marketing section's updates off in this process",
    }),
    orderReconcileIntervalMs: int("ORDER_RECONCILE_INTERVAL_MS", {
      meaning: "How often orders whose webhooks never came are looked for through the Admin API.",
      default: 15 * 60_000,
      ...chore,
      off: "turns order reconciliation off in this process, also the one after a start",
    }),
    deliveryFallbackIntervalMs: int("DELIVERY_FALLBACK_INTERVAL_MS", {
      meaning: "How often fulfilled orders with no delivery report are looked at, for flows started by delivery that fall back to N days after fulfillment.",
      default: 5 * 60_000,
      ...chore,
      off: "turns the delivery fallback off in this process",
    }),
    reconcileStartDelayMs: int("RECONCILE_START_DELAY_MS", {
      meaning: "Wait after a start before the first order reconciliation.",
      default: 30_000,
      min: 0,
      max: TIMER_MAX_MS,
      unit: "milliseconds",
      off: "reconciles right after the start",
    }),
    reconcileOverlapMs: int("RECONCILE_OVERLAP_MS", {
      meaning: "How far back of its last check an order reconciliation starts.",
      default: 15 * 60_000,
      min: 0,
      unit: "milliseconds",
      off: "starts where the last check ended",
    }),
    reconcileLookbackMs: int("RECONCILE_LOOKBACK_MS", { meaning: "The furthest back an order reconciliation looks.", default: 3 * 86_400_000, min: 1, unit: "milliseconds" }),
  },
  alerts: {
    webhookUrl: optionalText("ALERT_WEBHOOK_URL", { meaning: "Where failure-rate alerts are posted (JSON); unset only logs them.", check: httpUrl }),
    threshold: numberVariable("ALERT_FAILURE_RATE", {
      meaning: 'Failure share of a shop\'s sends that raises an alert: "20" and "0.2" both mean 20 %.',
      default: 0.2,
      min: 0,
      max: 100,
      whole: false,
      off: "alerts on any failure",
    }),
    minAttempts: int("ALERT_MIN_ATTEMPTS", { meaning: "Send attempts in the window before a rate says anything.", default: 10, min: 0, off: "judges a shop from its first attempt" }),
    windowMs: int("ALERT_WINDOW_MS", { meaning: "The rolling window the failure rate is counted in.", default: 15 * 60_000, min: 1, unit: "milliseconds" }),
    cooldownMs: int("ALERT_COOLDOWN_MS", { meaning: "Least time between two alerts for one shop.", default: 60 * 60_000, min: 0, unit: "milliseconds", off: "lets every check alert again" }),
  },
  billing: {
    freeEmailsPerMonth: int("AFTERGLOW_FREE_EMAILS_PER_MONTH", {
      meaning:
        "Emails a shop on the free plan sends in a month (the month in the shop's time zone); past it, marketing follow-ups are held until the shop subscribes to a paid plan or the month ends. Service follow-ups always go out and count.",
      default: 500,
      min: 0,
      max: 10_000_000,
      off: "holds every marketing follow-up of a shop without a paid plan",
    }),
  },
  reviews: {
    judgemeApiUrl: optionalText("JUDGEME_API_URL", { meaning: "Judge.me API base URL (a stand-in in tests); unset is https://judge.me.", trim: true, check: httpUrl }),
    timeoutMs: int("REVIEW_APP_TIMEOUT_MS", {
      meaning: "How long one call to a shop's review app (Judge.me) may take; past it the review request goes out without the \"already reviewed\" check.",
      default: 5_000,
      min: 1,
      max: TIMER_MAX_MS,
      unit: "milliseconds",
    }),
  },
  logging: {
    level: oneOf("LOG_LEVEL", { meaning: "Least severe log line written.", values: ["debug", "info", "warn", "error"] as const, default: "info" }),
    stacks: flag("LOG_STACKS", "Writes error stacks into log lines."),
  },
  dns: {
    servers: list("AFTERGLOW_DNS_SERVERS", 'DNS servers the sender-domain check and the MX lookups of recipient domains (mailbox providers in analytics) ask, e.g. "1.1.1.1,8.8.8.8" or "127.0.0.1:5353"; empty uses the system\'s.'),
    timeoutMs: int("AFTERGLOW_DNS_TIMEOUT_MS", {
      meaning: "How long one DNS lookup (sender-domain check, a recipient domain's MX records) may take.",
      default: 4_000,
      min: 0,
      max: TIMER_MAX_MS,
      unit: "milliseconds",
      off: "sets no deadline of its own (the resolver's own timeouts and retries still end a lookup)",
    }),
    cacheMs: int("SENDER_DOMAIN_CACHE_MS", {
      meaning: "How long a sender-domain check's answer is reused.",
      default: 5 * 60_000,
      min: 0,
      unit: "milliseconds",
      off: "checks again every time",
    }),
  },
} as const;

type Declaration = typeof declaration;
export type Config = {
  readonly [G in keyof Declaration]: { readonly [K in keyof Declaration[G]]: Declaration[G][K] extends Variable<infer T> ? T : never };
};

// Values that follow from others: filled in after every variable is read.
function derive(config: Config): Config {
  // Unsubscribe links are signed with the app's secret unless they have their own.
  const unsubscribe = { ...config.unsubscribe, secret: config.unsubscribe.secret ?? (config.shopify.apiSecret || null) };
  // "20" and "0.2" both mean 20 %.
  const alerts = { ...config.alerts, threshold: config.alerts.threshold > 1 ? config.alerts.threshold / 100 : config.alerts.threshold };
  // The derived key is the app secret put through HMAC with a purpose label, so it is
  // independent of the secret's other uses; without an app secret there is none.
  const emailHashKeys = config.erasure.emailHashKeys.flatMap((k): EmailHashKey[] => {
    if (k.key !== "derived") return [k];
    if (!config.shopify.apiSecret) return [];
    return [{ id: k.id, key: createHmac("sha256", config.shopify.apiSecret).update("afterglow:erased-email-hash:v1").digest() }];
  });
  return { ...config, unsubscribe, alerts, erasure: { ...config.erasure, emailHashKeys } };
}

export const variables: readonly Variable<unknown>[] = Object.values(declaration).flatMap((group) => Object.values(group) as Variable<unknown>[]);

// Reads every declared variable of `env`; the first malformed one fails with its name.
export function loadConfig(env: Env): Config {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [group, vars] of Object.entries(declaration)) {
    out[group] = {};
    for (const [key, v] of Object.entries(vars) as [string, Variable<unknown>][]) out[group][key] = v.parse(env[v.name], env);
  }
  const config = derive(out as unknown as Config);
  for (const group of Object.values(config)) {
    for (const value of Object.values(group)) if (Array.isArray(value)) Object.freeze(value);
    Object.freeze(group);
  }
  return Object.freeze(config);
}

let loaded: { fingerprint: string; config: Config } | null = null;

// The process's configuration, for code that runs where none is handed in (Remix routes, modules
// loaded at import). A process's environment does not change once it runs, so this parses once;
// it parses again only if a declared variable changed (tests set them between cases), so every
// reader sees one validated object.
export function config(env: Env = process.env): Config {
  const fingerprint = variables
    .map((v) => env[v.name] ?? "\u0000")
    .join("\u0001");
  if (loaded?.fingerprint !== fingerprint) loaded = { fingerprint, config: loadConfig(env) };
  return loaded.config;
}
