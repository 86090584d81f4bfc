// The analytics rules as plain modules: counters and rates, days in the shop's time zone, money,
// attribution, the A/B significance test, the recommendation bandit and deliverability health.
import { describe, expect, it } from "vitest";
import {
  addCounters,
  dayBounds,
  dayOf,
  emptyCounters,
  parseMoney,
  rates,
  recommendationSourceOfUrl,
  skipCodeOf,
  skipReasonCode,
  stepName,
  sumMoney,
} from "~/domain/analytics";
import { attributeOrder, parseDiscountCodes, revenueInShopCurrency, type Touch } from "~/domain/attribution";
import { abResults, normalCdf, twoProportionZTest } from "~/domain/ab-results";
import { orderSources, sampleBeta, seededRng, sourcePreferences } from "~/domain/bandit";
import { assessHealth, providerOf } from "~/domain/deliverability-health";
import { describeSkipReason, SKIP_REASON_CODES, skipRecord, type SkipReason } from "~/domain/skip-reasons";
import { pickRecommendations } from "~/domain/recommendations";
import type { CandidateProduct } from "~/domain/recommendations.types";

describe("stepName", () => {
  it("names a step by its place and template, as the flow editor does", () => {
    expect(stepName({ position: 0, template: "thank-you" })).toBe("Step 1 · Thank you + recommendations");
    expect(stepName({ position: 2, template: "review-request" })).toBe("Step 3 · Review request");
    expect(stepName({ position: 1, template: "retired-template" })).toBe("Step 2 · retired-template");
  });
});

describe("counters and rates", () => {
  it("adds counters and reasons, and rates over the right denominators", () => {
    const a = { ...emptyCounters(), sent: 10, delivered: 8, opens: 4, clicks: 2, bounces: 1, spamReports: 1, unsubscribes: 2, skipped: 1, skippedByReason: { frequency_cap: 1 } };
    const b = { ...emptyCounters(), sent: 10, delivered: 10, opens: 1, clicks: 1, skipped: 2, skippedByReason: { frequency_cap: 1, no_email: 1 } };
    const sum = addCounters(emptyCounters(), a);
    addCounters(sum, b);
    expect(sum).toMatchObject({ sent: 20, delivered: 18, opens: 5, clicks: 3, skipped: 3, skippedByReason: { frequency_cap: 2, no_email: 1 } });
    expect(rates(sum)).toEqual({
      deliveryRate: 18 / 20,
      openRate: 5 / 18,
      clickRate: 3 / 18,
      clickToOpenRate: 3 / 5,
      bounceRate: 1 / 20,
      unsubscribeRate: 2 / 18,
      spamRate: 1 / 18,
    });
    expect(rates(emptyCounters()).openRate).toBeNull();
  });

  it("reads a skip reason's code from the JSON record or from the sentence", () => {
    const cap = { code: "frequency_cap", maxSends: 1, periodHours: 16, sentInPeriod: 1, nextAllowedAt: new Date("2026-10-02T10:00:00Z") } as const;
    expect(skipReasonCode(JSON.stringify(skipRecord(cap)))).toBe("frequency_cap");
    expect(skipReasonCode(describeSkipReason(cap))).toBe("frequency_cap");
    expect(skipReasonCode(describeSkipReason({ code: "no_marketing_consent", consentState: "NOT_SUBSCRIBED" }))).toBe("no_marketing_consent");
    expect(skipReasonCode(describeSkipReason({ code: "suppressed", suppression: "hard_bounce", scope: "all" }))).toBe("suppressed");
    expect(skipReasonCode(describeSkipReason({ code: "flow_turned_off", flowName: "Thanks" }))).toBe("flow_turned_off");
    expect(skipReasonCode("The order was cancelled before its follow-ups were scheduled.")).toBe("order_cancelled");
    expect(skipReasonCode("something new")).toBe("other");
    expect(skipReasonCode(null)).toBe("other");
    // The stored code wins; only follow-ups written before it existed are read from the sentence.
    expect(skipCodeOf({ skipCode: "frequency_cap", skipReason: "Cancelled by the merchant." })).toBe("frequency_cap");
    expect(skipCodeOf({ skipCode: null, skipReason: describeSkipReason({ code: "no_email" }) })).toBe("no_email");
  });

  it("reads every catalogued reason's sentence as its own code", () => {
    const samples: Record<string, SkipReason> = {
      order_cancelled: { code: "order_cancelled" },
      order_refunded: { code: "order_refunded" },
      ordered_again: { code: "ordered_again", orderedAt: new Date() },
      unsubscribed: { code: "unsubscribed", scope: "all", source: "suppression" },
      suppressed: { code: "suppressed", suppression: "hard_bounce", scope: "all" },
      no_marketing_consent: { code: "no_marketing_consent", consentState: "NOT_SUBSCRIBED" },
      service_emails_blocked: { code: "service_emails_blocked" },
      frequency_cap: { code: "frequency_cap", maxSends: 1, periodHours: 16, sentInPeriod: 1, nextAllowedAt: new Date() },
      conditions_not_met: { code: "conditions_not_met", failed: ["Total is under 50."] },
      step_conditions_not_met: { code: "step_conditions_not_met", failed: ["Previous step: the customer opened it."] },
      review_already_requested: { code: "review_already_requested", askedRecently: [], alreadyReviewed: ["Olive Board"], reaskDays: 365 },
      no_email: { code: "no_email" },
      app_uninstalled: { code: "app_uninstalled" },
      sending_disabled: { code: "sending_disabled" },
      flow_turned_off: { code: "flow_turned_off", flowName: "Thank you" },
      step_deleted: { code: "step_deleted" },
    };
    for (const [code, reason] of Object.entries(samples)) expect(skipReasonCode(describeSkipReason(reason))).toBe(code);
    expect(SKIP_REASON_CODES.filter((c) => !(c in samples)).sort()).toEqual(["not_applicable", "outside_send_window", "plan_limit", "send_failed"]);
    expect(skipReasonCode("The customer no longer exists in Shopify.")).toBe("other");
  });

  it("puts a follow-up on its due day in the shop's time zone, across DST", () => {
    expect(dayOf(new Date("2026-10-01T23:30:00Z"), "Europe/Warsaw")).toBe("2026-10-02");
    expect(dayOf(new Date("2026-10-01T23:30:00Z"), "America/New_York")).toBe("2026-10-01");
    expect(dayOf(new Date("2026-10-01T23:30:00Z"), "Not/AZone")).toBe("2026-10-01");
    const { start, end } = dayBounds("2026-10-25", "Europe/Warsaw"); // clocks go back: 25 hours
    expect(start.toISOString()).toBe("2026-10-24T22:00:00.000Z");
    expect(end.getTime() - start.getTime()).toBe(25 * 3600_000);
  });

  it("sums money exactly", () => {
    expect(sumMoney(["0.10", "0.20", "19.99", "1", "0.005"])).toBe("21.295");
    expect(sumMoney([])).toBe("0.00");
    expect(parseMoney("abc")).toBe(0n);
  });

  it("reads the recommendation source from a product link", () => {
    expect(recommendationSourceOfUrl("https://shop.example/products/a?utm_source=afterglow&ag_src=related")).toBe("related");
    expect(recommendationSourceOfUrl("https://shop.example/")).toBeNull();
    expect(recommendationSourceOfUrl("not a url")).toBeNull();
  });
});

