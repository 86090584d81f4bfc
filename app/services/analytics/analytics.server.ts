// Daily rollups of follow-ups and their SendGrid events, and what the analytics page reads.
// The rollup job is incremental (only days touched since its watermarks) and idempotent (a day is
// recomputed whole from the follow-ups due that day, so running it twice changes nothing).
import type { PrismaClient } from "@prisma/client";
import { providerOf as dialectOf } from "~/db.server";
import {
  addCounters,
  dayBounds,
  dayOf,
  daysBetween,
  emptyCounters,
  formatMoneyAmount,
  parseMoney,
  rates,
  skipCodeOf,
  type Counters,
  type Rates,
} from "~/domain/analytics";
import { abResults, type AbResult } from "~/domain/ab-results";
import { seededRng, sourcePreferences, type SourcePreference } from "~/domain/bandit";
import { HEALTH_THRESHOLDS, HEALTH_WINDOW_DAYS } from "~/domain/deliverability-health";
import { csvLine } from "~/domain/csv";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import { audit } from "../compliance/audit.server";
import { attributeChangedOrders, refreshSourceStats } from "./attribution.server";
import { checkDeliverabilityHealth, type HealthReport } from "../events/deliverability-health.server";

// Rows written by a transaction that commits a little late still carry their own timestamps:
// each run looks back this far past its watermark (recounting a day is harmless).
const LOOK_BACK_MS = 2 * 60_000;
const ROLLUP_JOB = "analytics.rollup";

interface RollupWatermarks {
  followUps: string;
  events: string;
  suppressions: string;
}

async function readState<T>(prisma: PrismaClient, name: string): Promise<Partial<T>> {
  const row = await prisma.jobState.findUnique({ where: { name } });
  if (!row) return {};
  try {
    return JSON.parse(row.state) as Partial<T>;
  } catch {
    return {};
  }
}

export async function writeState(prisma: PrismaClient, name: string, state: object): Promise<void> {
  const text = JSON.stringify(state);
  await prisma.jobState.upsert({ where: { name }, create: { name, state: text }, update: { state: text } });
}

export { readState };

const EPOCH = new Date(0).toISOString();
const since = (iso: string | undefined) => new Date(Math.max(0, Date.parse(iso ?? EPOCH) - LOOK_BACK_MS));

// Hour buckets of due times, in whatever form the database keeps timestamps.
function hourExpr(prisma: PrismaClient, column: string): string {
  return dialectOf(prisma) === "postgresql"
    ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24')`
    : `substr(${column}, 1, 13)`;
}

// Positional placeholders: ? on SQLite, $n on PostgreSQL.
function params(prisma: PrismaClient): (n: number) => string {
  return dialectOf(prisma) === "postgresql" ? (n) => `$${n}` : () => "?";
}

const falseSql = (prisma: PrismaClient) => (dialectOf(prisma) === "postgresql" ? "false" : "0");

const notSent = `f."status" IN ('skipped', 'cancelled')`;
const skipCodeSql = `CASE WHEN ${notSent} THEN f."skipCode" ELSE NULL END`;
const uncodedReasonSql = `CASE WHEN ${notSent} AND f."skipCode" IS NULL THEN f."skipReason" ELSE NULL END`;

function hourStart(bucket: string): Date {
  return new Date(`${bucket.replace(" ", "T")}:00:00.000Z`);
}

// Which (shop, day) pairs changed since the watermarks: follow-ups written, events received,
// unsubscribes made through our own page.
async function touchedDays(prisma: PrismaClient, marks: Partial<RollupWatermarks>) {
  const hour = hourExpr(prisma, `f."dueAt"`);
  const $ = params(prisma);
  const [fromFollowUps, fromEvents, fromUnsubscribes] = await Promise.all([
    prisma.$queryRawUnsafe<{ shop: string; h: string }[]>(
      `SELECT f."shop" AS shop, ${hour} AS h FROM "FollowUp" f WHERE f."updatedAt" > ${$(1)} GROUP BY f."shop", ${hour}`,
      since(marks.followUps),
    ),
    prisma.$queryRawUnsafe<{ shop: string; h: string }[]>(
      `SELECT f."shop" AS shop, ${hour} AS h FROM "MessageEvent" e JOIN "FollowUp" f ON f."id" = e."followUpId"
       WHERE e."receivedAt" > ${$(1)} GROUP BY f."shop", ${hour}`,
      since(marks.events),
    ),
    prisma.$queryRawUnsafe<{ shop: string; h: string }[]>(
      `SELECT f."shop" AS shop, ${hour} AS h FROM "Suppression" s JOIN "FollowUp" f ON f."id" = s."source"
       WHERE s."createdAt" > ${$(1)} AND s."reason" = 'unsubscribed' GROUP BY f."shop", ${hour}`,
      since(marks.suppressions),
    ),
  ]);
  const shops = [...new Set([...fromFollowUps, ...fromEvents, ...fromUnsubscribes].map((r) => r.shop))];
  const zones = new Map(
    (await prisma.shop.findMany({ where: { domain: { in: shops } }, select: { domain: true, ianaTimezone: true } })).map((s) => [
      s.domain,
      s.ianaTimezone,
    ]),
  );
  const days = new Map<string, Set<string>>();
  for (const { shop, h } of [...fromFollowUps, ...fromEvents, ...fromUnsubscribes]) {
    const start = hourStart(h);
    if (Number.isNaN(start.getTime())) continue;
    const zone = zones.get(shop) ?? null;
    const set = days.get(shop) ?? new Set<string>();
    // An hour can straddle two local days where the offset is not whole hours (India, Nepal).
    set.add(dayOf(start, zone));
    set.add(dayOf(new Date(start.getTime() + 3600_000 - 1), zone));
    days.set(shop, set);
  }
  return { days, zones };
}

