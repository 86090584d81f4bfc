// The analytics as spreadsheets: one line per day, step and variant, or one per follow-up.
import type { PrismaClient } from "@prisma/client";
import { dayBounds, dayOf, emptyCounters, formatMoneyAmount, parseMoney, rates, skipCodeOf, type Counters } from "~/domain/analytics";
import { csvLine } from "~/domain/csv";
import { audit } from "../compliance/audit.server";
import { rangeForShop, type DashboardRange } from "./range.server";
import { keyOf, splitKey, type Key } from "./sql.server";

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

export type AnalyticsExportKind = "metrics" | "messages";

// A download from the analytics page. The messages export holds customer emails, so every
// export leaves a line in the audit log.
export async function exportAnalyticsCsv(
  prisma: PrismaClient,
  { shop, kind, from, to, actor }: { shop: string; kind: AnalyticsExportKind; from: string | null; to: string | null; actor: string },
): Promise<{ csv: string; rows: number; range: DashboardRange }> {
  const range = await rangeForShop(prisma, { shop, from, to });
  const { csv, rows } = kind === "metrics" ? await metricsCsv(prisma, { shop, range }) : await messagesCsv(prisma, { shop, range });
  await audit(prisma, { shop, actor, action: `analytics.${kind}_exported`, detail: { rows, from: range.from, to: range.to } });
  return { csv, rows, range };
}
