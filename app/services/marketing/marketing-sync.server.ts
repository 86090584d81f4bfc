// Shopify's Marketing section shows Afterglow's flows: each flow is an external marketing
// activity, and each day's sends, deliveries, opens, clicks, attributed orders and sales (from
// our own rollups, DailyStat and Attribution) an engagement of it. A housekeeping chore runs
// syncMarketingActivities; each pass tells Shopify only what it does not have yet, as recorded
// in MarketingActivityReport and MarketingEngagementReport, and keeps what Shopify refused or
// could not take for the next pass.
import type { PrismaClient } from "@prisma/client";
import {
  activityInputFor,
  daysToReport,
  endedActivityInput,
  engagementInputFor,
  engagementKey,
  fingerprint,
  grantsMarketingScope,
  MARKETING_SCOPE,
  type ActivityInput,
  type AttributedOrder,
  type DayToReport,
} from "~/domain/marketing-activities";
import { dayOf } from "~/domain/analytics";
import { AdminApiError, type AdminClient } from "~/adapters/shopify-admin/client.server";
import { adminClientForShop, offlineSessionId, ShopNotConnectedError } from "~/adapters/shopify-admin/index.server";
import {
  createMarketingEngagements,
  describeUserErrors,
  MARKETING_BATCH_SIZE,
  upsertMarketingActivities,
} from "~/adapters/shopify-admin/marketing.server";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";

// A pass that dies (killed worker) frees its shop after this.
const CLAIM_MS = 10 * 60_000;
// Days per shop per pass: a long history reaches Shopify over several passes, newest first.
const DEFAULT_DAYS_PER_PASS = 500;

export const SCOPE_MISSING_REASON =
  `The shop has not granted Afterglow the ${MARKETING_SCOPE} access scope (it installed before the app asked for it), ` +
  "so its flows are not shown in Shopify's Marketing section. The merchant approves the app's updated access in the Shopify admin.";

export interface MarketingSyncDeps {
  prisma: PrismaClient;
  // The Admin API client of a shop; by default from its offline token.
  clientFor?: (shop: string) => Promise<AdminClient>;
  // SHOPIFY_APP_URL: where an activity's "view in app" link points.
  appUrl: string;
  adminApiUrl?: string | null;
  now?: () => Date;
  logger?: Logger;
  batchSize?: number;
  daysPerPass?: number;
}

export interface ShopPass {
  shop: string;
  outcome: "done" | "scope_missing" | "busy" | "failed" | "not_connected";
  activities: { sent: number; failed: number };
  engagements: { sent: number; failed: number; left: number };
  error?: string;
}

/** One pass over every installed shop with flows. */
export async function syncMarketingActivities(deps: MarketingSyncDeps): Promise<ShopPass[]> {
  const shops = await deps.prisma.shop.findMany({ where: { uninstalledAt: null }, select: { domain: true }, orderBy: { domain: "asc" } });
  const passes: ShopPass[] = [];
  for (const { domain } of shops) passes.push(await syncShopMarketing({ ...deps, shop: domain }));
  return passes;
}