type Key = string; // flowId \u0000 stepKey \u0000 variant
const keyOf = (flowId: string, stepKey: string, variant: string | null) => `${flowId}\u0000${stepKey}\u0000${variant ?? ""}`;
const splitKey = (key: Key) => {
  const [flowId, stepKey, variant] = key.split("\u0000");
  return { flowId, stepKey, variant };
};

// Counts one day of one shop from the follow-ups due that day (test sends never count).
export async function countDay(
  prisma: PrismaClient,
  { shop, day, timeZone }: { shop: string; day: string; timeZone: string | null },
): Promise<Map<Key, Counters>> {
  const { start, end } = dayBounds(day, timeZone);
  const notTest = `f."isTest" = ${falseSql(prisma)}`;
  const $ = params(prisma);
  const inDay = `f."shop" = ${$(1)} AND f."dueAt" >= ${$(2)} AND f."dueAt" < ${$(3)} AND ${notTest}`;
  const [statuses, events, pageUnsubscribes] = await Promise.all([
    // The reason's text is read only for follow-ups written before skipCode existed.
    prisma.$queryRawUnsafe<
      { flowId: string; stepKey: string; variant: string | null; status: string; skipCode: string | null; skipReason: string | null; n: bigint | number }[]
    >(
      `SELECT f."flowId" AS "flowId", f."stepKey" AS "stepKey", f."variant" AS variant, f."status" AS status,
              ${skipCodeSql} AS "skipCode", ${uncodedReasonSql} AS "skipReason", COUNT(*) AS n
       FROM "FollowUp" f WHERE ${inDay}
       GROUP BY f."flowId", f."stepKey", f."variant", f."status", ${skipCodeSql}, ${uncodedReasonSql}`,
      shop,
      start,
      end,
    ),
    prisma.$queryRawUnsafe<{ flowId: string; stepKey: string; variant: string | null; kind: string; machine: unknown; n: bigint | number }[]>(
      `SELECT f."flowId" AS "flowId", f."stepKey" AS "stepKey", f."variant" AS variant,
              CASE WHEN e."event" = 'group_unsubscribe' THEN 'unsubscribe' ELSE e."event" END AS kind,
              CASE WHEN e."event" = 'open' THEN e."machineOpen" ELSE ${falseSql(prisma)} END AS machine,
              COUNT(DISTINCT f."id") AS n
       FROM "FollowUp" f JOIN "MessageEvent" e ON e."followUpId" = f."id"
       WHERE ${inDay} AND e."event" IN ('delivered', 'open', 'click', 'bounce', 'spamreport', 'unsubscribe', 'group_unsubscribe')
       GROUP BY f."flowId", f."stepKey", f."variant", CASE WHEN e."event" = 'group_unsubscribe' THEN 'unsubscribe' ELSE e."event" END,
                CASE WHEN e."event" = 'open' THEN e."machineOpen" ELSE ${falseSql(prisma)} END`,
      shop,
      start,
      end,
    ),
    // Unsubscribes land twice at most (SendGrid's event and our page): count follow-ups once.
    prisma.$queryRawUnsafe<{ flowId: string; stepKey: string; variant: string | null; n: bigint | number }[]>(
      `SELECT f."flowId" AS "flowId", f."stepKey" AS "stepKey", f."variant" AS variant, COUNT(DISTINCT f."id") AS n
       FROM "FollowUp" f JOIN "Suppression" s ON s."source" = f."id" AND s."shop" = f."shop" AND s."reason" = 'unsubscribed'
       WHERE ${inDay} AND NOT EXISTS (
         SELECT 1 FROM "MessageEvent" e WHERE e."followUpId" = f."id" AND e."event" IN ('unsubscribe', 'group_unsubscribe'))
       GROUP BY f."flowId", f."stepKey", f."variant"`,
      shop,
      start,
      end,
    ),
  ]);
  const out = new Map<Key, Counters>();
  const at = (flowId: string, stepKey: string, variant: string | null) => {
    const key = keyOf(flowId, stepKey, variant);
    let c = out.get(key);
    if (!c) out.set(key, (c = emptyCounters()));
    return c;
  };
  for (const r of statuses) {
    const c = at(r.flowId, r.stepKey, r.variant);
    const n = Number(r.n);
    c.scheduled += n;
    if (r.status === "sent") c.sent += n;
    else if (r.status === "failed") c.failed += n;
    else if (r.status === "skipped" || r.status === "cancelled") {
      c.skipped += n;
      const code = skipCodeOf(r);
      c.skippedByReason[code] = (c.skippedByReason[code] ?? 0) + n;
    }
  }
  for (const r of events) {
    const c = at(r.flowId, r.stepKey, r.variant);
    const n = Number(r.n);
    const machine = r.machine === true || r.machine === 1 || r.machine === 1n || r.machine === "1" || r.machine === "true";
    if (r.kind === "delivered") c.delivered += n;
    else if (r.kind === "open") {
      if (machine) c.machineOpens += n;
      else c.opens += n;
    } else if (r.kind === "click") c.clicks += n;
    else if (r.kind === "bounce") c.bounces += n;
    else if (r.kind === "spamreport") c.spamReports += n;
    else if (r.kind === "unsubscribe") c.unsubscribes += n;
  }
  for (const r of pageUnsubscribes) at(r.flowId, r.stepKey, r.variant).unsubscribes += Number(r.n);
  return out;
}

