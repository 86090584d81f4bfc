// Wires the dispatcher to its real parts (Admin API, React Email, the configured mail
// transport) and runs it in this process: the embedded default needs no other service.
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "~/db.server";
import { createMailTransport } from "~/mail/index.server";
import type { MailTransport } from "~/mail/transport";
import { adminClientForShop } from "~/shopify-admin/index.server";
import type { AdminClient } from "~/shopify-admin/client.server";
import { fetchRecommendations } from "~/shopify-admin/recommendations.server";
import { createRecommendationCache } from "~/shopify-admin/recommendations.server";
import { renderThankYouEmail } from "~/email/render.server";
import { createPollingQueue, type FollowUpQueue, type ScheduledFollowUp } from "~/queue/queue.server";
import { createDispatcher, type Dispatcher, type RenderRequest } from "./dispatcher.server";
import { logger } from "~/logger.server";

export interface Runtime {
  prisma: PrismaClient;
  transport: MailTransport;
  dispatcher: Dispatcher;
  queue: FollowUpQueue;
}

export async function renderFollowUpEmail(req: RenderRequest): Promise<{ html: string; text: string }> {
  switch (req.template) {
    case "thank-you":
      return renderThankYouEmail({
        shop: req.shop,
        customer: req.customer,
        order: { name: req.order.name, currency: req.order.currency },
        recommendations: req.recommendations,
        utm: req.utm,
        unsubscribeUrl: req.unsubscribeUrl,
        previewText: req.previewText ?? undefined,
      });
    default:
      throw new Error(`There is no email template "${req.template}".`);
  }
}

export function createRuntime({
  prisma = defaultPrisma,
  env = process.env,
  transport,
}: {
  prisma?: PrismaClient;
  env?: NodeJS.ProcessEnv;
  transport?: MailTransport;
} = {}): Runtime {
  const mail = transport ?? createMailTransport({ prisma, env });
  const cache = createRecommendationCache({ ttlMs: Number(env.RECOMMENDATION_CACHE_MS || 5 * 60_000) });
  // One Admin API client per shop, re-read now and then so a new token (reinstall) is picked up.
  const clients = new Map<string, { at: number; client: Promise<AdminClient> }>();
  const clientFor = (shop: string) => {
    const hit = clients.get(shop);
    if (hit && Date.now() - hit.at < 30_000) return hit.client;
    const client = adminClientForShop({
      prisma,
      shop,
      ...(env.SHOPIFY_ADMIN_API_URL ? { urlTemplate: env.SHOPIFY_ADMIN_API_URL } : {}),
    });
    client.catch(() => clients.delete(shop));
    clients.set(shop, { at: Date.now(), client });
    return client;
  };
  const dispatcher = createDispatcher({
    prisma,
    transport: mail,
    recommend: async (req) => {
      const client = await clientFor(req.shop);
      return fetchRecommendations({
        client,
        productIds: req.productIds,
        currencyCode: req.currencyCode,
        countryCode: req.countryCode ?? undefined,
        shopCurrency: req.shopCurrency ?? req.currencyCode,
        cache,
        limit: 4,
      });
    },
    render: renderFollowUpEmail,
    defaultFromEmail: env.AFTERGLOW_FROM_EMAIL || null,
    leaseMs: env.DISPATCH_LEASE_MS ? Number(env.DISPATCH_LEASE_MS) : undefined,
  });
  const queue = createPollingQueue({
    dispatcher,
    intervalMs: Number(env.DISPATCH_INTERVAL_MS || 5_000),
    batchSize: Number(env.DISPATCH_BATCH_SIZE || 50),
  });
  return { prisma, transport: mail, dispatcher, queue };
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
// `npm run afterglow -- dispatch`.
export async function startBackgroundWork(): Promise<void> {
  if (process.env.AFTERGLOW_WORKER === "off") {
    logger.info("in-process dispatcher is off (AFTERGLOW_WORKER=off)");
    return;
  }
  const rt = getRuntime();
  await rt.queue.start();
  logger.info("in-process dispatcher started", { queue: rt.queue.kind, transport: rt.transport.name });
}

export async function stopBackgroundWork(): Promise<void> {
  if (runtime) await runtime.queue.stop();
}