/** One shop: its flows' activities first, then the days Shopify lacks, in batches. */
export async function syncShopMarketing(deps: MarketingSyncDeps & { shop: string }): Promise<ShopPass> {
  const { prisma, shop } = deps;
  const now = deps.now ?? (() => new Date());
  const log = (deps.logger ?? rootLogger).child({ component: "marketing-sync", shop });
  const pass: ShopPass = { shop, outcome: "done", activities: { sent: 0, failed: 0 }, engagements: { sent: 0, failed: 0, left: 0 } };

  const session = await prisma.session.findUnique({ where: { id: offlineSessionId(shop) }, select: { scope: true } });
  if (!session) return { ...pass, outcome: "not_connected" };
  // Known from the install: ask nothing of Shopify. Not recorded: Shopify's answer tells.
  if (grantsMarketingScope(session.scope) === false) return scopeMissing(deps, pass, log);

  if (!(await claim(prisma, shop, now()))) return { ...pass, outcome: "busy" };
  try {
    const client = await (deps.clientFor ?? defaultClientFor(deps))(shop);
    const activities = await reportActivities({ ...deps, client, now, log, pass });
    if (activities.length) await reportEngagements({ ...deps, client, now, log, pass, flowIds: activities });
    await prisma.marketingSync.update({ where: { shop }, data: { blockedReason: null } });
  } catch (err) {
    if (err instanceof AdminApiError && err.code === "ACCESS_DENIED") return await scopeMissing(deps, pass, log);
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof ShopNotConnectedError) return { ...pass, outcome: "not_connected", error: message };
    log.warn("Shopify's Marketing section could not be brought up to date; the next pass tries again", { err });
    return { ...pass, outcome: "failed", error: message };
  } finally {
    await prisma.marketingSync.update({ where: { shop }, data: { claimedUntil: null, lastPassAt: now() } });
  }
  return pass;
}

function defaultClientFor({ prisma, adminApiUrl }: MarketingSyncDeps) {
  return (shop: string) => adminClientForShop({ prisma, shop, ...(adminApiUrl ? { urlTemplate: adminApiUrl } : {}) });
}

// Several workers run housekeeping: one pass per shop at a time.
async function claim(prisma: PrismaClient, shop: string, at: Date): Promise<boolean> {
  await prisma.marketingSync.upsert({ where: { shop }, create: { shop }, update: {} });
  const { count } = await prisma.marketingSync.updateMany({
    where: { shop, OR: [{ claimedUntil: null }, { claimedUntil: { lt: at } }] },
    data: { claimedUntil: new Date(at.getTime() + CLAIM_MS) },
  });
  return count === 1;
}

// Said once per shop (and again after the scope was granted and lost), not every pass.
async function scopeMissing({ prisma }: MarketingSyncDeps & { shop: string }, pass: ShopPass, log: Logger): Promise<ShopPass> {
  const before = await prisma.marketingSync.findUnique({ where: { shop: pass.shop }, select: { blockedReason: true } });
  if (before?.blockedReason !== SCOPE_MISSING_REASON) {
    log.info(SCOPE_MISSING_REASON, { scope: MARKETING_SCOPE });
    await prisma.marketingSync.upsert({
      where: { shop: pass.shop },
      create: { shop: pass.shop, blockedReason: SCOPE_MISSING_REASON },
      update: { blockedReason: SCOPE_MISSING_REASON },
    });
  }
  return { ...pass, outcome: "scope_missing", error: SCOPE_MISSING_REASON };
}

interface PassContext extends MarketingSyncDeps {
  shop: string;
  client: AdminClient;
  now: () => Date;
  log: Logger;
  pass: ShopPass;
}

