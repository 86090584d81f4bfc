// Wires the dispatcher to its real parts (Admin API, React Email, the configured mail
// transport) and runs it in this process: the embedded default needs no other service.
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "~/db.server";
import { createMailTransport } from "~/adapters/mail/index.server";
import type { MailTransport } from "~/adapters/mail/transport";
import { adminClientForShop } from "~/adapters/shopify-admin/index.server";
import type { AdminApiPacer, AdminClient } from "~/adapters/shopify-admin/client.server";
import { createRecommendationCache } from "~/adapters/shopify-admin/recommendations.server";
import { discountCodesFromShopify, prepareFollowUp, purchasedFromShopify } from "~/email/prepare.server";
import { renderFollowUp } from "~/email/render.server";
import { createPollingQueue, type FollowUpQueue, type ScheduledFollowUp } from "~/runtime/polling-queue.server";
import { createBullMqQueue, redisConnection, type SendRateLimit } from "~/runtime/bullmq-queue.server";
import { createRedisSendRateGate, pacedTransport } from "~/adapters/redis/send-rate.server";
import { createRedisAdminApiThrottle } from "~/adapters/redis/admin-throttle.server";
import { createDispatcher, type Dispatcher } from "../services/dispatch/dispatcher.server";
import { logger } from "~/platform/logger.server";
import { checkMarketingConsent } from "../services/consent/consent.server";
import { createConsentReader } from "../services/consent/consent-reader.server";
import { fetchCustomerFacts, fetchProductFacts } from "~/adapters/shopify-admin/order-facts.server";
import { unsubscribeLinks, unsubscribeSecrets } from "~/domain/unsubscribe";
import { shopSendGridKey } from "../services/shop/secrets.server";
import { reviewApiToken } from "../services/shop/review-settings.server";
import { createJudgeMeClient } from "../adapters/review-apps/judgeme.server";
import { createSendGridTransport } from "~/adapters/mail/sendgrid.server";
import { pruneExpiredContent } from "../services/compliance/retention.server";
import { retryPendingConsentSyncs } from "../services/consent/unsubscribe.server";
import { consentWriteBackPolicy } from "../services/consent/consent-write-back.server";
import { runAnalyticsJobs } from "../services/analytics/jobs.server";
import { fetchSegmentMembership } from "../adapters/shopify-admin/segments.server";
import { startDeliveryFallbacks } from "../services/intake/delivery-fallback.server";
import { syncMarketingActivities } from "../services/marketing/marketing-sync.server";
import { flowTriggerRetryPolicy, sendDueFlowTriggers } from "../services/flow-triggers/send.server";
import { createImpressionCounter, type ImpressionCounter } from "../services/analytics/attribution.server";
import { recommendForOrder } from "../services/dispatch/recommendations.server";
import { onDispatch, setQueueDepthSource, timedTransport } from "~/platform/metrics.server";
import { createFailureAlerts } from "../services/dispatch/alerts.server";
import { reconcileOrders } from "../services/intake/reconcile-orders.server";
import { followUpsScheduled, onFollowUpsScheduled } from "../services/intake/follow-ups-scheduled.server";
import { config, type Config } from "~/platform/config.server";

export interface Runtime {
  prisma: PrismaClient;
  transport: MailTransport;
  dispatcher: Dispatcher;
  queue: FollowUpQueue;
  impressions: ImpressionCounter;
}

// An unsubscribe group of 0 is none.
function stream(ipPool: string | null, asmGroup: number) {
  return {
    ...(ipPool ? { ipPool } : {}),
    ...(asmGroup > 0 ? { asmGroupId: asmGroup } : {}),
  };
}

