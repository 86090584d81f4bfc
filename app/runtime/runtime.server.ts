// Wires the dispatcher to its real parts (Admin API, React Email, the configured mail
// transport) and runs it in this process: the embedded default needs no other service.
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "~/db.server";
import { createMailTransport } from "~/adapters/mail/index.server";
import type { MailTransport } from "~/adapters/mail/transport";
import { adminClientForShop } from "~/adapters/shopify-admin/index.server";
import type { AdminClient } from "~/adapters/shopify-admin/client.server";
import { createRecommendationCache } from "~/adapters/shopify-admin/recommendations.server";
import { createFollowUpRenderer } from "~/email/follow-up.server";
import { createPollingQueue, type FollowUpQueue, type ScheduledFollowUp } from "~/runtime/polling-queue.server";
import { createBullMqQueue, redisConnection, sendRateLimitFromEnv } from "~/runtime/bullmq-queue.server";
import { createRedisSendRateGate, pacedTransport } from "~/adapters/redis/send-rate.server";
import { createRedisAdminApiThrottle } from "~/adapters/redis/admin-throttle.server";
import type { AdminApiPacer } from "~/adapters/shopify-admin/client.server";
import { createDispatcher, type Dispatcher, type RenderRequest } from "../services/dispatch/dispatcher.server";
import { logger } from "~/platform/logger.server";
import { checkMarketingConsent } from "../services/consent/consent.server";
import { createConsentReader } from "../services/consent/consent-reader.server";
import { fetchCustomerFacts, fetchProductFacts } from "~/adapters/shopify-admin/order-facts.server";
import { unsubscribeLinks, unsubscribeSecrets } from "~/domain/unsubscribe";
import { shopSendGridKey } from "../services/shop/secrets.server";
import { createSendGridTransport } from "~/adapters/mail/sendgrid.server";
import { pruneExpiredContent } from "../services/compliance/retention.server";
import { retryPendingConsentSyncs } from "../services/consent/unsubscribe.server";
import { runAnalyticsJobs } from "../services/analytics/jobs.server";
import { createImpressionCounter, type ImpressionCounter } from "../services/analytics/attribution.server";
import { recommendForOrder } from "../services/dispatch/recommendations.server";
import { onDispatch, setQueueDepthSource, timedTransport } from "~/platform/metrics.server";
import { createFailureAlerts } from "../services/dispatch/alerts.server";
import { reconcileOrders } from "../services/intake/reconcile-orders.server";

export interface Runtime {
  prisma: PrismaClient;
  transport: MailTransport;
  dispatcher: Dispatcher;
  queue: FollowUpQueue;
  impressions: ImpressionCounter;
}

// Renders a follow-up from what the dispatcher read alone (no Admin API lookups, no discount codes).
export const renderFollowUpEmail = createFollowUpRenderer();

function stream(ipPool?: string, asmGroup?: string) {
  return {
    ...(ipPool ? { ipPool } : {}),
    ...(asmGroup && Number(asmGroup) > 0 ? { asmGroupId: Number(asmGroup) } : {}),
  };
}

