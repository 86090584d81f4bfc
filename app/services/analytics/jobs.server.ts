// The worker's analytics pass.
import type { PrismaClient } from "@prisma/client";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import { checkDeliverabilityHealth } from "../events/deliverability-health.server";
import { autoPromoteWinners } from "./ab-promotion.server";
import { attributeChangedOrders, refreshSourceStats } from "./attribution.server";
import { classifyMailboxDomains } from "./mailbox-providers.server";
import { rollUpAnalytics } from "./rollup.server";

// Everything the worker does for analytics, in order: attribution (needs the events), the
// rollup, the mailbox providers of domains it counted, what the recommendation bandit learns, and
// deliverability health.
export async function runAnalyticsJobs({
  prisma,
  now = new Date(),
  logger = rootLogger,
}: {
  prisma: PrismaClient;
  now?: Date;
  logger?: Logger;
}) {
  const ms: Record<string, number> = {};
  const timed = async <T,>(name: string, job: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await job();
    } finally {
      ms[name] = Math.round(performance.now() - started);
    }
  };
  const attribution = await timed("attribution", () => attributeChangedOrders({ prisma, now }));
  const rollup = await timed("rollup", () => rollUpAnalytics({ prisma, now }));
  const mailboxDomains = await timed("mailboxDomains", () => classifyMailboxDomains({ prisma, now }));
  const sources = await timed("sources", () => refreshSourceStats({ prisma, shops: attribution.touchedShops }));
  const promoted = await timed("promotion", () => autoPromoteWinners({ prisma, logger }));
  const health = await timed("health", () => checkDeliverabilityHealth({ prisma, now, logger }));
  return { attribution: { orders: attribution.orders, attributed: attribution.attributed }, rollup, mailboxDomains, sources, promoted, health: health.length, ms };
}
