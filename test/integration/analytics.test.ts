// The analytics page and its CSV exports, called as the embedded admin calls them. A history of
// follow-ups (A/B variants, test sends, skips and failures), SendGrid events (machine opens,
// duplicates, unsubscribes through SendGrid and through our page) and orders (inside and outside
// the attribution window, discount codes, the triggering order) is built here; every number on
// the page and every cell of both exports is checked against a count made in this file.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const ctx = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({
    name: "analytics",
    apiKey: "analytics-test-key",
    secret: "analytics-test-secret",
    // The analytics pass looks recipient domains' MX records up: a port that refuses keeps it off the network.
    env: { LOG_LEVEL: "error", AFTERGLOW_DNS_SERVERS: "127.0.0.1:9" },
  }),
);

import { sessionToken } from "../helpers/embedded";
import prisma from "~/db.server";
import { action, loader, type AnalyticsActionData } from "~/routes/app.analytics";
import { loader as exportLoader } from "~/routes/app.analytics.export.$kind";
import { runAnalyticsJobs } from "~/services/analytics/jobs.server";
import { listAudit } from "~/services/compliance/audit.server";
import { storeOfflineToken } from "~/services/shop/shops.server";
import { createDispatcher } from "~/services/dispatch/dispatcher.server";
import { createOutboxTransport } from "~/adapters/mail/outbox.server";
import { prepareFollowUp } from "~/email/prepare.server";
import { renderFollowUp } from "~/email/render.server";
import { createLogger } from "~/platform/logger.server";
import { seededRng } from "~/domain/bandit";

const SHOP = "north-coast.myshopify.com";
const OTHER = "other-boutique.myshopify.com";
const ZONE = "Europe/Warsaw";
const APP = "https://afterglow.test/app/analytics";
const DAY = 24 * 3600_000;
const FROM = "2026-10-01";
const TO = "2026-10-12";

const auth = (shop: string) => ({ Authorization: `Bearer ${sessionToken({ shop, apiKey: ctx.apiKey, secret: ctx.secret })}` });

async function page(shop: string, params: Record<string, string> = { from: FROM, to: TO }) {
  return loader({ request: new Request(`${APP}?${new URLSearchParams(params)}`, { headers: auth(shop) }), params: {}, context: {} });
}