async function writeDay(prisma: PrismaClient, { shop, day, counts }: { shop: string; day: string; counts: Map<Key, Counters> }) {
  await prisma.$transaction([
    prisma.dailyStat.deleteMany({ where: { shop, day } }),
    prisma.dailyStat.createMany({
      data: [...counts].map(([key, c]) => {
        const { skippedByReason, ...numbers } = c;
        return {
          shop,
          day,
          ...splitKey(key),
          ...numbers,
          skippedByReason: Object.keys(skippedByReason).length ? JSON.stringify(skippedByReason) : null,
        };
      }),
    }),
  ]);
}

export interface RollupSummary {
  shops: number;
  days: number;
}

export async function rollUpAnalytics({ prisma, now = new Date() }: { prisma: PrismaClient; now?: Date }): Promise<RollupSummary> {
  const marks = await readState<RollupWatermarks>(prisma, ROLLUP_JOB);
  // The new watermarks are taken before reading, so nothing written meanwhile is missed.
  const next: RollupWatermarks = { followUps: now.toISOString(), events: now.toISOString(), suppressions: now.toISOString() };
  const { days, zones } = await touchedDays(prisma, marks);
  let count = 0;
  for (const [shop, set] of days) {
    for (const day of [...set].sort()) {
      const counts = await countDay(prisma, { shop, day, timeZone: zones.get(shop) ?? null });
      await writeDay(prisma, { shop, day, counts });
      count += 1;
    }
  }
  await writeState(prisma, ROLLUP_JOB, next);
  return { shops: days.size, days: count };
}

// Everything the worker does for analytics, in order: attribution (needs the events), the
// rollup, what the recommendation bandit learns, and deliverability health.
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
  const sources = await timed("sources", () => refreshSourceStats({ prisma, shops: attribution.touchedShops }));
  const promoted = await timed("promotion", () => autoPromoteWinners({ prisma, logger }));
  const health = await timed("health", () => checkDeliverabilityHealth({ prisma, now, logger }));
  return { attribution: { orders: attribution.orders, attributed: attribution.attributed }, rollup, sources, promoted, health: health.length, ms };
}

// ---------------------------------------------------------------------------------------------
// The dashboard

export interface MetricsRow {
  day?: string;
  flowId: string;
  flowName: string;
  stepKey: string;
  variant: string;
  counters: Counters;
  rates: Rates;
  orders: number;
  revenue: string;
}

export interface DashboardRange {
  from: string; // YYYY-MM-DD, in the shop's time zone
  to: string;
}

export interface Dashboard {
  shop: string;
  currency: string | null;
  timeZone: string | null;
  range: DashboardRange;
  totals: { counters: Counters; rates: Rates; orders: number; revenue: string };
  series: { day: string; sent: number; opens: number; clicks: number; revenue: string }[];
  funnels: { flowId: string; flowName: string; stages: { stage: string; count: number }[]; orders: number; revenue: string }[];
  steps: MetricsRow[];
  abTests: (AbResult & { flowId: string; flowName: string; stepKey: string; stepId: string | null; promotable: boolean })[];
  sources: (SourcePreference & { orders: number; revenue: string })[];
  health: HealthReport | null;
  sending: { pausedAt: string | null; pausedReason: string | null };
  settings: { attributionWindowDays: number; attributionCountsOpens: boolean; abAutoPromote: boolean };
}

