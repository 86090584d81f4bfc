// Revenue attribution and recommendation-source feedback, run by the worker's analytics job.
// Attribution runs in the job rather than at order intake: SendGrid posts click events in
// batches up to minutes late, so an order may arrive before the click that led to it; and the
// webhook must answer Shopify fast. Each run re-decides orders that changed since the last
// one, and orders of customers with new clicks or opens, so a late click still counts.
import type { PrismaClient } from "@prisma/client";
import { formatMoneyAmount, parseMoney, recommendationSourceOfUrl } from "~/domain/analytics";
import { attributeOrder, parseDiscountCodes, revenueInShopCurrency, type Touch } from "~/domain/attribution";
import { seededRng, sourcePreferences, type SourcePreference } from "~/domain/bandit";
import { readState, writeState } from "./analytics.server";

const JOB = "analytics.attribution";
const LOOK_BACK_MS = 2 * 60_000;
const BATCH = 1000;
const DAY_MS = 24 * 3600_000;

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

// Decides one order and writes (or removes) its attribution row.
export async function attributeOrderRow(
  prisma: PrismaClient,
  { order, shop }: { order: OrderRow; shop: { attributionWindowDays: number; attributionCountsOpens: boolean; currencyCode: string | null } },
): Promise<boolean> {
  const email = order.email?.trim() || null;
  // A cancelled or refunded order earns nothing.
  if (order.cancelledAt || order.refundedAt || (!order.customerId && !email && !order.discountCodes)) {
    await prisma.attribution.deleteMany({ where: { orderRef: order.id } });
    return false;
  }
  const windowStart = new Date(order.orderedAt.getTime() - shop.attributionWindowDays * DAY_MS);
  const sameCustomer = [
    ...(email ? [{ recipient: email }, { recipient: email.toLowerCase() }] : []),
    ...(order.customerId ? [{ order: { customerId: order.customerId } }] : []),
  ];
  const candidates = sameCustomer.length
    ? await prisma.followUp.findMany({
        where: { shop: order.shop, isTest: false, status: "sent", sentAt: { lte: order.orderedAt }, OR: sameCustomer },
        select: { id: true, orderRef: true, flowId: true, stepKey: true, variant: true },
      })
    : [];
  const events = candidates.length
    ? await prisma.messageEvent.findMany({
        where: {
          followUpId: { in: candidates.map((c) => c.id) },
          event: { in: shop.attributionCountsOpens ? ["click", "open"] : ["click"] },
          machineOpen: false,
          occurredAt: { gte: windowStart, lte: order.orderedAt },
        },
        select: { followUpId: true, event: true, occurredAt: true, detail: true },
      })
    : [];
  const byId = new Map(candidates.map((c) => [c.id, c]));
  const touches: Touch[] = events.map((e) => ({
    followUpId: e.followUpId!,
    orderRef: byId.get(e.followUpId!)!.orderRef,
    kind: e.event === "click" ? "click" : "open",
    at: e.occurredAt,
    source: e.event === "click" ? recommendationSourceOfUrl(clickUrl(e.detail)) : null,
  }));
  const codes = parseDiscountCodes(order.discountCodes);
  const coded = codes.length
    ? await prisma.followUp.findMany({
        where: { shop: order.shop, isTest: false, discountCode: { in: [...codes, ...codes.map((c) => c.toUpperCase())] } },
        select: { id: true, orderRef: true, discountCode: true, sentAt: true, flowId: true, stepKey: true, variant: true },
      })
    : [];
  const decision = attributeOrder({
    order: { ref: order.id, orderedAt: order.orderedAt, discountCodes: codes },
    touches,
    discountFollowUps: coded.map((f) => ({ followUpId: f.id, orderRef: f.orderRef, discountCode: f.discountCode!, sentAt: f.sentAt })),
    windowDays: shop.attributionWindowDays,
    countsOpens: shop.attributionCountsOpens,
  });
  if (!decision) {
    await prisma.attribution.deleteMany({ where: { orderRef: order.id } });
    return false;
  }
  const followUp = byId.get(decision.followUpId) ?? coded.find((f) => f.id === decision.followUpId)!;
  const money = revenueInShopCurrency(order, shop.currencyCode);
  const data = {
    shop: order.shop,
    orderId: order.orderId,
    followUpId: followUp.id,
    flowId: followUp.flowId,
    stepKey: followUp.stepKey,
    variant: followUp.variant ?? "",
    reason: decision.reason,
    source: decision.source,
    // Without an amount in the shop's currency the order still counts, with no revenue.
    revenue: money?.amount ?? "0",
    currency: money?.currency ?? shop.currencyCode ?? order.currency,
    touchedAt: decision.touchedAt,
    orderedAt: order.orderedAt,
  };
  await prisma.attribution.upsert({ where: { orderRef: order.id }, create: { orderRef: order.id, ...data }, update: data });
  return true;
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
  for (const f of touchedFollowUps) {
    const after = earliest.get(f.id)!;
    const OR = [{ email: f.recipient }, ...(f.order.customerId ? [{ customerId: f.order.customerId }] : [])];
    later.push(...(await prisma.order.findMany({ where: { shop: f.shop, orderedAt: { gte: after }, OR }, select: ORDER_SELECT, take: 50 })));
  }
  const nextEvents = touches.length === BATCH * 5 ? (await latestReceived(prisma, touches.length, eventsSince)) : now.toISOString();

  const orders = new Map<string, OrderRow>();
  for (const o of [...changed, ...later]) orders.set(o.id, o);
  const shops = new Map<string, { attributionWindowDays: number; attributionCountsOpens: boolean; currencyCode: string | null } | null>();
  let attributed = 0;
  const touchedShops = new Set<string>();
  for (const order of orders.values()) {
    if (!shops.has(order.shop)) {
      shops.set(
        order.shop,
        await prisma.shop.findUnique({ where: { domain: order.shop }, select: { attributionWindowDays: true, attributionCountsOpens: true, currencyCode: true } }),
      );
    }
    const shop = shops.get(order.shop);
    if (!shop) continue;
    if (await attributeOrderRow(prisma, { order, shop })) attributed += 1;
    touchedShops.add(order.shop);
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
    const clicked = new Map<string, Set<string>>();
    for (const c of clicks) {
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

// An email went out showing products from these sources.
export async function recordImpressions(prisma: PrismaClient, { shop, sources }: { shop: string; sources: string[] }): Promise<void> {
  for (const source of new Set(sources)) {
    await prisma.recommendationSourceStat.upsert({
      where: { shop_source: { shop, source } },
      create: { shop, source, impressions: 1 },
      update: { impressions: { increment: 1 } },
    });
  }
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
