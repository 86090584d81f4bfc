// Revenue attribution and recommendation-source feedback, run by the worker's analytics job.
// Attribution runs in the job rather than at order intake: SendGrid posts click events in
// batches up to minutes late, so an order may arrive before the click that led to it; and the
// webhook must answer Shopify fast. Each run re-decides orders that changed since the last
// one, and orders of customers with new clicks or opens, so a late click still counts.
import type { Prisma, PrismaClient } from "@prisma/client";
import { dayOf, formatMoneyAmount, parseMoney, recommendationSourceOfUrl } from "~/domain/analytics";
import { attributeOrder, parseDiscountCodes, revenueInShopCurrency, type Touch } from "~/domain/attribution";
import { seededRng, sourcePreferences, type SourcePreference } from "~/domain/bandit";
import { readState, writeState } from "./job-state.server";

const JOB = "analytics.attribution";
const LOOK_BACK_MS = 2 * 60_000;
const BATCH = 1000;

interface Marks {
  orders: string;
  events: string;
}

type OrderRow = {
  id: string;
  shop: string;
  orderId: string;
  customerId: string | null;
  email: string | null;
  orderedAt: Date;
  cancelledAt: Date | null;
  refundedAt: Date | null;
  discountCodes: string | null;
  totalPrice: string;
  totalPriceShop: string | null;
  currency: string;
  shopCurrency: string | null;
};

const ORDER_SELECT = {
  id: true,
  shop: true,
  orderId: true,
  customerId: true,
  email: true,
  orderedAt: true,
  cancelledAt: true,
  refundedAt: true,
  discountCodes: true,
  totalPrice: true,
  totalPriceShop: true,
  currency: true,
  shopCurrency: true,
  updatedAt: true,
} as const;

function clickUrl(detail: string | null): string | null {
  if (!detail) return null;
  try {
    const url = (JSON.parse(detail) as { url?: unknown }).url;
    return typeof url === "string" ? url : null;
  } catch {
    return null;
  }
}

type ShopSettings = { attributionWindowDays: number; attributionCountsOpens: boolean; currencyCode: string | null; ianaTimezone: string | null };

const chunks = <T,>(list: T[], size = 400): T[][] => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