// Upserts every flow whose activity Shopify lacks or holds differently, and ends the activities
// of deleted flows. Returns the flows Shopify has an activity for (engagements may go to them).
async function reportActivities({ prisma, shop, client, now, log, pass, appUrl, batchSize = MARKETING_BATCH_SIZE }: PassContext): Promise<string[]> {
  const [shopRow, flows, reports] = await Promise.all([
    prisma.shop.findUnique({ where: { domain: shop }, select: { sendingEnabled: true, sendingPausedAt: true } }),
    prisma.flow.findMany({ where: { shop }, include: { steps: { select: { category: true } } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    prisma.marketingActivityReport.findMany({ where: { shop } }),
  ]);
  const shopSending = Boolean(shopRow?.sendingEnabled) && !shopRow?.sendingPausedAt;
  const byFlow = new Map(reports.map((r) => [r.flowId, r]));
  const wanted: ActivityInput[] = flows.map((flow) =>
    activityInputFor({ flow: { ...flow, categories: flow.steps.map((s) => s.category) }, shopSending, appUrl }),
  );
  const live = new Set(flows.map((f) => f.id));
  for (const report of reports) {
    if (live.has(report.flowId)) continue;
    // A flow deleted before Shopify ever took its activity leaves nothing to end.
    if (!report.reported) await prisma.marketingActivityReport.delete({ where: { id: report.id } });
    else wanted.push(endedActivityInput(JSON.parse(report.reported) as ActivityInput, now()));
  }
  const due = wanted.filter((input) => byFlow.get(input.remoteId)?.reported !== fingerprint(input));

  for (let i = 0; i < due.length; i += batchSize) {
    const batch = due.slice(i, i + batchSize);
    let outcomes;
    try {
      outcomes = await upsertMarketingActivities(client, batch);
    } catch (err) {
      if (!(err instanceof AdminApiError) || err.code === "ACCESS_DENIED") throw err;
      // Shopify down or throttled past our retries: kept on each row, tried again next pass.
      for (const input of batch) await activityFailed(prisma, shop, input.remoteId, err.message, now());
      pass.activities.failed += batch.length;
      log.warn("Shopify did not take the flows' marketing activities; the next pass tries again", { err, flows: batch.length });
      break;
    }
    for (const [j, input] of batch.entries()) {
      const outcome = outcomes[j]!;
      if (outcome.ok) {
        const data = { activityId: outcome.activityId, reported: fingerprint(input), reportedAt: now(), lastError: null, failedAt: null, attempts: 0 };
        await prisma.marketingActivityReport.upsert({ where: { shop_flowId: { shop, flowId: input.remoteId } }, create: { shop, flowId: input.remoteId, ...data }, update: data });
        pass.activities.sent += 1;
      } else {
        const problem = `Shopify refused the marketing activity of flow "${input.title}" (${input.remoteId}): ${describeUserErrors(outcome.userErrors)}`;
        const attempts = await activityFailed(prisma, shop, input.remoteId, problem, now());
        pass.activities.failed += 1;
        if (attempts === 1) log.warn(problem, { flowId: input.remoteId });
      }
    }
  }
  const known = await prisma.marketingActivityReport.findMany({ where: { shop, reported: { not: null }, flowId: { in: [...live] } }, select: { flowId: true } });
  return known.map((r) => r.flowId);
}

async function activityFailed(prisma: PrismaClient, shop: string, flowId: string, message: string, at: Date): Promise<number> {
  const row = await prisma.marketingActivityReport.upsert({
    where: { shop_flowId: { shop, flowId } },
    create: { shop, flowId, lastError: message, failedAt: at, attempts: 1 },
    update: { lastError: message, failedAt: at, attempts: { increment: 1 } },
    select: { attempts: true },
  });
  return row.attempts;
}

// The flows' numbers per day now, from the rollups, as Shopify should have them.
async function currentDays(prisma: PrismaClient, shop: string, flowIds: string[]): Promise<{ days: DayToReport[]; timeZone: string | null }> {
  const shopRow = await prisma.shop.findUnique({ where: { domain: shop }, select: { ianaTimezone: true, currencyCode: true } });
  const timeZone = shopRow?.ianaTimezone ?? null;
  const [stats, orders] = await Promise.all([
    prisma.dailyStat.groupBy({
      by: ["flowId", "day"],
      where: { shop, flowId: { in: flowIds } },
      _sum: { sent: true, delivered: true, opens: true, clicks: true, bounces: true, spamReports: true, unsubscribes: true },
    }),
    prisma.attribution.findMany({ where: { shop, flowId: { in: flowIds } }, select: { flowId: true, day: true, revenue: true, currency: true } }),
  ]);
  const ordersByDay = new Map<string, AttributedOrder[]>();
  for (const o of orders) {
    const key = engagementKey(o.flowId, o.day);
    ordersByDay.set(key, [...(ordersByDay.get(key) ?? []), { revenue: o.revenue, currency: o.currency }]);
  }
  const zero = { sent: 0, delivered: 0, opens: 0, clicks: 0, bounces: 0, spamReports: 0, unsubscribes: 0 };
  const counted = new Map(stats.map((s) => [engagementKey(s.flowId, s.day), { flowId: s.flowId, day: s.day, counts: { ...zero, ...nonNull(s._sum) } }]));
  for (const o of orders) {
    const key = engagementKey(o.flowId, o.day);
    if (!counted.has(key)) counted.set(key, { flowId: o.flowId, day: o.day, counts: zero });
  }
  const days = [...counted].map(([key, d]) => ({
    flowId: d.flowId,
    day: d.day,
    input: engagementInputFor({ day: d.day, timeZone, counts: d.counts, orders: ordersByDay.get(key) ?? [], currency: shopRow?.currencyCode ?? null }),
  }));
  return { days, timeZone };
}

function nonNull<T extends Record<string, number | null>>(sums: T): { [K in keyof T]: number } {
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v ?? 0])) as { [K in keyof T]: number };
}

