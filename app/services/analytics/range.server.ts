// The days the analytics page and its exports cover, in the shop's time zone.
import type { PrismaClient } from "@prisma/client";
import { dayOf } from "~/domain/analytics";

export interface DashboardRange {
  from: string; // YYYY-MM-DD, in the shop's time zone
  to: string;
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

// The range a page or download asked for (?from=&to=), or the last 30 days in the shop's time zone.
export async function rangeForShop(
  prisma: Pick<PrismaClient, "shop">,
  { shop, from, to, now = new Date() }: { shop: string; from: string | null; to: string | null; now?: Date },
): Promise<DashboardRange> {
  const row = await prisma.shop.findUnique({ where: { domain: shop }, select: { ianaTimezone: true } });
  return parseRange({ from, to }, defaultRange(now, row?.ianaTimezone ?? null));
}