// Decides a batch of one shop's orders and writes (or removes) their attribution rows, with a
// handful of queries whatever the batch size.
export async function attributeOrders(
  prisma: PrismaClient,
  { shop, orders, settings }: { shop: string; orders: OrderRow[]; settings: ShopSettings },
): Promise<number> {
  if (orders.length === 0) return 0;
  const emails = [...new Set(orders.flatMap((o) => (o.email?.trim() ? [o.email.trim(), o.email.trim().toLowerCase()] : [])))];
  const customerIds = [...new Set(orders.flatMap((o) => (o.customerId ? [o.customerId] : [])))];
  const latest = new Date(Math.max(...orders.map((o) => o.orderedAt.getTime())));
  const select = { id: true, orderRef: true, flowId: true, stepKey: true, variant: true, recipient: true, sentAt: true, discountCode: true, order: { select: { customerId: true } } } as const;
  type Candidate = { id: string; orderRef: string; flowId: string; stepKey: string; variant: string | null; recipient: string; sentAt: Date | null; discountCode: string | null; order: { customerId: string | null } };
  const candidates = new Map<string, Candidate>();
  for (const part of chunks(emails)) {
    for (const f of await prisma.followUp.findMany({ where: { shop, isTest: false, status: "sent", sentAt: { lte: latest }, recipient: { in: part } }, select }))
      candidates.set(f.id, f);
  }
  for (const part of chunks(customerIds)) {
    for (const f of await prisma.followUp.findMany({ where: { shop, isTest: false, status: "sent", sentAt: { lte: latest }, order: { shop, customerId: { in: part } } }, select }))
      candidates.set(f.id, f);
  }
  const touchesByFollowUp = new Map<string, Touch[]>();
  for (const part of chunks([...candidates.keys()])) {
    const events = await prisma.messageEvent.findMany({
      where: { followUpId: { in: part }, event: { in: settings.attributionCountsOpens ? ["click", "open"] : ["click"] }, machineOpen: false, occurredAt: { lte: latest } },
      select: { followUpId: true, event: true, occurredAt: true, detail: true },
    });
    for (const e of events) {
      const f = candidates.get(e.followUpId!)!;
      const list = touchesByFollowUp.get(f.id) ?? touchesByFollowUp.set(f.id, []).get(f.id)!;
      list.push({
        followUpId: f.id,
        orderRef: f.orderRef,
        kind: e.event === "click" ? "click" : "open",
        at: e.occurredAt,
        source: e.event === "click" ? recommendationSourceOfUrl(clickUrl(e.detail)) : null,
      });
    }
  }
  const allCodes = [...new Set(orders.flatMap((o) => parseDiscountCodes(o.discountCodes)).flatMap((c) => [c, c.toUpperCase()]))];
  const coded = new Map<string, Candidate>();
  for (const part of chunks(allCodes)) {
    for (const f of await prisma.followUp.findMany({ where: { shop, isTest: false, discountCode: { in: part } }, select })) coded.set(f.id, f);
  }

  const rows: Prisma.AttributionCreateManyInput[] = [];
  for (const order of orders) {
    // A cancelled or refunded order earns nothing.
    if (order.cancelledAt || order.refundedAt) continue;
    const email = order.email?.trim().toLowerCase() ?? null;
    const mine = [...candidates.values()].filter(
      (f) => (email && f.recipient.toLowerCase() === email) || (order.customerId && f.order.customerId === order.customerId),
    );
    const decision = attributeOrder({
      order: { ref: order.id, orderedAt: order.orderedAt, discountCodes: parseDiscountCodes(order.discountCodes) },
      touches: mine.flatMap((f) => touchesByFollowUp.get(f.id) ?? []),
      discountFollowUps: [...coded.values()].map((f) => ({ followUpId: f.id, orderRef: f.orderRef, discountCode: f.discountCode!, sentAt: f.sentAt })),
      windowDays: settings.attributionWindowDays,
      countsOpens: settings.attributionCountsOpens,
    });
    if (!decision) continue;
    const followUp = candidates.get(decision.followUpId) ?? coded.get(decision.followUpId)!;
    const money = revenueInShopCurrency(order, settings.currencyCode);
    rows.push({
      orderRef: order.id,
      shop,
      orderId: order.orderId,
      followUpId: followUp.id,
      flowId: followUp.flowId,
      stepKey: followUp.stepKey,
      variant: followUp.variant ?? "",
      reason: decision.reason,
      source: decision.source,
      // Without an amount in the shop's currency the order still counts, with no revenue.
      revenue: money?.amount ?? "0",
      currency: money?.currency ?? settings.currencyCode ?? order.currency,
      touchedAt: decision.touchedAt,
      orderedAt: order.orderedAt,
      day: dayOf(order.orderedAt, settings.ianaTimezone),
    });
  }
  // Replaced whole: a re-decided order may have lost its credit (cancelled, a late click elsewhere).
  await prisma.$transaction([
    ...chunks(orders.map((o) => o.id)).map((part) => prisma.attribution.deleteMany({ where: { orderRef: { in: part } } })),
    prisma.attribution.createMany({ data: rows }),
  ]);
  return rows.length;
}