export function createRuntime({
  prisma = defaultPrisma,
  config: settings = config(),
  transport,
  role = "web",
}: {
  prisma?: PrismaClient;
  config?: Config;
  transport?: MailTransport;
  // With REDIS_URL, web processes only enqueue and `npm run worker` processes dispatch.
  role?: "web" | "worker";
} = {}): Runtime {
  // One connection for what all workers share (send limit, Admin API buckets, failure window);
  // it connects on first use, so a web process that only enqueues never opens it.
  const { mail: mailSettings, queue: queueSettings } = settings;
  const redisUrl = queueSettings.redisUrl;
  const prefix = queueSettings.prefix ?? undefined;
  const shared = redisUrl ? redisConnection(redisUrl, { lazyConnect: true }) : null;
  // With Redis, every worker's sends count against one SendGrid limit per account.
  const sendLimit = redisUrl ? sendRateLimit(settings) : null;
  const gate = sendLimit
    ? createRedisSendRateGate({
        redis: shared!,
        max: sendLimit.max,
        windowMs: sendLimit.durationMs,
        prefix,
      })
    : null;
  const paced = (t: MailTransport, account: string) => (gate ? pacedTransport(t, gate, account) : t);
  // SendGrid's rate gate paces SendGrid (and the outbox, as before), never Postmark; a transport that routes (the failover) is kept as
  // it is, so the send step can ask it where a follow-up goes.
  const mail = transport
    ? transport.route
      ? transport
      : timedTransport(paced(transport, "app"))
    : createMailTransport({
        prisma,
        settings: mailSettings,
        wrap: (t, provider) => timedTransport(provider === "postmark" ? t : paced(t, "app")),
        logger,
      });
  const cache = createRecommendationCache({ ttlMs: queueSettings.recommendationCacheMs });
  // One Admin API client per shop, re-read now and then so a new token (reinstall) is picked up.
  const clients = new Map<string, { at: number; client: Promise<AdminClient> }>();
  // Several workers share each shop's Admin API budget: with Redis, so does our estimate of it.
  let sharedThrottle: AdminApiPacer | undefined;
  const throttle = () => {
    if (!redisUrl) return undefined;
    sharedThrottle ??= createRedisAdminApiThrottle({ redis: shared!, prefix });
    return sharedThrottle;
  };
  const clientFor = (shop: string) => {
    const hit = clients.get(shop);
    if (hit && Date.now() - hit.at < 30_000) return hit.client;
    const shared = throttle();
    const client = adminClientForShop({
      prisma,
      shop,
      ...(settings.shopify.adminApiUrl ? { urlTemplate: settings.shopify.adminApiUrl } : {}),
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
    // Purchased products and a cross-sell's code are gathered first; rendering only renders.
    render: async (req) =>
      renderFollowUp(
        await prepareFollowUp(req, {
          purchasedProducts: purchasedFromShopify(clientFor),
          issueDiscountCode: discountCodesFromShopify({ prisma, adminClient: clientFor }),
        }),
      ),
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
      return { state, note, unavailable: decision.unavailable ?? null };
    },
    prefetchConsent: (shop, customerIds) => consentReader.prefetch(shop, customerIds),
    lookupFacts: async (req) => {
      const client = await clientFor(req.shop);
      return {
        ...(req.productIds ? { products: await fetchProductFacts(client, req.productIds) } : {}),
        ...(req.customerId ? { customer: await fetchCustomerFacts(client, req.customerId) } : {}),
      };
    },
    segmentMembership: async (req) => fetchSegmentMembership({ client: await clientFor(req.shop), customerId: req.customerId, segmentIds: req.segmentIds }),
    unsubscribe: (req) =>
      unsubscribeLinks({
        appUrl: settings.shopify.appUrl,
        secrets: unsubscribeSecrets(settings.unsubscribe),
        mailto: settings.unsubscribe.mailto,
        ...req,
      }),
    transportFor: (shop) => {
      // A shop that chose Postmark sends through the app's Postmark, its own SendGrid key or not.
      if (shop.mailProvider === "postmark") return mail;
      const key = shopSendGridKey(shop, { encryptionKeys: mailSettings.encryptionKeys });
      if (!key) return mail;
      let own = shopTransports.get(shop.domain);
      if (!own || own.key !== key) {
        // The shop's own key is its own SendGrid account, with its own limit.
        own = { key, transport: timedTransport(paced(createSendGridTransport({ apiKey: key, baseUrl: mailSettings.sendgridApiUrl ?? undefined }), `shop:${shop.domain}`)) };
        shopTransports.set(shop.domain, own);
      }
      return own.transport;
    },
    streams: {
      marketing: stream(mailSettings.ipPoolMarketing, mailSettings.asmGroupMarketing),
      service: stream(mailSettings.ipPoolService, mailSettings.asmGroupService),
    },
    defaultFromEmail: mailSettings.fromEmail,
    leaseMs: queueSettings.leaseMs ?? undefined,
    handoverEventWaitMs: mailSettings.handoverEventWaitMs,
    shopifyWait: {
      baseDelayMs: settings.shopify.waitBackoffMs,
      maxDelayMs: Math.max(settings.shopify.waitBackoffMs, 2 * 3_600_000),
      maxWaitMs: settings.shopify.waitMaxMs,
    },
    plans: { freeEmailsPerMonth: settings.billing.freeEmailsPerMonth },
    // Judge.me is the review app with a public API that says what a customer already reviewed.
    reviewAppFor: (setting) => {
      if (setting.reviewApp !== "judgeme") return null;
      const apiToken = reviewApiToken(setting.apiTokenEnc, { encryptionKeys: mailSettings.encryptionKeys });
      if (!apiToken) return null;
      return createJudgeMeClient({ apiToken, baseUrl: settings.reviews.judgemeApiUrl ?? undefined, timeoutMs: settings.reviews.timeoutMs });
    },
  });
  const queue = redisUrl
    ? createBullMqQueue({
        redisUrl,
        prisma,
        role,
        dispatcher,
        prefix,
        concurrency: queueSettings.workerConcurrency,
        sendRateLimit: sendRateLimit(settings),
        reconcileIntervalMs: queueSettings.reconcileIntervalMs,
        shutdownTimeoutMs: settings.server.shutdownTimeoutMs,
        lockMs: queueSettings.workerLockMs,
      })
    : createPollingQueue({
        dispatcher,
        prisma,
        intervalMs: queueSettings.dispatchIntervalMs,
        batchSize: queueSettings.dispatchBatchSize,
      });
  setQueueDepthSource(() => queue.depth());
  const alerts = createFailureAlerts({
    settings: settings.alerts,
    ...(shared ? { redis: shared, prefix } : {}),
  });
  onDispatch((o) => void alerts.observe(o));
  return { prisma, transport: mail, dispatcher, queue, impressions };
}