export function defaultRange(now: Date, timeZone: string | null, days = 30): DashboardRange {
  const to = dayOf(now, timeZone);
  const from = dayOf(new Date(now.getTime() - (days - 1) * 24 * 3600_000), timeZone);
  return { from, to };
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

// A range from the URL: both ends valid days, in order, at most about ten years apart.
export function parseRange(
  { from, to }: { from: string | null; to: string | null },
  fallback: DashboardRange,
): DashboardRange {
  if (!from || !to || !DAY_RE.test(from) || !DAY_RE.test(to) || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) return fallback;
  return from <= to ? { from, to } : { from: to, to: from };
}

interface AttributionSums {
  byKey: Map<Key, { orders: number; revenue: bigint }>;
  byDayKey: Map<string, { orders: number; revenue: bigint }>;
  byDay: Map<string, bigint>;
  bySource: Map<string, { orders: number; revenue: bigint }>;
  orders: number;
  revenue: bigint;
}

async function attributionSums(
  prisma: PrismaClient,
  { shop, range, timeZone }: { shop: string; range: DashboardRange; timeZone: string | null },
): Promise<AttributionSums> {
  const rows = await prisma.attribution.findMany({
    where: { shop, orderedAt: { gte: dayBounds(range.from, timeZone).start, lt: dayBounds(range.to, timeZone).end } },
    select: { flowId: true, stepKey: true, variant: true, revenue: true, orderedAt: true, source: true },
  });
  const sums: AttributionSums = { byKey: new Map(), byDayKey: new Map(), byDay: new Map(), bySource: new Map(), orders: 0, revenue: 0n };
  const bump = <K,>(map: Map<K, { orders: number; revenue: bigint }>, k: K, amount: bigint) => {
    const s = map.get(k) ?? { orders: 0, revenue: 0n };
    s.orders += 1;
    s.revenue += amount;
    map.set(k, s);
  };
  for (const r of rows) {
    const amount = parseMoney(r.revenue);
    const key = keyOf(r.flowId, r.stepKey, r.variant);
    const day = dayOf(r.orderedAt, timeZone);
    bump(sums.byKey, key, amount);
    bump(sums.byDayKey, `${day}\u0000${key}`, amount);
    if (r.source) bump(sums.bySource, r.source, amount);
    sums.byDay.set(day, (sums.byDay.get(day) ?? 0n) + amount);
    sums.orders += 1;
    sums.revenue += amount;
  }
  return sums;
}

function countersOf(row: {
  scheduled: number;
  sent: number;
  delivered: number;
  opens: number;
  machineOpens: number;
  clicks: number;
  bounces: number;
  unsubscribes: number;
  spamReports: number;
  skipped: number;
  failed: number;
  skippedByReason: string | null;
}): Counters {
  const c = emptyCounters();
  for (const k of ["scheduled", "sent", "delivered", "opens", "machineOpens", "clicks", "bounces", "unsubscribes", "spamReports", "skipped", "failed"] as const)
    c[k] = row[k];
  if (row.skippedByReason) c.skippedByReason = JSON.parse(row.skippedByReason) as Record<string, number>;
  return c;
}

export async function statRows(prisma: PrismaClient, { shop, range }: { shop: string; range: DashboardRange }) {
  return prisma.dailyStat.findMany({
    where: { shop, day: { gte: range.from, lte: range.to } },
    orderBy: [{ day: "asc" }, { flowId: "asc" }, { stepKey: "asc" }, { variant: "asc" }],
  });
}

// The posterior draws cost more than the page's queries; they only change when the counts do.
const learnedCache = new Map<string, { key: string; preferences: SourcePreference[] }>();
function learnedPreferences(shop: string, stats: { source: string; impressions: number; clicks: number }[]): SourcePreference[] {
  const key = JSON.stringify(stats);
  const hit = learnedCache.get(shop);
  if (hit && hit.key === key) return hit.preferences;
  const preferences = sourcePreferences({ stats, rng: seededRng(shopSeed(shop)) });
  if (learnedCache.size > 1000) learnedCache.clear();
  learnedCache.set(shop, { key, preferences });
  return preferences;
}

// A stable seed per shop, so the page shows the same learned weights on every load.
function shopSeed(shop: string): number {
  let h = 2166136261;
  for (let i = 0; i < shop.length; i++) h = Math.imul(h ^ shop.charCodeAt(i), 16777619);
  return h >>> 0;
}

const COUNTER_COLUMNS = ["scheduled", "sent", "delivered", "opens", "machineOpens", "clicks", "bounces", "unsubscribes", "spamReports", "skipped", "failed"] as const;

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(typeof v === "object" ? String(v) : v));
// Revenue sums come back from SQL as REAL (SQLite) or NUMERIC (PostgreSQL); rounded to the
// ten-thousandth they are exact for any shop's totals.
const moneyOf = (v: unknown) => BigInt(Math.round(num(v) * 10_000));

