// Daily rollups of follow-ups and their SendGrid events (DailyStat, and per recipient domain
// DailyDomainStat), which the dashboard reads.
// The rollup job is incremental (only days touched since its watermarks) and idempotent (a day is
// recomputed whole from the follow-ups due that day, so running it twice changes nothing).
import type { PrismaClient } from "@prisma/client";
import { dayBounds, dayOf, emptyCounters, skipCodeOf, type Counters } from "~/domain/analytics";
import { readState, writeState } from "./job-state.server";
import { dialectOf, falseSql, keyOf, params, splitKey, type Key } from "./sql.server";

// Rows written by a transaction that commits a little late still carry their own timestamps:
// each run looks back this far past its watermark (recounting a day is harmless).
const LOOK_BACK_MS = 2 * 60_000;
const ROLLUP_JOB = "analytics.rollup";

interface RollupWatermarks {
  followUps: string;
  events: string;
  suppressions: string;
}

const EPOCH = new Date(0).toISOString();
const since = (iso: string | undefined) => new Date(Math.max(0, Date.parse(iso ?? EPOCH) - LOOK_BACK_MS));

// Hour buckets of due times, in whatever form the database keeps timestamps.
function hourExpr(prisma: PrismaClient, column: string): string {
  return dialectOf(prisma) === "postgresql"
    ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24')`
    : `substr(${column}, 1, 13)`;
}

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

// The recipient's domain, lower case, in each database's own words.
function recipientDomainSql(prisma: PrismaClient): string {
  const at = dialectOf(prisma) === "postgresql" ? `strpos(f."recipient", '@')` : `instr(f."recipient", '@')`;
  return `lower(substr(f."recipient", ${at} + 1))`;
}

export interface DomainCounts {
  sent: number;
  delivered: number;
  bounces: number;
  deferred: number;
  spamReports: number;
  opens: number;
  machineOpens: number;
  clicks: number;
}

const emptyDomainCounts = (): DomainCounts => ({ sent: 0, delivered: 0, bounces: 0, deferred: 0, spamReports: 0, opens: 0, machineOpens: 0, clicks: 0 });

// One day of one shop per recipient domain: the sent follow-ups due that day and their events
// (each follow-up counted once per kind of event), for the mailbox provider table.
export async function countDayByDomain(
  prisma: PrismaClient,
  { shop, day, timeZone }: { shop: string; day: string; timeZone: string | null },
): Promise<Map<string, DomainCounts>> {
  const { start, end } = dayBounds(day, timeZone);
  const $ = params(prisma);
  const domain = recipientDomainSql(prisma);
  const sentInDay = `f."shop" = ${$(1)} AND f."dueAt" >= ${$(2)} AND f."dueAt" < ${$(3)} AND f."isTest" = ${falseSql(prisma)}
    AND f."status" = 'sent' AND f."recipient" LIKE '%@%'`;
  const machine = `CASE WHEN e."event" = 'open' THEN e."machineOpen" ELSE ${falseSql(prisma)} END`;
  const [sent, events] = await Promise.all([
    prisma.$queryRawUnsafe<{ domain: string; n: bigint | number }[]>(
      `SELECT ${domain} AS domain, COUNT(*) AS n FROM "FollowUp" f WHERE ${sentInDay} GROUP BY ${domain}`,
      shop,
      start,
      end,
    ),
    prisma.$queryRawUnsafe<{ domain: string; kind: string; machine: unknown; n: bigint | number }[]>(
      `SELECT ${domain} AS domain, e."event" AS kind, ${machine} AS machine, COUNT(DISTINCT f."id") AS n
       FROM "FollowUp" f JOIN "MessageEvent" e ON e."followUpId" = f."id"
       WHERE ${sentInDay} AND e."event" IN ('delivered', 'bounce', 'deferred', 'spamreport', 'open', 'click')
       GROUP BY ${domain}, e."event", ${machine}`,
      shop,
      start,
      end,
    ),
  ]);
  const out = new Map<string, DomainCounts>();
  const at = (d: string) => out.get(d) ?? out.set(d, emptyDomainCounts()).get(d)!;
  for (const r of sent) at(r.domain).sent += Number(r.n);
  const field: Record<string, keyof DomainCounts> = {
    delivered: "delivered",
    bounce: "bounces",
    deferred: "deferred",
    spamreport: "spamReports",
    click: "clicks",
  };
  for (const r of events) {
    const machineOpen = r.machine === true || r.machine === 1 || r.machine === 1n || r.machine === "1" || r.machine === "true";
    const key = r.kind === "open" ? (machineOpen ? "machineOpens" : "opens") : field[r.kind];
    if (key) at(r.domain)[key] += Number(r.n);
  }
  return out;
}

async function writeDay(
  prisma: PrismaClient,
  { shop, day, counts, domains }: { shop: string; day: string; counts: Map<Key, Counters>; domains: Map<string, DomainCounts> },
) {
  await prisma.$transaction([
    prisma.dailyDomainStat.deleteMany({ where: { shop, day } }),
    prisma.dailyDomainStat.createMany({ data: [...domains].map(([domain, c]) => ({ shop, day, domain, ...c })) }),
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
      const timeZone = zones.get(shop) ?? null;
      const [counts, domains] = await Promise.all([countDay(prisma, { shop, day, timeZone }), countDayByDomain(prisma, { shop, day, timeZone })]);
      await writeDay(prisma, { shop, day, counts, domains });
      count += 1;
    }
  }
  await writeState(prisma, ROLLUP_JOB, next);
  return { shops: days.size, days: count };
}