export function createRuntime({
  prisma = defaultPrisma,
  env = process.env,
  transport,
  role = "web",
}: {
  prisma?: PrismaClient;
  env?: NodeJS.ProcessEnv;
  transport?: MailTransport;
  // With REDIS_URL, web processes only enqueue and `npm run worker` processes dispatch.
  role?: "web" | "worker";
} = {}): Runtime {
  // One connection for what all workers share (send limit, Admin API buckets, failure window);
  // it connects on first use, so a web process that only enqueues never opens it.
  const shared = env.REDIS_URL ? redisConnection(env.REDIS_URL, { lazyConnect: true }) : null;
  // With Redis, every worker's sends count against one SendGrid limit per account.
  const sendLimit = env.REDIS_URL ? sendRateLimitFromEnv(env) : null;
  const gate = sendLimit
    ? createRedisSendRateGate({
        redis: shared!,
        max: sendLimit.max,
        windowMs: sendLimit.durationMs,
        prefix: env.AFTERGLOW_QUEUE_PREFIX || undefined,
      })
    : null;
  const paced = (t: MailTransport, account: string) => (gate ? pacedTransport(t, gate, account) : t);
  const mail = timedTransport(paced(transport ?? createMailTransport({ prisma, env }), "app"));
  const cache = createRecommendationCache({ ttlMs: Number(env.RECOMMENDATION_CACHE_MS || 5 * 60_000) });
  // One Admin API client per shop, re-read now and then so a new token (reinstall) is picked up.
  const clients = new Map<string, { at: number; client: Promise<AdminClient> }>();
  // Several workers share each shop's Admin API budget: with Redis, so does our estimate of it.
  let sharedThrottle: AdminApiPacer | undefined;
  const throttle = () => {
    if (!env.REDIS_URL) return undefined;
    sharedThrottle ??= createRedisAdminApiThrottle({ redis: shared!, prefix: env.AFTERGLOW_QUEUE_PREFIX || undefined });
    return sharedThrottle;
  };
  const clientFor = (shop: string) => {
    const hit = clients.get(shop);
    if (hit && Date.now() - hit.at < 30_000) return hit.client;
    const shared = throttle();
    const client = adminClientForShop({
      prisma,
      shop,
      ...(env.SHOPIFY_ADMIN_API_URL ? { urlTemplate: env.SHOPIFY_ADMIN_API_URL } : {}),
      ...(shared ? { throttle: shared } : {}),
    });
    client.catch(() => clients.delete(shop));
    clients.set(shop, { at: Date.now(), client });
    return client;
  };
  const shopTransports = new Map<string, { key: string; transport: MailTransport }>();
  const impressions = createImpressionCounter({
    prisma,
    onError: (err, shop) => logger.warn("recommendation impressions not written yet; kept for the next try", { shop, err }),
  });
  const consentReader = createConsentReader({ clientFor });
  const dispatcher = createDispatcher({
    prisma,
    transport: mail,
    recommend: async (req) => {
      const picked = await recommendForOrder({ prisma, client: await clientFor(req.shop), cache, ...req });
      impressions.count(req.shop, picked.map((p) => p.source));
      return picked;
    },
    render: createFollowUpRenderer({ prisma, adminClient: clientFor }),
    // Asked only before marketing sends of shops that require consent (the default).
    checkConsent: async (req) => {
      const decision = await checkMarketingConsent({
        prisma,
        client: null,
        readConsent: (customerId) => consentReader.read(req.shop, customerId),
        shop: req.shop,
        customerId: req.customerId,
        email: req.email,
      });
      // A refusal with a state of SUBSCRIBED (e.g. the order's address is not the customer's)
      // is no known consent; the reason says why.
      const state = decision.allowed ? "SUBSCRIBED" : decision.state === "SUBSCRIBED" ? null : decision.state;
      const note = decision.allowed ? null : decision.source !== "shopify" || state === null ? decision.reason : null;
      return { state, note };
    },
    prefetchConsent: (shop, customerIds) => consentReader.prefetch(shop, customerIds),
    lookupFacts: async (req) => {
      const client = await clientFor(req.shop);
      return {
        ...(req.productIds ? { products: await fetchProductFacts(client, req.productIds) } : {}),
        ...(req.customerId ? { customer: await fetchCustomerFacts(client, req.customerId) } : {}),
      };
    },
    unsubscribe: (req) =>
      unsubscribeLinks({ appUrl: env.SHOPIFY_APP_URL || "http://localhost:3000", secrets: unsubscribeSecrets(env), ...req }),
    transportFor: (shop) => {
      const key = shopSendGridKey(shop, { env });
      if (!key) return mail;
      let own = shopTransports.get(shop.domain);
      if (!own || own.key !== key) {
        // The shop's own key is its own SendGrid account, with its own limit.
        own = { key, transport: timedTransport(paced(createSendGridTransport({ apiKey: key, baseUrl: env.SENDGRID_API_URL || undefined }), `shop:${shop.domain}`)) };
        shopTransports.set(shop.domain, own);
      }
      return own.transport;
    },
    streams: {
      marketing: stream(env.SENDGRID_IP_POOL_MARKETING, env.SENDGRID_ASM_GROUP_MARKETING),
      service: stream(env.SENDGRID_IP_POOL_SERVICE, env.SENDGRID_ASM_GROUP_SERVICE),
    },
    defaultFromEmail: env.AFTERGLOW_FROM_EMAIL || null,
    leaseMs: env.DISPATCH_LEASE_MS ? Number(env.DISPATCH_LEASE_MS) : undefined,
    handoverEventWaitMs: handoverEventWaitFromEnv(env),
  });
  const queue = env.REDIS_URL
    ? createBullMqQueue({
        redisUrl: env.REDIS_URL,
        prisma,
        role,
        dispatcher,
        prefix: env.AFTERGLOW_QUEUE_PREFIX || undefined,
        concurrency: Number(env.WORKER_CONCURRENCY || 8),
        sendRateLimit: sendRateLimitFromEnv(env),
        reconcileIntervalMs: Number(env.RECONCILE_INTERVAL_MS || 30_000),
        shutdownTimeoutMs: Number(env.SHUTDOWN_TIMEOUT_MS || 10_000),
        lockMs: Number(env.WORKER_LOCK_MS || 30_000),
      })
    : createPollingQueue({
        dispatcher,
        prisma,
        intervalMs: Number(env.DISPATCH_INTERVAL_MS || 5_000),
        batchSize: Number(env.DISPATCH_BATCH_SIZE || 50),
      });
  setQueueDepthSource(() => queue.depth());
  const alerts = createFailureAlerts({
    env,
    ...(shared ? { redis: shared, prefix: env.AFTERGLOW_QUEUE_PREFIX || undefined } : {}),
  });
  onDispatch((o) => void alerts.observe(o));
  return { prisma, transport: mail, dispatcher, queue, impressions };
}