export async function attributeChangedOrders({ prisma, now = new Date() }: { prisma: PrismaClient; now?: Date }) {
  const marks = await readState<Marks>(prisma, JOB);
  const ordersSince = new Date(Math.max(0, Date.parse(marks.orders ?? "1970-01-01T00:00:00Z") - LOOK_BACK_MS));
  const eventsSince = new Date(Math.max(0, Date.parse(marks.events ?? "1970-01-01T00:00:00Z") - LOOK_BACK_MS));

  // Orders that arrived or changed (cancelled, refunded), a batch at a time.
  const changed = await prisma.order.findMany({
    where: { updatedAt: { gt: ordersSince } },
    orderBy: [{ updatedAt: "asc" }, { id: "asc" }],
    take: BATCH,
    select: ORDER_SELECT,
  });
  const full = changed.length === BATCH;
  const nextOrders = full ? changed[changed.length - 1].updatedAt.toISOString() : now.toISOString();

  // Orders a new click or open may now be credited to: the same customer's, after the touch.
  const touches = await prisma.messageEvent.findMany({
    where: { receivedAt: { gt: eventsSince }, event: { in: ["click", "open"] }, followUpId: { not: null } },
    select: { occurredAt: true, followUpId: true },
    take: BATCH * 5,
    orderBy: { receivedAt: "asc" },
  });
  const touchedFollowUps = touches.length
    ? await prisma.followUp.findMany({
        where: { id: { in: [...new Set(touches.map((t) => t.followUpId!))] }, isTest: false },
        select: { id: true, shop: true, recipient: true, order: { select: { customerId: true } } },
      })
    : [];
  const earliest = new Map<string, Date>();
  for (const t of touches) {
    const prev = earliest.get(t.followUpId!);
    if (!prev || t.occurredAt < prev) earliest.set(t.followUpId!, t.occurredAt);
  }
  const later: OrderRow[] = [];
  const touchedByShop = new Map<string, typeof touchedFollowUps>();
  for (const f of touchedFollowUps) (touchedByShop.get(f.shop) ?? touchedByShop.set(f.shop, []).get(f.shop)!).push(f);
  for (const [shop, list] of touchedByShop) {
    const after = new Date(Math.min(...list.map((f) => earliest.get(f.id)!.getTime())));
    const emails = [...new Set(list.map((f) => f.recipient))];
    const customerIds = [...new Set(list.flatMap((f) => (f.order.customerId ? [f.order.customerId] : [])))];
    const found = new Map<string, OrderRow>();
    for (const part of chunks(emails)) for (const o of await prisma.order.findMany({ where: { shop, orderedAt: { gte: after }, email: { in: part } }, select: ORDER_SELECT })) found.set(o.id, o);
    for (const part of chunks(customerIds)) for (const o of await prisma.order.findMany({ where: { shop, orderedAt: { gte: after }, customerId: { in: part } }, select: ORDER_SELECT })) found.set(o.id, o);
    // Only orders placed after a touch of their own customer can change.
    for (const o of found.values()) {
      if (list.some((f) => (f.recipient === o.email || (f.order.customerId && f.order.customerId === o.customerId)) && o.orderedAt >= earliest.get(f.id)!)) later.push(o);
    }
  }
  const nextEvents = touches.length === BATCH * 5 ? (await latestReceived(prisma, touches.length, eventsSince)) : now.toISOString();

  const orders = new Map<string, OrderRow>();
  for (const o of [...changed, ...later]) orders.set(o.id, o);
  const byShop = new Map<string, OrderRow[]>();
  for (const o of orders.values()) (byShop.get(o.shop) ?? byShop.set(o.shop, []).get(o.shop)!).push(o);
  let attributed = 0;
  const touchedShops = new Set<string>();
  for (const [shop, list] of byShop) {
    const settings = await prisma.shop.findUnique({ where: { domain: shop }, select: { attributionWindowDays: true, attributionCountsOpens: true, currencyCode: true, ianaTimezone: true } });
    if (!settings) continue;
    attributed += await attributeOrders(prisma, { shop, orders: list, settings });
    touchedShops.add(shop);
  }
  for (const f of touchedFollowUps) touchedShops.add(f.shop);
  await writeState(prisma, JOB, { orders: nextOrders, events: nextEvents });
  return { orders: orders.size, attributed, touchedShops: [...touchedShops] };
}

async function latestReceived(prisma: PrismaClient, skip: number, after: Date): Promise<string> {
  const row = await prisma.messageEvent.findFirst({
    where: { receivedAt: { gt: after }, event: { in: ["click", "open"] }, followUpId: { not: null } },
    orderBy: { receivedAt: "asc" },
    skip: skip - 1,
    select: { receivedAt: true },
  });
  return (row?.receivedAt ?? new Date()).toISOString();
}

