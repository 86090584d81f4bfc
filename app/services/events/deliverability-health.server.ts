// Deliverability health per shop from SendGrid events over a rolling window: warns the merchant,
// logs an alert once per crossing, and pauses sending above the hard limits until the merchant
// resumes it from the admin.
import type { PrismaClient } from "@prisma/client";
import {
  assessHealth,
  HEALTH_THRESHOLDS,
  HEALTH_WINDOW_DAYS,
  providerOf,
  type HealthCounts,
  type HealthLevel,
  type Provider,
} from "~/domain/deliverability-health";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import { audit } from "../compliance/audit.server";

export interface HealthReport {
  level: HealthLevel;
  windowDays: number;
  window: HealthCounts;
  bounceRate: number | null;
  spamRate: number | null;
  deferralsByProvider: Record<Provider, number>;
  problems: string[];
  thresholds: typeof HEALTH_THRESHOLDS;
  checkedAt: string;
}

const SEVERITY: Record<HealthLevel, number> = { ok: 0, warning: 1, paused: 2 };

async function countsSince(prisma: PrismaClient, shop: string, from: Date): Promise<HealthCounts> {
  const rows = await prisma.messageEvent.groupBy({
    by: ["event"],
    where: { shop, occurredAt: { gte: from }, event: { in: ["delivered", "bounce", "spamreport"] } },
    _count: { _all: true },
  });
  const n = (event: string) => rows.find((r) => r.event === event)?._count._all ?? 0;
  const delivered = n("delivered");
  const bounces = n("bounce");
  // Sent = what reached a verdict: delivered or bounced (deferrals are still in flight).
  return { sent: delivered + bounces, delivered, bounces, spamReports: n("spamreport") };
}

export async function shopHealth(prisma: PrismaClient, { shop, now = new Date() }: { shop: string; now?: Date }) {
  const from = new Date(now.getTime() - HEALTH_WINDOW_DAYS * 24 * 3600_000);
  const state = await prisma.deliverabilityHealth.findUnique({ where: { shop } });
  const window = await countsSince(prisma, shop, from);
  const resumedAt = state?.resumedAt && state.resumedAt > from ? state.resumedAt : null;
  const sincePauseCheck = resumedAt ? await countsSince(prisma, shop, resumedAt) : window;
  const deferred = await prisma.messageEvent.groupBy({
    by: ["email"],
    where: { shop, occurredAt: { gte: from }, event: "deferred" },
    _count: { _all: true },
  });
  const deferralsByProvider: Record<Provider, number> = { gmail: 0, outlook: 0, yahoo: 0, other: 0 };
  for (const d of deferred) deferralsByProvider[providerOf(d.email)] += d._count._all;
  const assessment = assessHealth({ window, sincePauseCheck });
  const report: HealthReport = {
    level: assessment.level,
    windowDays: HEALTH_WINDOW_DAYS,
    window,
    bounceRate: assessment.bounceRate,
    spamRate: assessment.spamRate,
    deferralsByProvider,
    problems: assessment.problems,
    thresholds: HEALTH_THRESHOLDS,
    checkedAt: now.toISOString(),
  };
  return { report, pauseReason: assessment.pauseReason, previous: state };
}

// Checks every connected shop that had mail events in the window.
export async function checkDeliverabilityHealth({
  prisma,
  now = new Date(),
  logger = rootLogger,
}: {
  prisma: PrismaClient;
  now?: Date;
  logger?: Logger;
}): Promise<{ shop: string; level: HealthLevel }[]> {
  const from = new Date(now.getTime() - HEALTH_WINDOW_DAYS * 24 * 3600_000);
  const shops = await prisma.shop.findMany({ where: { uninstalledAt: null }, select: { domain: true, sendingPausedAt: true } });
  const out: { shop: string; level: HealthLevel }[] = [];
  for (const shop of shops) {
    const any = await prisma.messageEvent.findFirst({ where: { shop: shop.domain, occurredAt: { gte: from } }, select: { id: true } });
    const state = await prisma.deliverabilityHealth.findUnique({ where: { shop: shop.domain } });
    if (!any && !state) continue;
    const { report, pauseReason, previous } = await shopHealth(prisma, { shop: shop.domain, now });
    const worse = SEVERITY[report.level] > SEVERITY[(previous?.level as HealthLevel) ?? "ok"];
    if (worse) {
      const log = report.level === "paused" ? logger.error : logger.warn;
      log("deliverability alert", { shop: shop.domain, health: report.level, bounceRate: report.bounceRate, spamRate: report.spamRate, problems: report.problems });
    }
    if (pauseReason && !shop.sendingPausedAt) {
      await prisma.$transaction(async (tx) => {
        await tx.shop.update({ where: { domain: shop.domain }, data: { sendingPausedAt: now, sendingPausedReason: pauseReason } });
        await audit(tx, { shop: shop.domain, actor: "system", action: "sending.paused", detail: { reason: pauseReason, window: report.window } });
      });
    }
    const data = { level: report.level, report: JSON.stringify(report), checkedAt: now, ...(worse ? { alertedAt: now } : {}) };
    await prisma.deliverabilityHealth.upsert({ where: { shop: shop.domain }, create: { shop: shop.domain, ...data }, update: data });
    out.push({ shop: shop.domain, level: report.level });
  }
  return out;
}

// The merchant resumes sending: a pause only looks at mail sent after this from now on.
export async function resumeSending(prisma: PrismaClient, { shop, actor, now = new Date() }: { shop: string; actor: string; now?: Date }) {
  return prisma.$transaction(async (tx) => {
    const row = await tx.shop.findUnique({ where: { domain: shop }, select: { sendingPausedAt: true, sendingPausedReason: true } });
    if (!row?.sendingPausedAt) return false;
    await tx.shop.update({ where: { domain: shop }, data: { sendingPausedAt: null, sendingPausedReason: null } });
    await tx.deliverabilityHealth.upsert({
      where: { shop },
      create: { shop, level: "ok", report: "{}", checkedAt: now, resumedAt: now },
      update: { resumedAt: now, level: "ok" },
    });
    await audit(tx, { shop, actor, action: "sending.resumed", detail: { pausedAt: row.sendingPausedAt.toISOString(), reason: row.sendingPausedReason } });
    return true;
  });
}