describe("attribution", () => {
  const orderedAt = new Date("2026-10-10T12:00:00Z");
  const order = { ref: "order-2", orderedAt, discountCodes: [] as string[] };
  const day = 24 * 3600_000;
  const touch = (over: Partial<Touch>): Touch => ({ followUpId: "f1", orderRef: "order-1", kind: "click", at: new Date(orderedAt.getTime() - day), ...over });

  it("credits the last click within the window", () => {
    const d = attributeOrder({
      order,
      touches: [touch({ followUpId: "early", at: new Date(orderedAt.getTime() - 3 * day) }), touch({ followUpId: "late", at: new Date(orderedAt.getTime() - 3600_000), source: "related" })],
    });
    expect(d).toEqual({ followUpId: "late", reason: "click", touchedAt: new Date(orderedAt.getTime() - 3600_000), source: "related" });
  });

  it("includes the window's first instant and the order's instant, nothing outside", () => {
    expect(attributeOrder({ order, touches: [touch({ at: new Date(orderedAt.getTime() - 5 * day) })] })?.followUpId).toBe("f1");
    expect(attributeOrder({ order, touches: [touch({ at: new Date(orderedAt.getTime() - 5 * day - 1) })] })).toBeNull();
    expect(attributeOrder({ order, touches: [touch({ at: orderedAt })] })?.followUpId).toBe("f1");
    expect(attributeOrder({ order, touches: [touch({ at: new Date(orderedAt.getTime() + 1) })] })).toBeNull();
    expect(attributeOrder({ order, windowDays: 2, touches: [touch({ at: new Date(orderedAt.getTime() - 3 * day) })] })).toBeNull();
  });

  it("counts opens only when the shop says so, and prefers a click at the same instant", () => {
    const open = touch({ followUpId: "opened", kind: "open", at: new Date(orderedAt.getTime() - 1000) });
    const click = touch({ followUpId: "clicked", at: new Date(orderedAt.getTime() - 2000) });
    expect(attributeOrder({ order, touches: [open, click] })?.followUpId).toBe("clicked");
    expect(attributeOrder({ order, touches: [open, click], countsOpens: true })).toMatchObject({ followUpId: "opened", reason: "open", source: null });
    const same = touch({ followUpId: "same", at: open.at });
    expect(attributeOrder({ order, touches: [open, same], countsOpens: true })?.followUpId).toBe("same");
  });

  it("never credits the order that triggered the follow-up", () => {
    expect(attributeOrder({ order, touches: [touch({ orderRef: "order-2" })] })).toBeNull();
    expect(
      attributeOrder({ order: { ...order, discountCodes: ["THANKS-1"] }, touches: [], discountFollowUps: [{ followUpId: "f", orderRef: "order-2", discountCode: "THANKS-1", sentAt: null }] }),
    ).toBeNull();
  });

  it("credits the discount code's follow-up whatever the window, before any click", () => {
    const d = attributeOrder({
      order: { ...order, discountCodes: ["thanks-abc"] },
      touches: [touch({ followUpId: "clicked" })],
      discountFollowUps: [{ followUpId: "coded", orderRef: "order-0", discountCode: "THANKS-ABC", sentAt: new Date(orderedAt.getTime() - 90 * day) }],
    });
    expect(d).toEqual({ followUpId: "coded", reason: "discount", touchedAt: null, source: null });
  });

  it("takes revenue in the shop's currency and reads discount codes in both shapes", () => {
    expect(revenueInShopCurrency({ totalPriceShop: "40.00", totalPrice: "45.00", currency: "EUR", shopCurrency: "USD" }, "USD")).toEqual({ amount: "40.00", currency: "USD" });
    expect(revenueInShopCurrency({ totalPriceShop: null, totalPrice: "45.00", currency: "usd", shopCurrency: null }, "USD")).toEqual({ amount: "45.00", currency: "USD" });
    expect(revenueInShopCurrency({ totalPriceShop: null, totalPrice: "45.00", currency: "EUR", shopCurrency: null }, "USD")).toBeNull();
    expect(parseDiscountCodes('["A",{"code":"B"}]')).toEqual(["A", "B"]);
    expect(parseDiscountCodes("nope")).toEqual([]);
  });
});