// The page's numbers, summed by the database from the daily rollups and the attributions:
// a handful of small results whatever the shop's size.
async function dashboardSums(prisma: PrismaClient, { shop, range }: { shop: string; range: DashboardRange }) {
  const $ = params(prisma);
  const sums = COUNTER_COLUMNS.map((c) => `SUM(d."${c}") AS "${c}"`).join(", ");
  const where = `d."shop" = ${$(1)} AND d."day" >= ${$(2)} AND d."day" <= ${$(3)}`;
  const money = dialectOf(prisma) === "postgresql" ? `SUM(CAST(a."revenue" AS NUMERIC))` : `SUM(CAST(a."revenue" AS REAL))`;
  type Row = Record<string, unknown>;
  const [byKey, byDay, reasons, attributed] = await Promise.all([
    prisma.$queryRawUnsafe<Row[]>(
      `SELECT d."flowId" AS "flowId", d."stepKey" AS "stepKey", d."variant" AS variant, ${sums} FROM "DailyStat" d WHERE ${where}
       GROUP BY d."flowId", d."stepKey", d."variant"`,
      shop,
      range.from,
      range.to,
    ),
    prisma.$queryRawUnsafe<Row[]>(
      `SELECT d."day" AS day, SUM(d."sent") AS sent, SUM(d."opens") AS opens, SUM(d."clicks") AS clicks FROM "DailyStat" d WHERE ${where} GROUP BY d."day"`,
      shop,
      range.from,
      range.to,
    ),
    prisma.$queryRawUnsafe<Row[]>(
      `SELECT d."flowId" AS "flowId", d."stepKey" AS "stepKey", d."variant" AS variant, d."skippedByReason" AS reasons FROM "DailyStat" d
       WHERE ${where} AND d."skippedByReason" IS NOT NULL`,
      shop,
      range.from,
      range.to,
    ),
    prisma.$queryRawUnsafe<Row[]>(
      `SELECT a."day" AS day, a."flowId" AS "flowId", a."stepKey" AS "stepKey", a."variant" AS variant, COUNT(*) AS orders, ${money} AS revenue
       FROM "Attribution" a WHERE a."shop" = ${$(1)} AND a."day" >= ${$(2)} AND a."day" <= ${$(3)}
       GROUP BY a."day", a."flowId", a."stepKey", a."variant"`,
      shop,
      range.from,
      range.to,
    ),
  ]);
  const counters = new Map<Key, Counters>();
  for (const r of byKey) {
    const c = emptyCounters();
    for (const col of COUNTER_COLUMNS) c[col] = num(r[col]);
    counters.set(keyOf(String(r.flowId), String(r.stepKey), String(r.variant ?? "")), c);
  }
  for (const r of reasons) {
    const c = counters.get(keyOf(String(r.flowId), String(r.stepKey), String(r.variant ?? "")));
    if (!c) continue;
    for (const [code, n] of Object.entries(JSON.parse(String(r.reasons)) as Record<string, number>))
      c.skippedByReason[code] = (c.skippedByReason[code] ?? 0) + n;
  }
  const days = new Map(byDay.map((r) => [String(r.day), { sent: num(r.sent), opens: num(r.opens), clicks: num(r.clicks) }]));
  const money_ = {
    byKey: new Map<Key, { orders: number; revenue: bigint }>(),
    byDay: new Map<string, bigint>(),
    orders: 0,
    revenue: 0n,
  };
  for (const r of attributed) {
    const key = keyOf(String(r.flowId), String(r.stepKey), String(r.variant ?? ""));
    const orders = num(r.orders);
    const revenue = moneyOf(r.revenue);
    const m = money_.byKey.get(key) ?? { orders: 0, revenue: 0n };
    m.orders += orders;
    m.revenue += revenue;
    money_.byKey.set(key, m);
    money_.byDay.set(String(r.day), (money_.byDay.get(String(r.day)) ?? 0n) + revenue);
    money_.orders += orders;
    money_.revenue += revenue;
  }
  return { counters, days, money: money_ };
}