async function reportEngagements({
  prisma,
  shop,
  client,
  now,
  log,
  pass,
  flowIds,
  batchSize = MARKETING_BATCH_SIZE,
  daysPerPass = DEFAULT_DAYS_PER_PASS,
}: PassContext & { flowIds: string[] }): Promise<void> {
  const { days, timeZone } = await currentDays(prisma, shop, flowIds);
  const reports = await prisma.marketingEngagementReport.findMany({ where: { shop, flowId: { in: flowIds } }, select: { flowId: true, day: true, reported: true } });
  const reported = new Map(reports.map((r) => [engagementKey(r.flowId, r.day), r.reported]));
  const everything = daysToReport({ current: days, reported, today: dayOf(now(), timeZone), limit: Number.MAX_SAFE_INTEGER });
  const due = everything.slice(0, daysPerPass);
  pass.engagements.left = everything.length - due.length;

  for (let i = 0; i < due.length; i += batchSize) {
    const batch = due.slice(i, i + batchSize);
    let outcomes;
    try {
      outcomes = await createMarketingEngagements(client, batch.map((d) => ({ remoteId: d.flowId, engagement: d.input })));
    } catch (err) {
      if (!(err instanceof AdminApiError) || err.code === "ACCESS_DENIED") throw err;
      for (const d of batch) await engagementFailed(prisma, shop, d, err.message, now());
      pass.engagements.failed += batch.length;
      pass.engagements.left += due.length - i - batch.length;
      log.warn("Shopify did not take the flows' daily numbers; the next pass sends them again", { err, days: batch.length });
      return;
    }
    for (const [j, d] of batch.entries()) {
      const outcome = outcomes[j]!;
      if (outcome.ok) {
        const data = { reported: fingerprint(d.input), reportedAt: now(), lastError: null, failedAt: null, attempts: 0 };
        await prisma.marketingEngagementReport.upsert({
          where: { shop_flowId_day: { shop, flowId: d.flowId, day: d.day } },
          create: { shop, flowId: d.flowId, day: d.day, ...data },
          update: data,
        });
        pass.engagements.sent += 1;
      } else {
        const problem = `Shopify refused the numbers of ${d.day} for flow ${d.flowId}: ${describeUserErrors(outcome.userErrors)}`;
        const attempts = await engagementFailed(prisma, shop, d, problem, now());
        pass.engagements.failed += 1;
        if (attempts === 1) log.warn(problem, { flowId: d.flowId, day: d.day });
      }
    }
  }
}

async function engagementFailed(prisma: PrismaClient, shop: string, d: DayToReport, message: string, at: Date): Promise<number> {
  const row = await prisma.marketingEngagementReport.upsert({
    where: { shop_flowId_day: { shop, flowId: d.flowId, day: d.day } },
    create: { shop, flowId: d.flowId, day: d.day, lastError: message, failedAt: at, attempts: 1 },
    update: { lastError: message, failedAt: at, attempts: { increment: 1 } },
    select: { attempts: true },
  });
  return row.attempts;
}
