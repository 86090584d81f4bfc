// What the analytics page shows: totals, a daily series, funnels per flow, each step and variant,
// the A/B tests, what the recommendation bandit learned, deliverability health and the numbers per
// mailbox provider.
import type { PrismaClient } from "@prisma/client";
import { addCounters, daysBetween, emptyCounters, formatMoneyAmount, parseMoney, rates, type Counters, type Rates } from "~/domain/analytics";
import { abResults, type AbResult } from "~/domain/ab-results";
import { stepName } from "~/domain/analytics";
import { seededRng, sourcePreferences, type SourcePreference } from "~/domain/bandit";
import type { HealthReport } from "../events/deliverability-health.server";
import type { ProviderRow } from "~/domain/mailbox-providers";
import { loadMailboxProviders } from "./mailbox-providers.server";
import { defaultRange, type DashboardRange } from "./range.server";
import { dialectOf, keyOf, params, splitKey, type Key } from "./sql.server";

export interface MetricsRow {
  day?: string;
  flowId: string;
  flowName: string;
  stepKey: string;
  // The step as the flow editor shows it: "Step 1 · Thank you + recommendations".
  stepName: string;
  variant: string;
  counters: Counters;
  rates: Rates;
  orders: number;
  revenue: string;
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
  abTests: (AbResult & { flowId: string; flowName: string; stepKey: string; stepName: string; stepId: string | null; promotable: boolean })[];
  sources: (SourcePreference & { orders: number; revenue: string })[];
  health: HealthReport | null;
  // The range's mail per mailbox provider (Gmail, Outlook, Yahoo…), by the recipients' MX records.
  providers: ProviderRow[];
  sending: { pausedAt: string | null; pausedReason: string | null };
  settings: { attributionWindowDays: number; attributionCountsOpens: boolean; abAutoPromote: boolean };
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
  const [sums, flows, sourceStats, health, providers] = await Promise.all([
    dashboardSums(prisma, { shop, range }),
    prisma.flow.findMany({ where: { shop }, include: { steps: { select: { id: true, key: true, variants: true, position: true, template: true } } } }),
    prisma.recommendationSourceStat.findMany({ where: { shop } }),
    prisma.deliverabilityHealth.findUnique({ where: { shop } }),
    loadMailboxProviders(prisma, { shop, range }),
  ]);
  const flowName = new Map(flows.map((f) => [f.id, f.name]));
  const nameOf = (flowId: string) => flowName.get(flowId) ?? "Deleted flow";
  const stepNameOf = (flowId: string, stepKey: string) => {
    const step = flows.find((f) => f.id === flowId)?.steps.find((s) => s.key === stepKey);
    return step ? stepName(step) : "A removed step";
  };

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
      return { ...k, flowName: nameOf(k.flowId), stepName: stepNameOf(k.flowId, k.stepKey), counters, rates: rates(counters), orders: money?.orders ?? 0, revenue: formatMoneyAmount(money?.revenue ?? 0n) };
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
    const { flowId, stepKey, flowName: name, stepName: stepTitle } = rows[0];
    const step = flows.find((f) => f.id === flowId)?.steps.find((s) => s.key === stepKey) ?? null;
    const result = abResults({ variants: rows.map((r) => ({ key: r.variant, trials: r.counters.delivered, successes: r.counters.clicks })), metric: "click_rate" });
    abTests.push({ ...result, flowId, flowName: name, stepKey, stepName: stepTitle, stepId: step?.id ?? null, promotable: Boolean(step?.variants && result.winner) });
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
    providers,
    sending: { pausedAt: shopRow?.sendingPausedAt?.toISOString() ?? null, pausedReason: shopRow?.sendingPausedReason ?? null },
    settings: {
      attributionWindowDays: shopRow?.attributionWindowDays ?? 5,
      attributionCountsOpens: shopRow?.attributionCountsOpens ?? false,
      abAutoPromote: shopRow?.abAutoPromote ?? false,
    },
  };
}

function healthReport(text: string | null | undefined): HealthReport | null {
  if (!text) return null;
  try {
    const report = JSON.parse(text) as HealthReport;
    return report.level && report.window ? report : null; // a resume leaves no report until the next check
  } catch {
    return null;
  }
}