export async function loadDashboard({
  prisma,
  shop,
  range: asked,
  now = new Date(),
}: {
  prisma: PrismaClient;
  shop: string;
  range?: DashboardRange;
  now?: Date;
}): Promise<Dashboard> {
  const shopRow = await prisma.shop.findUnique({ where: { domain: shop } });
  const timeZone = shopRow?.ianaTimezone ?? null;
  const range = asked ?? defaultRange(now, timeZone);
  const [sums, flows, sourceStats, health] = await Promise.all([
    dashboardSums(prisma, { shop, range }),
    prisma.flow.findMany({ where: { shop }, include: { steps: { select: { id: true, key: true, variants: true, position: true } } } }),
    prisma.recommendationSourceStat.findMany({ where: { shop } }),
    prisma.deliverabilityHealth.findUnique({ where: { shop } }),
  ]);
  const flowName = new Map(flows.map((f) => [f.id, f.name]));
  const nameOf = (flowId: string) => flowName.get(flowId) ?? "Deleted flow";

  const byKey = sums.counters;
  const byFlow = new Map<string, Counters>();
  const totals = emptyCounters();
  for (const [key, c] of byKey) {
    const { flowId } = splitKey(key);
    addCounters(byFlow.get(flowId) ?? byFlow.set(flowId, emptyCounters()).get(flowId)!, c);
    addCounters(totals, c);
  }
  for (const key of sums.money.byKey.keys()) if (!byKey.has(key)) byKey.set(key, emptyCounters());

  const steps: MetricsRow[] = [...byKey]
    .map(([key, counters]) => {
      const k = splitKey(key);
      const money = sums.money.byKey.get(key);
      return { ...k, flowName: nameOf(k.flowId), counters, rates: rates(counters), orders: money?.orders ?? 0, revenue: formatMoneyAmount(money?.revenue ?? 0n) };
    })
    .sort((a, b) => a.flowName.localeCompare(b.flowName) || a.flowId.localeCompare(b.flowId) || a.stepKey.localeCompare(b.stepKey) || a.variant.localeCompare(b.variant));

  const series = daysBetween(range.from, range.to).map((day) => {
    const c = sums.days.get(day);
    return { day, sent: c?.sent ?? 0, opens: c?.opens ?? 0, clicks: c?.clicks ?? 0, revenue: formatMoneyAmount(sums.money.byDay.get(day) ?? 0n) };
  });

  const flowIds = new Set([...byFlow.keys(), ...steps.map((s) => s.flowId)]);
  const funnels = [...flowIds].map((flowId) => {
    const c = byFlow.get(flowId) ?? emptyCounters();
    const money = steps.filter((s) => s.flowId === flowId);
    return {
      flowId,
      flowName: nameOf(flowId),
      stages: [
        { stage: "Scheduled", count: c.scheduled },
        { stage: "Sent", count: c.sent },
        { stage: "Delivered", count: c.delivered },
        { stage: "Opened", count: c.opens },
        { stage: "Clicked", count: c.clicks },
        { stage: "Ordered", count: money.reduce((s, r) => s + r.orders, 0) },
      ],
      orders: money.reduce((s, r) => s + r.orders, 0),
      revenue: formatMoneyAmount(money.reduce((s, r) => s + parseMoney(r.revenue), 0n)),
    };
  });

  // A/B: every step that has variants in the range, judged on click rate per delivered email.
  const abTests: Dashboard["abTests"] = [];
  const stepGroups = new Map<string, MetricsRow[]>();
  for (const row of steps) {
    if (!row.variant) continue;
    const g = `${row.flowId}\u0000${row.stepKey}`;
    stepGroups.set(g, [...(stepGroups.get(g) ?? []), row]);
  }
  for (const rows of stepGroups.values()) {
    const { flowId, stepKey, flowName: name } = rows[0];
    const step = flows.find((f) => f.id === flowId)?.steps.find((s) => s.key === stepKey) ?? null;
    const result = abResults({ variants: rows.map((r) => ({ key: r.variant, trials: r.counters.delivered, successes: r.counters.clicks })), metric: "click_rate" });
    abTests.push({ ...result, flowId, flowName: name, stepKey, stepId: step?.id ?? null, promotable: Boolean(step?.variants && result.winner) });
  }

  const sources = learnedPreferences(shop, sourceStats.map((s) => ({ source: s.source, impressions: s.impressions, clicks: s.clicks }))).map((p) => {
    const stat = sourceStats.find((s) => s.source === p.source);
    return { ...p, orders: stat?.orders ?? 0, revenue: stat?.revenue ?? "0.00" };
  });

  return {
    shop,
    currency: shopRow?.currencyCode ?? null,
    timeZone,
    range,
    totals: { counters: totals, rates: rates(totals), orders: sums.money.orders, revenue: formatMoneyAmount(sums.money.revenue) },
    series,
    funnels,
    steps,
    abTests,
    sources,
    health: healthReport(health?.report),
    sending: { pausedAt: shopRow?.sendingPausedAt?.toISOString() ?? null, pausedReason: shopRow?.sendingPausedReason ?? null },
    settings: {
      attributionWindowDays: shopRow?.attributionWindowDays ?? 5,
      attributionCountsOpens: shopRow?.attributionCountsOpens ?? false,
      abAutoPromote: shopRow?.abAutoPromote ?? false,
    },
  };
}

export { HEALTH_THRESHOLDS, HEALTH_WINDOW_DAYS };

function healthReport(text: string | null | undefined): HealthReport | null {
  if (!text) return null;
  try {
    const report = JSON.parse(text) as HealthReport;
    return report.level && report.window ? report : null; // a resume leaves no report until the next check
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// A/B promotion

interface StepVariant {
  key: string;
  weight?: number;
  subject?: string;
  previewText?: string;
  content?: unknown;
}

export class PromotionError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
    this.name = "PromotionError";
  }
}