// SENDGRID_EVENT_WAIT_MS: how long an email whose hand-over to SendGrid went unanswered waits
// for SendGrid's events before it is sent again. Only a signed Event Webhook brings events, so
// without SENDGRID_WEBHOOK_PUBLIC_KEY there is nothing to wait for.
export function handoverEventWaitFromEnv(env: NodeJS.ProcessEnv): number {
  if (env.SENDGRID_EVENT_WAIT_MS) {
    const ms = Number(env.SENDGRID_EVENT_WAIT_MS);
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`SENDGRID_EVENT_WAIT_MS must be a number of milliseconds, not "${env.SENDGRID_EVENT_WAIT_MS}".`);
    return ms;
  }
  return env.SENDGRID_WEBHOOK_PUBLIC_KEY ? 10 * 60_000 : 0;
}

let runtime: Runtime | null = null;
export function getRuntime(): Runtime {
  runtime ??= createRuntime();
  return runtime;
}

export async function followUpsScheduled(followUps: ScheduledFollowUp[]): Promise<void> {
  if (followUps.length === 0 || !runtime) return;
  await runtime.queue.followUpsScheduled(followUps);
}

// Called by server.ts once the HTTP server listens. AFTERGLOW_WORKER=off leaves sending to
// `npm run afterglow -- dispatch`; with REDIS_URL this process only enqueues and
// `npm run worker` processes send.
export async function startBackgroundWork(): Promise<void> {
  if (process.env.REDIS_URL) {
    const rt = getRuntime();
    logger.info("web process enqueues follow-ups on Redis; `npm run worker` dispatches", { queue: rt.queue.kind });
    return;
  }
  if (process.env.AFTERGLOW_WORKER === "off") {
    logger.info("in-process dispatcher is off (AFTERGLOW_WORKER=off)");
    return;
  }
  const rt = getRuntime();
  await rt.queue.start();
  startHousekeeping(rt.prisma);
  logger.info("in-process dispatcher started", { queue: rt.queue.kind, transport: rt.transport.name });
}

export async function stopBackgroundWork(): Promise<void> {
  for (const t of housekeeping.splice(0)) clearInterval(t);
  // A chore halfway through (a retention pass, a rollup) finishes before the database closes;
  // it is bounded like in-flight sends.
  if (choresRunning.size) {
    const limit = Number(process.env.SHUTDOWN_TIMEOUT_MS || 10_000);
    await Promise.race([Promise.allSettled([...choresRunning]), new Promise((r) => setTimeout(r, limit).unref())]);
  }
  if (runtime) {
    await runtime.queue.stop();
    await runtime.impressions.flush();
  }
}

const housekeeping: NodeJS.Timeout[] = [];
const choresRunning = new Set<Promise<unknown>>();
function trackChore(run: Promise<unknown>) {
  choresRunning.add(run);
  void run.finally(() => choresRunning.delete(run));
}

// Periodic chores of the worker: prune old email bodies and event details; retry consent
// changes Shopify could not take when a customer unsubscribed from everything.
export function startHousekeeping(prisma: PrismaClient) {
  const every = (ms: number, name: string, job: () => Promise<unknown>) => {
    const t = setInterval(() => {
      trackChore(
        job().then(
          (result) => logger.debug(`${name} done`, { result }),
          (err) => logger.error(`${name} failed`, { err }),
        ),
      );
    }, ms);
    t.unref();
    housekeeping.push(t);
  };
  every(Number(process.env.RETENTION_INTERVAL_MS || 6 * 3600_000), "retention", () => pruneExpiredContent({ prisma }));
  every(Number(process.env.CONSENT_RETRY_INTERVAL_MS || 5 * 60_000), "consent sync retry", () =>
    retryPendingConsentSyncs({ prisma }),
  );
  every(Number(process.env.ANALYTICS_INTERVAL_MS || 60_000), "analytics", () => runAnalyticsJobs({ prisma }));
  // Webhooks Shopify gave up on (or never made while we were down): found through the Admin API.
  const reconcileEvery = Number(process.env.ORDER_RECONCILE_INTERVAL_MS || 15 * 60_000);
  every(reconcileEvery, "order reconciliation", () => reconcileOrders({ prisma, onScheduled: followUpsScheduled }));
  // And soon after a start for shops not checked for a whole interval: a restart often follows
  // the downtime that lost webhooks.
  const first = setTimeout(() => {
    trackChore(
      reconcileOrders({ prisma, onScheduled: followUpsScheduled, staleBefore: new Date(Date.now() - reconcileEvery) }).catch((err) =>
        logger.error("order reconciliation failed", { err }),
      ),
    );
  }, Number(process.env.RECONCILE_START_DELAY_MS || 30_000));
  first.unref();
  housekeeping.push(first);
}
