// Which follow-up an order is credited to. Last touch: the latest click (and, when the shop
// counts them, human open) on a follow-up to the same customer within the window before the
// order. A follow-up's own discount code wins whatever the window. The order that triggered a
// follow-up is never credited to it.
export type AttributionReason = "click" | "open" | "discount";

export interface Touch {
  followUpId: string;
  orderRef: string; // the order that triggered the follow-up
  kind: "click" | "open";
  at: Date;
  source?: string | null; // recommendation source of the clicked link
}

export interface DiscountFollowUp {
  followUpId: string;
  orderRef: string;
  discountCode: string;
  sentAt: Date | null;
}

export interface AttributableOrder {
  ref: string; // Order.id
  orderedAt: Date;
  discountCodes: string[];
}

export interface AttributionDecision {
  followUpId: string;
  reason: AttributionReason;
  touchedAt: Date | null;
  source: string | null;
}

export const DEFAULT_ATTRIBUTION_WINDOW_DAYS = 5;
const DAY_MS = 24 * 3600_000;

export function attributeOrder({
  order,
  touches,
  discountFollowUps = [],
  windowDays = DEFAULT_ATTRIBUTION_WINDOW_DAYS,
  countsOpens = false,
}: {
  order: AttributableOrder;
  touches: readonly Touch[];
  discountFollowUps?: readonly DiscountFollowUp[];
  windowDays?: number;
  countsOpens?: boolean;
}): AttributionDecision | null {
  const codes = new Set(order.discountCodes.map((c) => c.trim().toUpperCase()).filter(Boolean));
  const byCode = discountFollowUps
    .filter((f) => f.orderRef !== order.ref && codes.has(f.discountCode.trim().toUpperCase()))
    .sort((a, b) => (b.sentAt?.getTime() ?? 0) - (a.sentAt?.getTime() ?? 0));
  if (byCode.length) return { followUpId: byCode[0].followUpId, reason: "discount", touchedAt: null, source: null };

  const end = order.orderedAt.getTime();
  const start = end - Math.max(0, windowDays) * DAY_MS;
  let best: Touch | null = null;
  for (const t of touches) {
    if (t.orderRef === order.ref) continue;
    if (t.kind === "open" && !countsOpens) continue;
    const at = t.at.getTime();
    if (at < start || at > end) continue;
    // Same instant: a click says more than an open.
    if (!best || at > best.at.getTime() || (at === best.at.getTime() && t.kind === "click" && best.kind === "open")) best = t;
  }
  if (!best) return null;
  return { followUpId: best.followUpId, reason: best.kind, touchedAt: best.at, source: best.kind === "click" ? best.source ?? null : null };
}

// The order's total in the shop's currency, when we know it.
export function revenueInShopCurrency(order: {
  totalPriceShop: string | null;
  totalPrice: string;
  currency: string;
  shopCurrency: string | null;
}, shopCurrency: string | null): { amount: string; currency: string } | null {
  const currency = (order.shopCurrency ?? shopCurrency)?.toUpperCase() ?? null;
  if (order.totalPriceShop && currency) return { amount: order.totalPriceShop, currency };
  if (currency && order.currency.toUpperCase() === currency) return { amount: order.totalPrice, currency };
  return null;
}

// Order.discountCodes as stored: a JSON list of codes or of { code } objects.
export function parseDiscountCodes(json: string | null | undefined): string[] {
  if (!json) return [];
  try {
    const list = JSON.parse(json) as unknown;
    if (!Array.isArray(list)) return [];
    return list
      .map((c) => (typeof c === "string" ? c : typeof c === "object" && c && "code" in c ? String((c as { code: unknown }).code) : ""))
      .filter(Boolean);
  } catch {
    return [];
  }
}