// The winner becomes the step itself: its subject, preview text and content replace the step's,
// and the test ends (variants cleared), so every later follow-up gets what won.
export async function promoteVariant(
  prisma: PrismaClient,
  { shop, flowId, stepKey, variant, actor, result }: { shop: string; flowId: string; stepKey: string; variant: string; actor: string; result?: AbResult | null },
) {
  return prisma.$transaction(async (tx) => {
    const step = await tx.flowStep.findFirst({ where: { key: stepKey, flow: { id: flowId, shop } } });
    if (!step) throw new PromotionError("That flow step does not exist in this shop any more. Reload the page.", 404);
    if (!step.variants) throw new PromotionError("This step has no A/B test running: nothing to promote.", 409);
    let test: { id?: string; variants?: StepVariant[] };
    try {
      test = JSON.parse(step.variants) as typeof test;
    } catch {
      throw new PromotionError("The step's A/B test could not be read; edit the flow to fix it.", 409);
    }
    const winner = test.variants?.find((v) => v.key === variant);
    if (!winner) throw new PromotionError(`The step's A/B test has no variant "${variant}".`, 400);
    await tx.flowStep.update({
      where: { id: step.id },
      data: {
        ...(winner.subject ? { subject: winner.subject } : {}),
        ...(winner.previewText !== undefined ? { previewText: winner.previewText } : {}),
        ...(winner.content !== undefined ? { content: JSON.stringify(winner.content) } : {}),
        variants: null,
      },
    });
    await audit(tx, {
      shop,
      actor,
      action: "ab_test.promoted",
      detail: {
        flowId,
        stepKey,
        variant,
        testId: test.id ?? null,
        test: test.variants ?? null,
        ...(result ? { z: result.z, pValue: result.pValue, testName: result.test } : {}),
      },
    });
    return { stepId: step.id };
  });
}

// Shops that asked for it get a significant winner promoted by the worker.
export async function autoPromoteWinners({ prisma, logger = rootLogger }: { prisma: PrismaClient; logger?: Logger }): Promise<number> {
  const shops = await prisma.shop.findMany({ where: { abAutoPromote: true, uninstalledAt: null }, select: { domain: true } });
  let promoted = 0;
  for (const { domain: shop } of shops) {
    const steps = await prisma.flowStep.findMany({ where: { flow: { shop }, variants: { not: null } }, select: { key: true, flowId: true } });
    for (const step of steps) {
      const rows = await prisma.dailyStat.groupBy({
        by: ["variant"],
        where: { shop, flowId: step.flowId, stepKey: step.key, variant: { not: "" } },
        _sum: { delivered: true, clicks: true },
      });
      const result = abResults({ variants: rows.map((r) => ({ key: r.variant, trials: r._sum.delivered ?? 0, successes: r._sum.clicks ?? 0 })) });
      if (!result.winner) continue;
      try {
        await promoteVariant(prisma, { shop, flowId: step.flowId, stepKey: step.key, variant: result.winner, actor: "system", result });
        promoted += 1;
        logger.info("A/B winner promoted", { shop, flowId: step.flowId, stepKey: step.key, variant: result.winner, z: result.z });
      } catch (err) {
        logger.warn("A/B winner could not be promoted", { shop, flowId: step.flowId, stepKey: step.key, err });
      }
    }
  }
  return promoted;
}

// ---------------------------------------------------------------------------------------------
// CSV exports

const rateCell = (r: number | null) => (r === null ? "" : r.toFixed(4));

export const METRICS_CSV_HEADER = [
  "day",
  "flow",
  "flow_id",
  "step",
  "variant",
  "scheduled",
  "sent",
  "delivered",
  "opens",
  "machine_opens",
  "clicks",
  "bounces",
  "unsubscribes",
  "spam_reports",
  "skipped",
  "failed",
  "skipped_by_reason",
  "delivery_rate",
  "open_rate",
  "click_rate",
  "bounce_rate",
  "unsubscribe_rate",
  "spam_rate",
  "orders",
  "revenue",
  "currency",
];

// One line per day, flow step and variant: the daily rollup, with orders and revenue by order day.
export async function metricsCsv(prisma: PrismaClient, { shop, range }: { shop: string; range: DashboardRange }): Promise<{ csv: string; rows: number }> {
  const shopRow = await prisma.shop.findUnique({ where: { domain: shop } });
  const timeZone = shopRow?.ianaTimezone ?? null;
  const [stats, sums, flows] = await Promise.all([
    statRows(prisma, { shop, range }),
    attributionSums(prisma, { shop, range, timeZone }),
    prisma.flow.findMany({ where: { shop }, select: { id: true, name: true } }),
  ]);
  const names = new Map(flows.map((f) => [f.id, f.name]));
  const lines = new Map<string, { day: string; key: Key; counters: Counters }>();
  for (const row of stats) {
    const key = keyOf(row.flowId, row.stepKey, row.variant);
    lines.set(`${row.day}\u0000${key}`, { day: row.day, key, counters: countersOf(row) });
  }
  for (const dk of sums.byDayKey.keys()) {
    if (lines.has(dk)) continue;
    const [day, ...rest] = dk.split("\u0000");
    lines.set(dk, { day, key: rest.join("\u0000"), counters: emptyCounters() });
  }
  let csv = csvLine(METRICS_CSV_HEADER);
  const sorted = [...lines.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [dk, { day, key, counters: c }] of sorted) {
    const k = splitKey(key);
    const r = rates(c);
    const money = sums.byDayKey.get(dk);
    const reasons = Object.entries(c.skippedByReason)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, n]) => `${code}:${n}`)
      .join(" ");
    csv += csvLine([
      day,
      names.get(k.flowId) ?? "Deleted flow",
      k.flowId,
      k.stepKey,
      k.variant,
      c.scheduled,
      c.sent,
      c.delivered,
      c.opens,
      c.machineOpens,
      c.clicks,
      c.bounces,
      c.unsubscribes,
      c.spamReports,
      c.skipped,
      c.failed,
      reasons,
      rateCell(r.deliveryRate),
      rateCell(r.openRate),
      rateCell(r.clickRate),
      rateCell(r.bounceRate),
      rateCell(r.unsubscribeRate),
      rateCell(r.spamRate),
      money?.orders ?? 0,
      formatMoneyAmount(money?.revenue ?? 0n),
      shopRow?.currencyCode ?? "",
    ]);
  }
  return { csv, rows: sorted.length };
}