describe("A/B results", () => {
  it("computes the pooled z statistic and its two-sided p-value", () => {
    // 60/500 against 30/500: p = 0.09, se = sqrt(0.09*0.91*(2/500)) = 0.018100
    const t = twoProportionZTest({ key: "a", trials: 500, successes: 60 }, { key: "b", trials: 500, successes: 30 });
    expect(t.z).toBeCloseTo(0.06 / Math.sqrt(0.09 * 0.91 * 0.004), 6);
    expect(t.pValue).toBeCloseTo(2 * (1 - normalCdf(t.z)), 9);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 5);
  });

  it("declares a winner only when significant and every variant has the minimum sample", () => {
    expect(abResults({ variants: [{ key: "a", trials: 500, successes: 60 }, { key: "b", trials: 500, successes: 30 }] })).toMatchObject({ status: "winner", winner: "a" });
    expect(abResults({ variants: [{ key: "a", trials: 500, successes: 40 }, { key: "b", trials: 500, successes: 33 }] })).toMatchObject({ status: "no_difference_yet", winner: null, leader: "a" });
    expect(abResults({ variants: [{ key: "a", trials: 99, successes: 60 }, { key: "b", trials: 500, successes: 3 }] })).toMatchObject({ status: "collecting", winner: null });
    // Three variants: the leader must beat both.
    const three = abResults({ variants: [{ key: "a", trials: 500, successes: 60 }, { key: "b", trials: 500, successes: 55 }, { key: "c", trials: 500, successes: 10 }] });
    expect(three).toMatchObject({ status: "no_difference_yet", leader: "a" });
  });
});