async function post(shop: string, fields: Record<string, string>) {
  const res = (await action({
    request: new Request(APP, { method: "POST", headers: { ...auth(shop), "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) }),
    params: {},
    context: {},
  })) as unknown as Response;
  return { status: res.status, body: (await res.json()) as AnalyticsActionData };
}

async function exportCsv(shop: string, kind: string, params: Record<string, string> = { from: FROM, to: TO }) {
  const res = (await exportLoader({
    request: new Request(`${APP}/export/${kind}?${new URLSearchParams(params)}`, { headers: auth(shop) }),
    params: { kind },
    context: {},
  })) as Response;
  return res;
}

function parseCsv(text: string): Record<string, string>[] {
  const lines = text.replace(/^\uFEFF/, "").trimEnd().split("\r\n");
  const header = lines[0].split(",");
  return lines.slice(1).map((line) => {
    const cells = line.split(",");
    expect(cells.length, line).toBe(header.length);
    return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
  });
}

// The day in the shop's time zone, worked out with Intl (the app uses luxon).
const localDay = (at: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);

// ---------------------------------------------------------------------------------------------
// The history

interface Fu {
  id: string;
  orderRef: string;
  orderName: string;
  flowId: string;
  flowName: string;
  stepKey: string;
  variant: string | null;
  recipient: string;
  customerId: string;
  status: string;
  skipReason: string | null;
  skipCode: string | null;
  dueAt: Date;
  sentAt: Date | null;
  isTest: boolean;
  discountCode: string | null;
}
interface Ev {
  followUpId: string;
  event: string;
  machineOpen: boolean;
  occurredAt: Date;
  email: string;
  url?: string;
}
interface Ord {
  id: string;
  orderId: string;
  name: string;
  customerId: string;
  email: string;
  orderedAt: Date;
  totalPriceShop: string;
  discountCodes: string[];
  cancelled: boolean;
}

const fus: Fu[] = [];
const evs: Ev[] = [];
const orders: Ord[] = [];
const pageUnsubscribes: string[] = []; // follow-up ids unsubscribed through our page
let flowA = "";
let stepThanksId = "";

const SKIPS: [string, string][] = [
  ["Smart sending: the customer already received 1 marketing email in the last 16 hours (limit 1); the next may go out from Fri 2 Oct 2026 10:00 UTC.", "frequency_cap"],
  ["There is no record that the customer agreed to email marketing, and this step is a marketing email.", "no_marketing_consent"],
  [JSON.stringify({ code: "suppressed", text: "The address is suppressed: the customer marked an earlier email as spam.", params: {} }), "suppressed"],
  ["The order was cancelled.", "order_cancelled"],
];

async function buildHistory() {
  const rng = seededRng(20261001);
  const pick = <T,>(list: readonly T[]) => list[Math.floor(rng() * list.length)];
  const chance = (p: number) => rng() < p;
  await prisma.shop.create({ data: { domain: SHOP, name: "North Coast", currencyCode: "USD", ianaTimezone: ZONE, attributionWindowDays: 5 } });
  await prisma.shop.create({ data: { domain: OTHER, name: "Other", currencyCode: "EUR", ianaTimezone: "UTC" } });
  const fA = await prisma.flow.create({
    data: {
      shop: SHOP,
      key: "thank-you",
      name: "Thank you",
      trigger: "order_created",
      steps: {
        create: [
          {
            key: "thanks",
            position: 0,
            delayAmount: 1,
            delayUnit: "hours",
            template: "thank-you",
            subject: "Thanks!",
            variants: JSON.stringify({
              id: "subject-test",
              variants: [
                { key: "a", weight: 50, subject: "Thanks, {{customer.first_name}}" },
                { key: "b", weight: 50, subject: "Something for you, {{customer.first_name}}", previewText: "Picked for you" },
              ],
            }),
          },
          { key: "later", position: 1, delayAmount: 3, delayUnit: "days", template: "thank-you", subject: "How is it?" },
        ],
      },
    },
    include: { steps: true },
  });
  const fB = await prisma.flow.create({
    data: { shop: SHOP, key: "review", name: "Review request", trigger: "order_created", steps: { create: [{ key: "review", position: 0, delayAmount: 7, delayUnit: "days", template: "thank-you", subject: "Review?" }] } },
  });
  flowA = fA.id;
  stepThanksId = fA.steps.find((s) => s.key === "thanks")!.id;

  const customers = Array.from({ length: 120 }, (_, i) => ({
    id: `gid://shopify/Customer/${1000 + i}`,
    email: `c${i}@${pick(["gmail.com", "outlook.com", "yahoo.com", "shop.example"])}`,
  }));
  const start = Date.parse("2026-09-30T20:00:00Z"); // 22:00 in Warsaw: day edges matter
  let n = 0;
  for (let i = 0; i < 320; i++) {
    const customer = pick(customers);
    const orderedAt = new Date(start + Math.floor(rng() * 11 * DAY));
    const order: Ord = {
      id: randomUUID(),
      orderId: `gid://shopify/Order/${5000 + i}`,
      name: `#${5000 + i}`,
      customerId: customer.id,
      email: customer.email,
      orderedAt,
      totalPriceShop: `${10 + Math.floor(rng() * 190)}.${pick(["00", "50", "99", "05"])}`,
      discountCodes: [],
      cancelled: chance(0.03),
    };
    orders.push(order);
    const steps: [string, string, string, string | null, number][] = [
      [fA.id, "Thank you", "thanks", chance(0.5) ? "a" : "b", 3600_000],
      [fA.id, "Thank you", "later", null, 3 * DAY],
      [fB.id, "Review request", "review", null, 2 * DAY],
    ];
    for (const [flowId, flowName, stepKey, variant, delay] of steps) {
      if (stepKey !== "thanks" && chance(0.4)) continue;
      const dueAt = new Date(orderedAt.getTime() + delay);
      if (dueAt.getTime() > Date.parse("2026-10-13T00:00:00Z")) continue;
      const isTest = chance(0.03);
      const roll = rng();
      const status = roll < 0.78 ? "sent" : roll < 0.9 ? "skipped" : roll < 0.93 ? "cancelled" : roll < 0.97 ? "failed" : "scheduled";
      const skip = status === "skipped" ? pick(SKIPS.slice(0, 3)) : status === "cancelled" ? SKIPS[3] : null;
      const sentAt = status === "sent" ? new Date(dueAt.getTime() + 60_000) : null;
      const fu: Fu = {
        id: `fu-${String(++n).padStart(4, "0")}`,
        orderRef: order.id,
        orderName: order.name,
        flowId,
        flowName,
        stepKey,
        variant,
        recipient: customer.email,
        customerId: customer.id,
        status,
        skipReason: skip?.[0] ?? null,
        skipCode: skip?.[1] ?? null,
        dueAt,
        sentAt,
        isTest,
        discountCode: stepKey === "later" && status === "sent" ? `LATER-${n}` : null,
      };
      fus.push(fu);
      if (!sentAt) continue;
      const at = (minutes: number) => new Date(sentAt.getTime() + minutes * 60_000);
      const ev = (event: string, minutes: number, extra: Partial<Ev> = {}) =>
        evs.push({ followUpId: fu.id, event, machineOpen: false, occurredAt: at(minutes), email: customer.email, ...extra });
      if (chance(0.06)) {
        ev("bounce", 1);
        continue;
      }
      if (chance(0.05)) ev("deferred", 1);
      ev("delivered", 2);
      if (chance(0.2)) ev("open", 3, { machineOpen: true });
      const clickChance = variant === "b" ? 0.4 : 0.12;
      const opened = chance(0.45) || variant === "b";
      if (opened) {
        ev("open", 30);
        if (chance(0.3)) ev("open", 90); // the same person opens again
        if (chance(clickChance / 0.45 > 1 ? 1 : clickChance / 0.45)) {
          const source = pick(["complementary", "related", "best_seller", null]);
          const minutes = Math.floor(rng() * 6 * 24 * 60);
          ev("click", 31 + minutes, { url: `https://north-coast.example/products/p${i}?utm_source=afterglow${source ? `&ag_src=${source}` : ""}` });
          if (chance(0.3)) ev("click", 40 + minutes, { url: "https://north-coast.example/" });
        }
      }
      if (chance(0.02)) ev("spamreport", 200);
      if (chance(0.03)) ev(chance(0.5) ? "unsubscribe" : "group_unsubscribe", 100);
      if (chance(0.03)) pageUnsubscribes.push(fu.id);
    }
  }
  // Later orders by the same customers: some inside the window after a click, some just outside,
  // some using a follow-up's discount code long after.
  const clicks = evs.filter((e) => e.event === "click" && !fus.find((f) => f.id === e.followUpId)!.isTest);
  for (const [i, click] of clicks.entries()) {
    const fu = fus.find((f) => f.id === click.followUpId)!;
    const offset = i % 3 === 0 ? 5 * DAY + 60_000 : i % 3 === 1 ? 2 * 3600_000 : 4 * DAY + 23 * 3600_000;
    orders.push({
      id: randomUUID(),
      orderId: `gid://shopify/Order/${9000 + i}`,
      name: `#${9000 + i}`,
      customerId: i % 2 ? fu.customerId : `gid://shopify/Customer/guest-${i}`, // guests match by email
      email: fu.recipient,
      orderedAt: new Date(click.occurredAt.getTime() + offset),
      totalPriceShop: `${20 + (i % 7)}.25`,
      discountCodes: [],
      cancelled: i % 17 === 0,
    });
  }
  const coded = fus.filter((f) => f.discountCode && !f.isTest).slice(0, 6);
  for (const [i, fu] of coded.entries()) {
    orders.push({
      id: randomUUID(),
      orderId: `gid://shopify/Order/${9900 + i}`,
      name: `#${9900 + i}`,
      customerId: `gid://shopify/Customer/friend-${i}`,
      email: `friend${i}@shop.example`,
      orderedAt: new Date(fu.sentAt!.getTime() + (i % 2 ? 30 : 1) * DAY),
      totalPriceShop: "55.55",
      discountCodes: [i % 2 ? fu.discountCode!.toLowerCase() : fu.discountCode!],
      cancelled: false,
    });
  }

  await prisma.order.createMany({
    data: orders.map((o) => ({
      id: o.id,
      shop: SHOP,
      orderId: o.orderId,
      name: o.name,
      customerId: o.customerId,
      email: o.email,
      currency: "EUR",
      totalPrice: "1.00",
      shopCurrency: "USD",
      totalPriceShop: o.totalPriceShop,
      productIds: "[]",
      orderedAt: o.orderedAt,
      cancelledAt: o.cancelled ? o.orderedAt : null,
      discountCodes: o.discountCodes.length ? JSON.stringify(o.discountCodes) : null,
    })),
  });
  await prisma.followUp.createMany({
    data: fus.map((f) => ({
      id: f.id,
      shop: SHOP,
      orderRef: f.orderRef,
      orderId: orders.find((o) => o.id === f.orderRef)!.orderId,
      flowId: f.flowId,
      stepId: "step",
      stepKey: f.stepKey,
      template: "thank-you",
      variant: f.variant,
      isTest: f.isTest,
      discountCode: f.discountCode,
      recipient: f.recipient,
      status: f.status,
      skipReason: f.skipReason,
      lastError: f.status === "failed" ? "SendGrid refused it." : null,
      dueAt: f.dueAt,
      nextAttemptAt: f.dueAt,
      sentAt: f.sentAt,
    })),
  });
  await prisma.messageEvent.createMany({
    data: evs.map((e, i) => ({
      dedupeKey: `ev-${i}`,
      sgEventId: `sg-${i}`,
      shop: SHOP,
      followUpId: e.followUpId,
      event: e.event,
      email: e.email,
      machineOpen: e.machineOpen,
      occurredAt: e.occurredAt,
      detail: e.url ? JSON.stringify({ url: e.url }) : null,
    })),
  });
  await prisma.suppression.createMany({
    data: pageUnsubscribes.map((id) => ({ shop: SHOP, email: fus.find((f) => f.id === id)!.recipient, scope: "marketing", reason: "unsubscribed", source: id })),
  });

  // Another shop's history must never show up.
  const otherOrder = await prisma.order.create({
    data: { shop: OTHER, orderId: "gid://shopify/Order/1", name: "#1", currency: "EUR", totalPrice: "9.00", totalPriceShop: "9.00", productIds: "[]", orderedAt: new Date("2026-10-02T10:00:00Z"), email: "x@gmail.com" },
  });
  await prisma.followUp.create({
    data: { id: "other-fu", shop: OTHER, orderRef: otherOrder.id, orderId: otherOrder.orderId, flowId: flowA, stepId: "s", stepKey: "thanks", template: "thank-you", variant: "a", recipient: "x@gmail.com", status: "sent", dueAt: new Date("2026-10-02T11:00:00Z"), nextAttemptAt: new Date("2026-10-02T11:00:00Z"), sentAt: new Date("2026-10-02T11:00:00Z") },
  });
  await prisma.messageEvent.create({ data: { dedupeKey: "other-1", shop: OTHER, followUpId: "other-fu", event: "delivered", occurredAt: new Date("2026-10-02T11:01:00Z") } });
}

// ---------------------------------------------------------------------------------------------
// Counting here, from the arrays above

type Count = Record<string, number> & { skippedByReason: Record<string, number> };
const blank = (): Count =>
  ({ scheduled: 0, sent: 0, delivered: 0, opens: 0, machineOpens: 0, clicks: 0, bounces: 0, unsubscribes: 0, spamReports: 0, skipped: 0, failed: 0, skippedByReason: {} }) as unknown as Count;

let eventsByFollowUp: Map<string, Ev[]> | null = null;
function flagsOf(f: Fu) {
  if (!eventsByFollowUp) {
    eventsByFollowUp = new Map();
    for (const e of evs) eventsByFollowUp.set(e.followUpId, [...(eventsByFollowUp.get(e.followUpId) ?? []), e]);
  }
  const mine = eventsByFollowUp.get(f.id) ?? [];
  const has = (pred: (e: Ev) => boolean) => mine.some(pred);
  return {
    delivered: has((e) => e.event === "delivered"),
    opened: has((e) => e.event === "open" && !e.machineOpen),
    machineOpened: has((e) => e.event === "open" && e.machineOpen),
    clicked: has((e) => e.event === "click"),
    bounced: has((e) => e.event === "bounce"),
    spam: has((e) => e.event === "spamreport"),
    unsubscribed: has((e) => e.event === "unsubscribe" || e.event === "group_unsubscribe") || pageUnsubscribes.includes(f.id),
  };
}

function expectedCounts(filter: (f: Fu) => boolean, keyOf: (f: Fu) => string): Map<string, Count> {
  const out = new Map<string, Count>();
  for (const f of fus) {
    if (f.isTest || !filter(f)) continue;
    const k = keyOf(f);
    const c = out.get(k) ?? out.set(k, blank()).get(k)!;
    const fl = flagsOf(f);
    c.scheduled += 1;
    if (f.status === "sent") c.sent += 1;
    if (f.status === "failed") c.failed += 1;
    if (f.status === "skipped" || f.status === "cancelled") {
      c.skipped += 1;
      c.skippedByReason[f.skipCode!] = (c.skippedByReason[f.skipCode!] ?? 0) + 1;
    }
    c.delivered += +fl.delivered;
    c.opens += +fl.opened;
    c.machineOpens += +fl.machineOpened;
    c.clicks += +fl.clicked;
    c.bounces += +fl.bounced;
    c.spamReports += +fl.spam;
    c.unsubscribes += +fl.unsubscribed;
  }
  return out;
}

// Attribution as the README states it, by brute force.
let attributionMemo: Map<string, { fu: Fu; reason: string; revenue: string; order: Ord }> | null = null;
function expectedAttribution(windowDays = 5): Map<string, { fu: Fu; reason: string; revenue: string; order: Ord }> {
  if (attributionMemo) return attributionMemo;
  const fuById = new Map(fus.map((f) => [f.id, f]));
  const out = new Map<string, { fu: Fu; reason: string; revenue: string; order: Ord }>();
  for (const o of orders) {
    if (o.cancelled) continue;
    const codes = o.discountCodes.map((c) => c.toUpperCase());
    const byCode = fus
      .filter((f) => !f.isTest && f.discountCode && codes.includes(f.discountCode.toUpperCase()) && f.orderRef !== o.id)
      .sort((a, b) => b.sentAt!.getTime() - a.sentAt!.getTime());
    if (byCode.length) {
      out.set(o.id, { fu: byCode[0], reason: "discount", revenue: o.totalPriceShop, order: o });
      continue;
    }
    let best: { fu: Fu; at: number } | null = null;
    for (const e of evs) {
      if (e.event !== "click") continue;
      const f = fuById.get(e.followUpId)!;
      if (f.isTest || f.orderRef === o.id || f.status !== "sent") continue;
      if (f.customerId !== o.customerId && f.recipient !== o.email) continue;
      const at = e.occurredAt.getTime();
      if (at > o.orderedAt.getTime() || at < o.orderedAt.getTime() - windowDays * DAY) continue;
      if (!best || at > best.at) best = { fu: f, at };
    }
    if (best) out.set(o.id, { fu: best.fu, reason: "click", revenue: o.totalPriceShop, order: o });
  }
  attributionMemo = out;
  return out;
}

const cents = (amount: string) => Math.round(Number(amount) * 100);
const money = (c: number) => (c / 100).toFixed(2);
const inRange = (at: Date) => localDay(at) >= FROM && localDay(at) <= TO;

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  for (const shop of [SHOP, OTHER]) {
    await storeOfflineToken({ prisma, shop, accessToken: `shpat_${randomUUID().replace(/-/g, "")}`, scope: "read_orders" });
  }
  await buildHistory();
  await runAnalyticsJobs({ prisma, logger: createLogger({}, { write: () => {} }) });
}, 120_000);

afterAll(async () => {
  await ctx.cleanup();
});

describe("the dashboard", () => {
  it("shows per step and variant exactly what the follow-ups and events add up to", async () => {
    const d = await page(SHOP);
    expect(d.range).toEqual({ from: FROM, to: TO });
    const expected = expectedCounts((f) => inRange(f.dueAt), (f) => `${f.flowId}/${f.stepKey}/${f.variant ?? ""}`);
    const attributions = [...expectedAttribution().values()].filter((a) => inRange(a.order.orderedAt));
    expect(d.steps.map((s) => `${s.flowId}/${s.stepKey}/${s.variant}`).sort()).toEqual([...expected.keys()].sort());
    for (const row of d.steps) {
      const key = `${row.flowId}/${row.stepKey}/${row.variant}`;
      const want = expected.get(key)!;
      expect(row.counters, key).toEqual(want);
      expect(row.rates.openRate).toBeCloseTo(want.delivered ? want.opens / want.delivered : NaN, 12);
      expect(row.rates.clickRate).toBeCloseTo(want.delivered ? want.clicks / want.delivered : NaN, 12);
      expect(row.rates.bounceRate).toBeCloseTo(want.sent ? want.bounces / want.sent : NaN, 12);
      const mine = attributions.filter((a) => `${a.fu.flowId}/${a.fu.stepKey}/${a.fu.variant ?? ""}` === key);
      expect(row.orders, key).toBe(mine.length);
      expect(row.revenue, key).toBe(money(mine.reduce((s, a) => s + cents(a.revenue), 0)));
      expect(row.flowName).toBe(row.flowId === flowA ? "Thank you" : "Review request");
      // Steps by the editor's name, never by their key.
      expect(row.stepName).toBe({ thanks: "Step 1 · Thank you + recommendations", later: "Step 2 · Thank you + recommendations", review: "Step 1 · Thank you + recommendations" }[row.stepKey]);
    }
    // The history is rich enough to test something.
    const all = [...expected.values()];
    for (const k of ["sent", "delivered", "opens", "machineOpens", "clicks", "bounces", "unsubscribes", "spamReports", "skipped", "failed"]) {
      expect(all.reduce((s, c) => s + c[k], 0), k).toBeGreaterThan(0);
    }
    expect(attributions.some((a) => a.reason === "discount")).toBe(true);
    expect(attributions.length).toBeGreaterThan(10);

    const totals = blank();
    for (const c of all) for (const k of Object.keys(c)) if (k !== "skippedByReason") totals[k] += c[k];
    for (const k of Object.keys(totals)) if (k !== "skippedByReason") expect(d.totals.counters[k as "sent"], k).toBe(totals[k]);
    expect(d.totals.orders).toBe(attributions.length);
    expect(d.totals.revenue).toBe(money(attributions.reduce((s, a) => s + cents(a.revenue), 0)));
  });

  it("draws each day's sends, opens, clicks and revenue, and each flow's funnel", async () => {
    const d = await page(SHOP);
    const byDay = expectedCounts((f) => inRange(f.dueAt), (f) => localDay(f.dueAt));
    const attributions = [...expectedAttribution().values()];
    expect(d.series.map((s) => s.day)).toEqual(Array.from({ length: 12 }, (_, i) => `2026-10-${String(i + 1).padStart(2, "0")}`));
    for (const s of d.series) {
      const c = byDay.get(s.day) ?? blank();
      expect([s.sent, s.opens, s.clicks], s.day).toEqual([c.sent, c.opens, c.clicks]);
      const rev = attributions.filter((a) => localDay(a.order.orderedAt) === s.day).reduce((t, a) => t + cents(a.revenue), 0);
      expect(s.revenue, s.day).toBe(money(rev));
    }
    const byFlow = expectedCounts((f) => inRange(f.dueAt), (f) => f.flowId);
    for (const funnel of d.funnels) {
      const c = byFlow.get(funnel.flowId)!;
      const ordered = attributions.filter((a) => a.fu.flowId === funnel.flowId && inRange(a.order.orderedAt)).length;
      expect(funnel.stages).toEqual([
        { stage: "Scheduled", count: c.scheduled },
        { stage: "Sent", count: c.sent },
        { stage: "Delivered", count: c.delivered },
        { stage: "Opened", count: c.opens },
        { stage: "Clicked", count: c.clicks },
        { stage: "Ordered", count: ordered },
      ]);
    }
    expect(d.funnels.map((f) => f.flowName).sort()).toEqual(["Review request", "Thank you"]);
  });

  it("counts a narrower range, and keeps other shops out", async () => {
    const d = await page(SHOP, { from: "2026-10-03", to: "2026-10-04" });
    const want = expectedCounts((f) => localDay(f.dueAt) >= "2026-10-03" && localDay(f.dueAt) <= "2026-10-04", () => "all").get("all")!;
    expect(d.totals.counters.sent).toBe(want.sent);
    expect(d.totals.counters.clicks).toBe(want.clicks);
    const other = await page(OTHER);
    expect(other.totals.counters).toMatchObject({ scheduled: 1, sent: 1, delivered: 1 });
    expect(JSON.stringify(other)).not.toContain("north-coast");
  });

  it("judges the A/B test with the z-test named, and promotes the winner (audited)", async () => {
    const d = await page(SHOP, { from: "2026-01-01", to: "2026-12-31" });
    expect(d.abTests).toHaveLength(1);
    const ab = d.abTests[0];
    const counts = expectedCounts(() => true, (f) => `${f.stepKey}/${f.variant ?? ""}`);
    expect(ab.variants.map((v) => [v.key, v.trials, v.successes])).toEqual([
      ["a", counts.get("thanks/a")!.delivered, counts.get("thanks/a")!.clicks],
      ["b", counts.get("thanks/b")!.delivered, counts.get("thanks/b")!.clicks],
    ]);
    expect(ab.test).toMatch(/two-proportion z-test/);
    expect(ab).toMatchObject({ status: "winner", winner: "b", promotable: true });

    expect((await post(SHOP, { intent: "promote", flowId: flowA, stepKey: "thanks", variant: "a" })).status).toBe(409);
    expect((await post(OTHER, { intent: "promote", flowId: flowA, stepKey: "thanks", variant: "b" })).status).toBe(409);
    const promoted = await post(SHOP, { intent: "promote", flowId: flowA, stepKey: "thanks", variant: "b" });
    expect(promoted).toMatchObject({ status: 200, body: { ok: true } });
    const step = await prisma.flowStep.findUniqueOrThrow({ where: { id: stepThanksId } });
    expect(step).toMatchObject({ subject: "Something for you, {{customer.first_name}}", previewText: "Picked for you", variants: null });
    const [entry] = await listAudit(prisma, SHOP, { action: "ab_test.promoted" });
    expect(entry).toMatchObject({ actor: "staff", detail: { flowId: flowA, stepKey: "thanks", variant: "b", testId: "subject-test" } });
    expect((await page(SHOP, { from: "2026-01-01", to: "2026-12-31" })).abTests[0].promotable).toBe(false);
  });

  it("shows what the recommendation engine learned per source", async () => {
    const d = await page(SHOP);
    for (const source of ["complementary", "related", "best_seller"]) {
      const clicked = new Set(
        evs
          .filter((e) => e.event === "click" && e.url?.includes(`ag_src=${source}`) && !fus.find((f) => f.id === e.followUpId)!.isTest)
          .map((e) => e.followUpId),
      );
      const s = d.sources.find((x) => x.source === source)!;
      expect(s.clicks, source).toBe(clicked.size);
    }
    expect(d.sources.reduce((t, s) => t + s.weight, 0)).toBeCloseTo(1, 9);
  });
});

describe("the CSV exports", () => {
  it("gives one metrics line per day, step and variant, every cell as counted here", async () => {
    const res = await exportCsv(SHOP, "metrics");
    expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("Content-Disposition")).toBe(`attachment; filename="afterglow-metrics-north-coast-${FROM}-${TO}.csv"`);
    const rows = parseCsv(await res.text());
    const expected = expectedCounts((f) => inRange(f.dueAt), (f) => `${localDay(f.dueAt)}|${f.flowId}|${f.stepKey}|${f.variant ?? ""}`);
    const attributions = [...expectedAttribution().values()].filter((a) => inRange(a.order.orderedAt));
    const attributedKeys = new Set(attributions.map((a) => `${localDay(a.order.orderedAt)}|${a.fu.flowId}|${a.fu.stepKey}|${a.fu.variant ?? ""}`));
    expect(rows.map((r) => `${r.day}|${r.flow_id}|${r.step}|${r.variant}`).sort()).toEqual([...new Set([...expected.keys(), ...attributedKeys])].sort());
    const rate = (n: number, d: number) => (d ? (n / d).toFixed(4) : "");
    for (const r of rows) {
      const key = `${r.day}|${r.flow_id}|${r.step}|${r.variant}`;
      const c = expected.get(key) ?? blank();
      const mine = attributions.filter((a) => `${localDay(a.order.orderedAt)}|${a.fu.flowId}|${a.fu.stepKey}|${a.fu.variant ?? ""}` === key);
      expect(r, key).toEqual({
        day: r.day,
        flow: r.flow_id === flowA ? "Thank you" : "Review request",
        flow_id: r.flow_id,
        step: r.step,
        variant: r.variant,
        scheduled: String(c.scheduled),
        sent: String(c.sent),
        delivered: String(c.delivered),
        opens: String(c.opens),
        machine_opens: String(c.machineOpens),
        clicks: String(c.clicks),
        bounces: String(c.bounces),
        unsubscribes: String(c.unsubscribes),
        spam_reports: String(c.spamReports),
        skipped: String(c.skipped),
        failed: String(c.failed),
        skipped_by_reason: Object.entries(c.skippedByReason).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}:${v}`).join(" "),
        delivery_rate: rate(c.delivered, c.sent),
        open_rate: rate(c.opens, c.delivered),
        click_rate: rate(c.clicks, c.delivered),
        bounce_rate: rate(c.bounces, c.sent),
        unsubscribe_rate: rate(c.unsubscribes, c.delivered),
        spam_rate: rate(c.spamReports, c.delivered),
        orders: String(mine.length),
        revenue: money(mine.reduce((s, a) => s + cents(a.revenue), 0)),
        currency: "USD",
      });
    }
    const [entry] = await listAudit(prisma, SHOP, { action: "analytics.metrics_exported" });
    expect(entry.detail).toEqual({ rows: rows.length, from: FROM, to: TO });
  });

  it("gives one line per follow-up due in the range (no test sends), every cell as recorded here", async () => {
    const rows = parseCsv(await (await exportCsv(SHOP, "messages")).text());
    const want = fus.filter((f) => !f.isTest && inRange(f.dueAt));
    expect(rows.map((r) => r.follow_up_id).sort()).toEqual(want.map((f) => f.id).sort());
    const attributions = [...expectedAttribution().values()];
    for (const r of rows) {
      const f = fus.find((x) => x.id === r.follow_up_id)!;
      const fl = flagsOf(f);
      const mine = attributions.filter((a) => a.fu.id === f.id);
      expect(r, f.id).toEqual({
        follow_up_id: f.id,
        order: f.orderName,
        flow: f.flowName,
        step: f.stepKey,
        variant: f.variant ?? "",
        recipient: f.recipient,
        status: f.status,
        skip_reason: f.skipCode ?? "",
        due_at: f.dueAt.toISOString(),
        sent_at: f.sentAt?.toISOString() ?? "",
        delivered: fl.delivered ? "1" : "0",
        opened: fl.opened ? "1" : "0",
        machine_opened: fl.machineOpened ? "1" : "0",
        clicked: fl.clicked ? "1" : "0",
        bounced: fl.bounced ? "1" : "0",
        unsubscribed: fl.unsubscribed ? "1" : "0",
        spam_report: fl.spam ? "1" : "0",
        attributed_orders: String(mine.length),
        attributed_revenue: money(mine.reduce((s, a) => s + cents(a.revenue), 0)),
      });
    }
    expect((await exportCsv(SHOP, "everything")).status).toBe(404);
    const other = parseCsv(await (await exportCsv(OTHER, "messages")).text());
    expect(other.map((r) => r.follow_up_id)).toEqual(["other-fu"]);
  });
});

describe("the worker's rollup", () => {
  it("gives the same numbers when run again, and picks up a late event and a late click", async () => {
    const before = await prisma.dailyStat.findMany({ orderBy: { id: "asc" }, select: { shop: true, day: true, flowId: true, stepKey: true, variant: true, sent: true, opens: true, clicks: true } });
    await runAnalyticsJobs({ prisma, logger: createLogger({}, { write: () => {} }) });
    const again = await prisma.dailyStat.findMany({ orderBy: { id: "asc" }, select: { shop: true, day: true, flowId: true, stepKey: true, variant: true, sent: true, opens: true, clicks: true } });
    const sortKey = (r: (typeof before)[number]) => `${r.shop}|${r.day}|${r.flowId}|${r.stepKey}|${r.variant}`;
    expect(again.sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual(before.sort((a, b) => sortKey(a).localeCompare(sortKey(b))));

    // A follow-up nobody clicked gets a click now (SendGrid posts late), after an order that
    // the same customer placed a day after the click.
    const target = fus.find((f) => f.status === "sent" && !f.isTest && inRange(f.dueAt) && !flagsOf(f).clicked && !flagsOf(f).bounced)!;
    const clickAt = new Date(target.sentAt!.getTime() + 3600_000);
    const order = await prisma.order.create({
      data: { shop: SHOP, orderId: "gid://shopify/Order/late", name: "#late", customerId: target.customerId, email: target.recipient, currency: "USD", totalPrice: "77.00", totalPriceShop: "77.00", productIds: "[]", orderedAt: new Date(clickAt.getTime() + DAY) },
    });
    await runAnalyticsJobs({ prisma, logger: createLogger({}, { write: () => {} }) });
    const noClick = await prisma.attribution.findUnique({ where: { orderRef: order.id } });
    // Another follow-up of the customer may have been clicked before; then it is credited.
    expect(noClick?.followUpId ?? null).not.toBe(target.id);

    const day = localDay(target.dueAt);
    const key = { shop: SHOP, day, flowId: target.flowId, stepKey: target.stepKey, variant: target.variant ?? "" };
    const was = await prisma.dailyStat.findFirstOrThrow({ where: key });
    await prisma.messageEvent.create({
      data: { dedupeKey: "late-click", shop: SHOP, followUpId: target.id, event: "click", email: target.recipient, occurredAt: clickAt, detail: JSON.stringify({ url: "https://north-coast.example/p?ag_src=related" }) },
    });
    await runAnalyticsJobs({ prisma, logger: createLogger({}, { write: () => {} }) });
    expect((await prisma.dailyStat.findFirstOrThrow({ where: key })).clicks).toBe(was.clicks + 1);
    expect(await prisma.attribution.findUniqueOrThrow({ where: { orderRef: order.id } })).toMatchObject({ followUpId: target.id, reason: "click", revenue: "77.00", source: "related" });
  }, 180_000);
});

describe("deliverability health", () => {
  const SICK = "sick-store.myshopify.com";
  it("pauses a shop above Gmail's spam line, holds its follow-ups, and resumes when the merchant acts (audited)", async () => {
    await storeOfflineToken({ prisma, shop: SICK, accessToken: "shpat_sick", scope: "read_orders" });
    await prisma.shop.upsert({ where: { domain: SICK }, create: { domain: SICK, email: "owner@sick.example" }, update: { email: "owner@sick.example" } });
    const now = new Date();
    const recent = (i: number) => new Date(now.getTime() - 3600_000 - i * 1000);
    const emails = (i: number) => `p${i}@${["gmail.com", "outlook.com", "yahoo.com", "shop.example"][i % 4]}`;
    await prisma.messageEvent.createMany({
      data: [
        ...Array.from({ length: 1200 }, (_, i) => ({ dedupeKey: `sick-d-${i}`, shop: SICK, event: "delivered", email: emails(i), occurredAt: recent(i) })),
        ...Array.from({ length: 4 }, (_, i) => ({ dedupeKey: `sick-s-${i}`, shop: SICK, event: "spamreport", email: emails(i), occurredAt: recent(i) })),
        ...Array.from({ length: 9 }, (_, i) => ({ dedupeKey: `sick-df-${i}`, shop: SICK, event: "deferred", email: emails(i), occurredAt: recent(i) })),
      ],
    });
    const lines: string[] = [];
    await runAnalyticsJobs({ prisma, logger: createLogger({}, { write: (l) => lines.push(l) }) });
    const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: SICK } });
    expect(shop.sendingPausedAt).not.toBeNull();
    expect(shop.sendingPausedReason).toMatch(/Spam complaints reached 0\.33%.*Gmail's 0\.30%/);
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ level: "error", msg: "deliverability alert", shop: SICK }));
    const d = await page(SICK);
    expect(d.health).toMatchObject({ level: "paused", window: { delivered: 1200, spamReports: 4, sent: 1200 }, deferralsByProvider: { gmail: 3, outlook: 2, yahoo: 2, other: 2 } });
    expect(d.sending.pausedReason).toBe(shop.sendingPausedReason);
    // Alerts once per crossing, not on every run.
    lines.length = 0;
    await runAnalyticsJobs({ prisma, logger: createLogger({}, { write: (l) => lines.push(l) }) });
    expect(lines.filter((l) => l.includes("deliverability alert"))).toEqual([]);

    // The dispatcher holds the shop's due follow-ups without using an attempt.
    const order = await prisma.order.create({ data: { shop: SICK, orderId: "gid://shopify/Order/s1", name: "#s1", currency: "USD", totalPrice: "5.00", productIds: "[]", orderedAt: now } });
    const flow = await prisma.flow.create({ data: { shop: SICK, key: "f", name: "F", trigger: "order_created", steps: { create: [{ key: "s", position: 0, delayAmount: 1, delayUnit: "hours", template: "thank-you", subject: "Hi" }] } }, include: { steps: true } });
    const fu = await prisma.followUp.create({ data: { shop: SICK, orderRef: order.id, orderId: order.orderId, flowId: flow.id, stepId: flow.steps[0].id, stepKey: "s", template: "thank-you", category: "service", recipient: "p1@gmail.com", dueAt: now, nextAttemptAt: now } });
    // The history's own scheduled follow-ups are not what this is about.
    await prisma.followUp.updateMany({ where: { shop: SHOP, status: "scheduled" }, data: { nextAttemptAt: new Date("2099-01-01T00:00:00Z") } });
    const dispatcher = createDispatcher({ prisma, transport: createOutboxTransport(prisma), recommend: async () => [], render: async (req) => renderFollowUp(await prepareFollowUp(req)), logger: createLogger({}, { write: () => {} }) });
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, sent: 0, retried: 1 });
    const held = await prisma.followUp.findUniqueOrThrow({ where: { id: fu.id } });
    expect(held).toMatchObject({ status: "scheduled", attempts: 0, lastError: expect.stringMatching(/^Held: sending is paused/) });
    expect(held.nextAttemptAt.getTime()).toBeGreaterThan(now.getTime() + 10 * 60_000);
    expect(await prisma.outboxMessage.count({ where: { shop: SICK } })).toBe(0);

    expect(await post(SICK, { intent: "resume" })).toMatchObject({ status: 200, body: { ok: true } });
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: SICK } })).sendingPausedAt).toBeNull();
    expect((await listAudit(prisma, SICK)).map((e) => [e.action, e.actor])).toEqual([
      ["sending.resumed", "staff"],
      ["sending.paused", "system"],
    ]);
    // The mail that caused the pause does not pause it again; the warning stays.
    await runAnalyticsJobs({ prisma, logger: createLogger({}, { write: () => {} }) });
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: SICK } })).sendingPausedAt).toBeNull();
    expect((await page(SICK)).health?.level).toBe("warning");
    await prisma.followUp.update({ where: { id: fu.id }, data: { nextAttemptAt: now } });
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 1 });
    expect((await post(SICK, { intent: "resume" })).status).toBe(409);
  }, 180_000);

  it("saves attribution and test settings with validation, audited", async () => {
    expect((await post(SHOP, { intent: "settings", attributionWindowDays: "0" })).status).toBe(400);
    const ok = await post(SHOP, { intent: "settings", attributionWindowDays: "7", attributionCountsOpens: "true", abAutoPromote: "false" });
    expect(ok.status).toBe(200);
    expect(await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).toMatchObject({ attributionWindowDays: 7, attributionCountsOpens: true, abAutoPromote: false });
    const [entry] = await listAudit(prisma, SHOP, { action: "analytics.settings_changed" });
    expect(entry.detail).toEqual({ attributionWindowDays: 7, attributionCountsOpens: true, abAutoPromote: false });
    expect((await post(SHOP, { intent: "nope" })).status).toBe(400);
  });
});