// SENDGRID_RATE_LIMIT emails per SENDGRID_RATE_LIMIT_WINDOW_MS across all workers; 0 turns the limit off.
export function sendRateLimit({ mail }: Config): SendRateLimit | null {
  return mail.rateLimit > 0 ? { max: mail.rateLimit, durationMs: mail.rateLimitWindowMs } : null;
}

// What order reconciliation reads from the configuration, for the housekeeping chore and the CLI.
export function reconcileSettings({ shopify, housekeeping }: Config) {
  return {
    adminApiUrl: shopify.adminApiUrl,
    policy: { overlapMs: housekeeping.reconcileOverlapMs, maxLookbackMs: housekeeping.reconcileLookbackMs },
  };
}

let runtime: Runtime | null = null;
export function getRuntime(): Runtime {
  runtime ??= createRuntime();
  return runtime;
}

// Follow-ups that webhook intake, the message page or reconciliation scheduled go to the queue
// of the runtime this process started (none: the next pass of a dispatcher finds them).
onFollowUpsScheduled(async (followUps: ScheduledFollowUp[]) => {
  if (runtime) await runtime.queue.followUpsScheduled(followUps);
});

// Called by server.ts once the HTTP server listens. AFTERGLOW_WORKER=off leaves sending to
// `npm run afterglow -- dispatch`; with REDIS_URL this process only enqueues and
// `npm run worker` processes send.
export async function startBackgroundWork(settings: Config = config()): Promise<void> {
  if (settings.queue.redisUrl) {
    const rt = getRuntime();
    logger.info("web process enqueues follow-ups on Redis; `npm run worker` dispatches", { queue: rt.queue.kind });
    return;
  }
  if (settings.server.backgroundWork === "off") {
    logger.info("in-process dispatcher is off (AFTERGLOW_WORKER=off)");
    return;
  }
  const rt = getRuntime();
  await rt.queue.start();
  startHousekeeping(rt.prisma, settings);
  logger.info("in-process dispatcher started", { queue: rt.queue.kind, transport: rt.transport.name });
}