// Clicks (follow-ups clicked through a source's product link) and attributed orders per
// recommendation source, recounted whole for each shop that had news. Impressions are counted
// at send time and left alone here.
export async function refreshSourceStats({ prisma, shops }: { prisma: PrismaClient; shops: string[] }): Promise<number> {
  for (const shop of shops) {
    const clicks = await prisma.messageEvent.findMany({
      where: { shop, event: "click", followUpId: { not: null } },
      select: { followUpId: true, detail: true },
    });
    // Test sends never count.
    const tests = new Set((await prisma.followUp.findMany({ where: { shop, isTest: true }, select: { id: true } })).map((f) => f.id));
    const clicked = new Map<string, Set<string>>();
    for (const c of clicks) {
      if (tests.has(c.followUpId!)) continue;
      const source = recommendationSourceOfUrl(clickUrl(c.detail));
      if (!source) continue;
      (clicked.get(source) ?? clicked.set(source, new Set()).get(source)!).add(c.followUpId!);
    }
    const attributions = await prisma.attribution.findMany({ where: { shop, source: { not: null } }, select: { source: true, revenue: true } });
    const money = new Map<string, { orders: number; revenue: bigint }>();
    for (const a of attributions) {
      const m = money.get(a.source!) ?? { orders: 0, revenue: 0n };
      m.orders += 1;
      m.revenue += parseMoney(a.revenue);
      money.set(a.source!, m);
    }
    const existing = await prisma.recommendationSourceStat.findMany({ where: { shop }, select: { source: true } });
    const sources = new Set([...clicked.keys(), ...money.keys(), ...existing.map((e) => e.source)]);
    for (const source of sources) {
      const data = {
        clicks: clicked.get(source)?.size ?? 0,
        orders: money.get(source)?.orders ?? 0,
        revenue: formatMoneyAmount(money.get(source)?.revenue ?? 0n),
      };
      await prisma.recommendationSourceStat.upsert({ where: { shop_source: { shop, source } }, create: { shop, source, ...data }, update: data });
    }
  }
  return shops.length;
}

// Impressions feed a ratio the engine re-reads every few minutes: counted in memory and written
// once per shop and source every few seconds, instead of an upsert per source per email.
export interface ImpressionCounter {
  count(shop: string, sources: string[]): void;
  // Writes what is counted; what cannot be written stays counted for the next flush.
  flush(): Promise<void>;
}

export function createImpressionCounter({
  prisma,
  flushMs = 5_000,
  onError = () => {},
}: {
  prisma: PrismaClient;
  flushMs?: number;
  onError?: (err: unknown, shop: string) => void;
}): ImpressionCounter {
  const pending = new Map<string, { shop: string; source: string; n: number }>();
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> = Promise.resolve();
  async function write() {
    const batch = [...pending.values()];
    pending.clear();
    for (const { shop, source, n } of batch) {
      try {
        await prisma.recommendationSourceStat.upsert({
          where: { shop_source: { shop, source } },
          create: { shop, source, impressions: n },
          update: { impressions: { increment: n } },
        });
      } catch (err) {
        const key = `${shop}\u0000${source}`;
        pending.set(key, { shop, source, n: n + (pending.get(key)?.n ?? 0) });
        onError(err, shop);
      }
    }
  }
  const flush = () => (flushing = flushing.then(write));
  return {
    count(shop, sources) {
      for (const source of new Set(sources)) {
        const key = `${shop}\u0000${source}`;
        pending.set(key, { shop, source, n: (pending.get(key)?.n ?? 0) + 1 });
      }
      if (!timer && pending.size) {
        timer = setTimeout(() => {
          timer = null;
          void flush();
        }, flushMs);
        timer.unref();
      }
    },
    flush,
  };
}

// What the engine has learned for a shop, cached briefly per process (the numbers move slowly).
const learned = new Map<string, { at: number; preferences: Promise<SourcePreference[]> }>();

export function shopSourcePreferences(prisma: PrismaClient, shop: string, { ttlMs = 5 * 60_000 } = {}): Promise<SourcePreference[]> {
  const hit = learned.get(shop);
  if (hit && Date.now() - hit.at < ttlMs) return hit.preferences;
  const preferences = prisma.recommendationSourceStat
    .findMany({ where: { shop } })
    .then((stats) => sourcePreferences({ stats, rng: seededRng((Date.now() ^ (Math.random() * 2 ** 32)) >>> 0) }));
  preferences.catch(() => learned.delete(shop));
  learned.set(shop, { at: Date.now(), preferences });
  return preferences;
}