describe("recommendation bandit", () => {
  it("samples Beta draws with the right mean", () => {
    const rng = seededRng(7);
    let sum = 0;
    for (let i = 0; i < 4000; i++) sum += sampleBeta(3, 7, rng);
    expect(sum / 4000).toBeCloseTo(0.3, 1);
  });

  it("learns which source works, keeps an exploration floor, and is repeatable with a seed", () => {
    const stats = [
      { source: "complementary", impressions: 1000, clicks: 20 },
      { source: "related", impressions: 1000, clicks: 80 },
      { source: "best_seller", impressions: 1000, clicks: 40 },
    ];
    const prefs = sourcePreferences({ stats, rng: seededRng(1) });
    const by = Object.fromEntries(prefs.map((p) => [p.source, p]));
    expect(by.related.weight).toBeGreaterThan(0.9);
    expect(by.complementary.weight).toBeGreaterThanOrEqual(0.1 / 3 - 1e-12);
    expect(prefs.reduce((s, p) => s + p.weight, 0)).toBeCloseTo(1, 12);
    expect(sourcePreferences({ stats, rng: seededRng(1) })).toEqual(prefs);

    // Over many emails, each source still leads now and then (the floor), the best one mostly.
    const rng = seededRng(2);
    const firsts: Record<string, number> = {};
    for (let i = 0; i < 3000; i++) {
      const order = orderSources({ preferences: prefs, rng });
      expect([...order].sort()).toEqual(["best_seller", "complementary", "related"]);
      firsts[order[0]] = (firsts[order[0]] ?? 0) + 1;
    }
    expect(firsts.related).toBeGreaterThan(2500);
    expect(firsts.complementary).toBeGreaterThan(50);
  });

  it("lets the learned order decide which source fills the email first", () => {
    const product = (id: number): CandidateProduct => ({
      id: `gid://shopify/Product/${id}`,
      title: `P${id}`,
      handle: `p${id}`,
      status: "ACTIVE",
      onlineStoreUrl: `https://shop.example/products/p${id}`,
      imageUrl: null,
      imageAlt: null,
      price: { amount: "10.00", currencyCode: "USD" },
      availableForSale: true,
      totalInventory: 5,
      tracksInventory: true,
    });
    const input = { purchasedProductIds: ["1"], complementary: [product(2), product(3)], related: [product(4), product(5)], bestSellers: [product(6)], limit: 3 };
    expect(pickRecommendations(input).map((p) => p.source)).toEqual(["complementary", "complementary", "related"]);
    expect(pickRecommendations({ ...input, sourceOrder: ["best_seller", "related"] }).map((p) => [p.source, p.id.slice(-1)])).toEqual([
      ["best_seller", "6"],
      ["related", "4"],
      ["related", "5"],
    ]);
  });

  it("treats a shop with no data evenly, and includes sources it has never heard of", () => {
    const prefs = sourcePreferences({ stats: [{ source: "new_source", impressions: 0, clicks: 0 }], rng: seededRng(3) });
    expect(prefs.map((p) => p.source)).toEqual(["complementary", "related", "best_seller", "new_source"]);
    for (const p of prefs) expect(p.weight).toBeCloseTo(0.25, 1);
  });
});

describe("deliverability health", () => {
  it("names the receiving provider", () => {
    expect(["a@gmail.com", "a@googlemail.com", "a@outlook.com", "a@hotmail.co.uk", "a@yahoo.fr", "a@shop.example"].map(providerOf)).toEqual([
      "gmail",
      "gmail",
      "outlook",
      "outlook",
      "yahoo",
      "other",
    ]);
  });

  it("warns at 0.1% spam and pauses at Gmail's 0.3%, with enough mail", () => {
    const base = { sent: 2000, delivered: 2000, bounces: 0, spamReports: 0 };
    expect(assessHealth({ window: base }).level).toBe("ok");
    expect(assessHealth({ window: { ...base, spamReports: 2 } })).toMatchObject({ level: "warning", spamRate: 0.001 });
    const paused = assessHealth({ window: { ...base, spamReports: 6 } });
    expect(paused.level).toBe("paused");
    expect(paused.pauseReason).toMatch(/0\.30%.*Gmail/);
    // Too little mail to pause on one complaint; still a warning.
    expect(assessHealth({ window: { sent: 300, delivered: 300, bounces: 0, spamReports: 1 } }).level).toBe("warning");
    expect(assessHealth({ window: { sent: 100, delivered: 100, bounces: 0, spamReports: 1 } }).level).toBe("ok");
  });

  it("warns at 5% bounces and pauses at 10%; after a resume only later mail can pause again", () => {
    expect(assessHealth({ window: { sent: 200, delivered: 190, bounces: 10, spamReports: 0 } }).level).toBe("warning");
    expect(assessHealth({ window: { sent: 200, delivered: 180, bounces: 20, spamReports: 0 } }).level).toBe("paused");
    expect(assessHealth({ window: { sent: 199, delivered: 100, bounces: 99, spamReports: 0 } }).level).toBe("ok");
    const resumed = assessHealth({ window: { sent: 400, delivered: 360, bounces: 40, spamReports: 0 }, sincePauseCheck: { sent: 50, delivered: 50, bounces: 0, spamReports: 0 } });
    expect(resumed.level).toBe("warning");
  });
});