export const MESSAGES_CSV_HEADER = [
  "follow_up_id",
  "order",
  "flow",
  "step",
  "variant",
  "recipient",
  "status",
  "skip_reason",
  "due_at",
  "sent_at",
  "delivered",
  "opened",
  "machine_opened",
  "clicked",
  "bounced",
  "unsubscribed",
  "spam_report",
  "attributed_orders",
  "attributed_revenue",
];

const EXPORT_PAGE = 2000;

// One line per follow-up due in the range (test sends left out), with what happened to it.
// Read in pages so a large shop's export does not hold every row at once.
export async function messagesCsv(prisma: PrismaClient, { shop, range }: { shop: string; range: DashboardRange }): Promise<{ csv: string; rows: number }> {
  const shopRow = await prisma.shop.findUnique({ where: { domain: shop } });
  const timeZone = shopRow?.ianaTimezone ?? null;
  const flows = await prisma.flow.findMany({ where: { shop }, select: { id: true, name: true } });
  const names = new Map(flows.map((f) => [f.id, f.name]));
  const where = { shop, isTest: false, dueAt: { gte: dayBounds(range.from, timeZone).start, lt: dayBounds(range.to, timeZone).end } };
  let csv = csvLine(MESSAGES_CSV_HEADER);
  let rows = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await prisma.followUp.findMany({
      where,
      orderBy: [{ dueAt: "asc" }, { id: "asc" }],
      take: EXPORT_PAGE,
      ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}),
      include: { order: { select: { name: true } } },
    });
    if (page.length === 0) break;
    const ids = page.map((f) => f.id);
    const [events, unsubscribed, attributions] = await Promise.all([
      prisma.messageEvent.findMany({ where: { followUpId: { in: ids } }, select: { followUpId: true, event: true, machineOpen: true } }),
      prisma.suppression.findMany({ where: { shop, reason: "unsubscribed", source: { in: ids } }, select: { source: true } }),
      prisma.attribution.findMany({ where: { followUpId: { in: ids } }, select: { followUpId: true, revenue: true } }),
    ]);
    const seen = new Map<string, Set<string>>();
    const mark = (id: string, what: string) => (seen.get(id) ?? seen.set(id, new Set()).get(id)!).add(what);
    for (const e of events) {
      if (!e.followUpId) continue;
      if (e.event === "open") mark(e.followUpId, e.machineOpen ? "machine_open" : "open");
      else if (e.event === "group_unsubscribe") mark(e.followUpId, "unsubscribe");
      else mark(e.followUpId, e.event);
    }
    for (const s of unsubscribed) if (s.source) mark(s.source, "unsubscribe");
    const money = new Map<string, { orders: number; revenue: bigint }>();
    for (const a of attributions) {
      const m = money.get(a.followUpId) ?? { orders: 0, revenue: 0n };
      m.orders += 1;
      m.revenue += parseMoney(a.revenue);
      money.set(a.followUpId, m);
    }
    for (const f of page) {
      const s = seen.get(f.id) ?? new Set<string>();
      const yes = (what: string) => (s.has(what) ? 1 : 0);
      const m = money.get(f.id);
      csv += csvLine([
        f.id,
        f.order.name,
        names.get(f.flowId) ?? "Deleted flow",
        f.stepKey,
        f.variant ?? "",
        f.recipient,
        f.status,
        f.status === "skipped" || f.status === "cancelled" ? skipCodeOf(f) : "",
        f.dueAt,
        f.sentAt,
        yes("delivered"),
        yes("open"),
        yes("machine_open"),
        yes("click"),
        yes("bounce"),
        yes("unsubscribe"),
        yes("spamreport"),
        m?.orders ?? 0,
        formatMoneyAmount(m?.revenue ?? 0n),
      ]);
      rows += 1;
    }
    cursor = page[page.length - 1].id;
    if (page.length < EXPORT_PAGE) break;
  }
  return { csv, rows };
}