export async function stopBackgroundWork(settings: Config = config()): Promise<void> {
  for (const t of housekeeping.splice(0)) clearInterval(t);
  // A chore halfway through (a retention pass, a rollup) finishes before the database closes;
  // it is bounded like in-flight sends.
  if (choresRunning.size) {
    const limit = settings.server.shutdownTimeoutMs;
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

// Periodic chores of the worker: prune old email bodies and event details; write to Shopify the
// unsubscribes and resubscribes it could not take when the customer clicked; roll up analytics
// and show the flows in Shopify's Marketing section; start delivery-triggered flows whose parcels
// were never reported delivered; tell Shopify Flow what happened (sends, clicks, unsubscribes,
// bounces) for shops whose workflows listen.
export function startHousekeeping(prisma: PrismaClient, settings: Config = config()) {
  const chores = settings.housekeeping;
  const every = (ms: number, name: string, job: () => Promise<unknown>) => {
    // An interval of 0 turns the chore off here (setInterval would run it back to back).
    if (ms === 0) {
      logger.info(`${name} is off in this process (its interval is 0)`);
      return;
    }
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
  every(chores.retentionIntervalMs, "retention", () => pruneExpiredContent({ prisma, days: chores.retentionDays }));
  const consentRetry = consentWriteBackPolicy(chores.consentWriteBackBackoffMs);
  every(chores.consentRetryIntervalMs, "consent write-back", () => retryPendingConsentSyncs({ prisma, retry: consentRetry }));
  every(chores.analyticsIntervalMs, "analytics", () => runAnalyticsJobs({ prisma }));
  every(chores.deliveryFallbackIntervalMs, "delivery fallback", () => startDeliveryFallbacks({ prisma, onScheduled: followUpsScheduled }));
  // Shopify's Marketing section: each flow as an activity, its daily numbers from the rollups.
  every(chores.marketingSyncIntervalMs, "marketing activities", () =>
    syncMarketingActivities({ prisma, appUrl: settings.shopify.appUrl, adminApiUrl: settings.shopify.adminApiUrl }),
  );
  // Every process with housekeeping works them; each row is claimed with a lease before it is sent.
  const flowTriggerRetry = flowTriggerRetryPolicy(chores.flowTriggerBackoffMs);
  every(chores.flowTriggerIntervalMs, "Flow triggers", () => sendDueFlowTriggers({ prisma, retry: flowTriggerRetry }));
  // Webhooks Shopify gave up on (or never made while we were down): found through the Admin API.
  const reconcileEvery = chores.orderReconcileIntervalMs;
  const reconcile = { prisma, onScheduled: followUpsScheduled, ...reconcileSettings(settings) };
  every(reconcileEvery, "order reconciliation", () => reconcileOrders(reconcile));
  if (reconcileEvery === 0) return;
  // And soon after a start for shops not checked for a whole interval: a restart often follows
  // the downtime that lost webhooks.
  const first = setTimeout(() => {
    trackChore(
      reconcileOrders({ ...reconcile, staleBefore: new Date(Date.now() - reconcileEvery) }).catch((err) =>
        logger.error("order reconciliation failed", { err }),
      ),
    );
  }, chores.reconcileStartDelayMs);
  first.unref();
  housekeeping.push(first);
}
