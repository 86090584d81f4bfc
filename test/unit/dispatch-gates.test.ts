import { describe, expect, it } from "vitest";
import type { ExitState } from "~/domain/exit-rules";
import type { OrderFacts } from "~/domain/order-facts";
import {
  attemptsGate,
  conditionsGate,
  earlyExitGate,
  exitRulesGate,
  flowOnGate,
  frequencyCapGate,
  handoverGate,
  orderGate,
  PAUSED_RECHECK_MS,
  recipientGate,
  senderGate,
  sendWindowGate,
  shopGate,
  stepGate,
  type ShopSending,
} from "~/services/dispatch/gates";

const now = new Date("2026-05-06T10:00:00Z"); // a Wednesday, 12:00 in Warsaw
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

const state = (over: Partial<ExitState> = {}): ExitState => ({
  orderCancelledAt: null,
  refundedFully: false,
  customerOrderedAgainAt: null,
  suppression: null,
  marketingConsent: "SUBSCRIBED",
  marketingConsentRequired: true,
  serviceEmailsAllowed: true,
  triggeredAt: minutes(-24 * 60),
  ...over,
});

const order = (over: Partial<OrderFacts> = {}): OrderFacts => ({
  orderId: "gid://shopify/Order/1001",
  name: "#1001",
  customerId: "gid://shopify/Customer/7",
  email: "ana@example.com",
  firstName: "Ana",
  locale: "en",
  countryCode: "PL",
  currency: "PLN",
  totalPrice: "120.00",
  subtotalPrice: "100.00",
  shopCurrency: "PLN",
  totalPriceShop: "120.00",
  productIds: ["gid://shopify/Product/1"],
  orderedAt: minutes(-24 * 60),
  cancelledAt: null,
  lineItems: [],
  orderTags: [],
  customerTags: null,
  customerOrdersCount: null,
  sourceName: "web",
  discountCodes: [],
  financialStatus: "paid",
  ...over,
});

describe("handoverGate", () => {
  const handedOverAt = minutes(-10);

  it("lets a follow-up never handed to SendGrid through without a note", () => {
    expect(handoverGate({ handedOverAt: null, seenEvent: null, now, eventWaitMs: 60_000 })).toEqual({ kind: "continue" });
  });

  it("records as sent an email SendGrid has an event for, with the message id before SendGrid's suffix", () => {
    const result = handoverGate({
      handedOverAt,
      seenEvent: { event: "delivered", messageId: "abc123.filter0001.1.0" },
      now,
      eventWaitMs: 60 * 60_000,
    });
    expect(result).toMatchObject({ kind: "confirmed", sentAt: handedOverAt, messageId: "abc123" });
    expect(result.kind === "confirmed" && result.reason).toMatch(/delivered event shows it arrived, so it was not sent again/);
  });

  it("holds, without using an attempt, until SendGrid's events could have arrived", () => {
    const result = handoverGate({ handedOverAt, seenEvent: null, now, eventWaitMs: 60 * 60_000 });
    expect(result).toMatchObject({ kind: "hold", until: minutes(50), event: "awaiting_sendgrid", returned: true });
  });

  it("sends again once the wait is over, with a note for the timeline", () => {
    const result = handoverGate({ handedOverAt, seenEvent: null, now, eventWaitMs: 5 * 60_000 });
    expect(result).toEqual({
      kind: "continue",
      note: {
        type: "resending",
        detail: `No SendGrid event arrived for the attempt handed over at ${handedOverAt.toISOString()}; sending again through SendGrid.`,
      },
    });
  });

  it("answers for a hand-over to Postmark with Postmark's events and its message id as it is", () => {
    const confirmed = handoverGate({ handedOverAt, provider: "postmark", seenEvent: { event: "delivered", messageId: "9b1c.d2-uuid" }, now, eventWaitMs: 60_000 });
    expect(confirmed).toMatchObject({ kind: "confirmed", provider: "postmark", messageId: "9b1c.d2-uuid" });
    expect((confirmed as { reason: string }).reason).toMatch(/^Postmark accepted this email/);
    const held = handoverGate({ handedOverAt, provider: "postmark", seenEvent: null, now, eventWaitMs: 60 * 60_000 });
    expect(held).toMatchObject({ kind: "hold", event: "awaiting_postmark" });
    const resent = handoverGate({ handedOverAt, provider: "postmark", seenEvent: null, now, eventWaitMs: 60_000 });
    expect(resent).toMatchObject({ kind: "continue", note: { type: "resending" } });
    expect((resent as { note: { detail: string } }).note.detail).toMatch(/sending again through Postmark\.$/);
  });
});

describe("attemptsGate", () => {
  it("lets the last allowed attempt through", () => {
    expect(attemptsGate({ attempt: 5, maxAttempts: 5 })).toEqual({ kind: "continue" });
  });

  it("fails a follow-up whose attempts all stopped before finishing", () => {
    expect(attemptsGate({ attempt: 6, maxAttempts: 5 })).toEqual({
      kind: "fail",
      reason: "Gave up after 5 attempts; the last one did not finish.",
      code: "interrupted",
    });
  });
});

describe("shopGate", () => {
  const shop = (over: Partial<ShopSending> = {}): ShopSending => ({
    uninstalledAt: null,
    sendingEnabled: true,
    sendingPausedAt: null,
    sendingPausedReason: null,
    ...over,
  });

  it("lets an installed shop with sending on through", () => {
    expect(shopGate({ shop: shop(), now })).toEqual({ kind: "continue" });
  });

  it("skips when the shop is gone or uninstalled the app", () => {
    expect(shopGate({ shop: null, now })).toMatchObject({ kind: "skip", code: "app_uninstalled" });
    expect(shopGate({ shop: shop({ uninstalledAt: minutes(-1) }), now })).toMatchObject({ kind: "skip", code: "app_uninstalled" });
  });

  it("skips when the merchant turned sending off", () => {
    expect(shopGate({ shop: shop({ sendingEnabled: false }), now })).toMatchObject({ kind: "skip", code: "sending_disabled" });
  });

  it("holds while sending is paused, keeping why as the last error", () => {
    const result = shopGate({ shop: shop({ sendingPausedAt: minutes(-60), sendingPausedReason: "bounce rate 9%" }), now });
    expect(result).toEqual({
      kind: "hold",
      until: new Date(now.getTime() + PAUSED_RECHECK_MS),
      event: null,
      reason: "Held: sending is paused (bounce rate 9%). Resume it on the Analytics page.",
    });
  });
});

describe("orderGate, stepGate and recipientGate", () => {
  it("skip as cancelled an order no longer stored", () => {
    expect(orderGate({ order: null })).toMatchObject({ kind: "skip", code: "order_cancelled" });
    expect(orderGate({ order: {} })).toEqual({ kind: "continue" });
  });

  it("skip a follow-up whose step was deleted", () => {
    expect(stepGate({ step: null })).toMatchObject({ kind: "skip", code: "step_deleted" });
    expect(stepGate({ step: {} })).toEqual({ kind: "continue" });
  });

  it("skip a follow-up with no address to send to", () => {
    expect(recipientGate({ recipient: null })).toMatchObject({ kind: "skip", code: "no_email" });
    expect(recipientGate({ recipient: "ana@example.com" })).toEqual({ kind: "continue" });
  });
});

describe("earlyExitGate", () => {
  it("skips a cancelled or fully refunded order", () => {
    expect(earlyExitGate({ category: "marketing", state: state({ orderCancelledAt: minutes(-5) }), timeZone: null })).toMatchObject({
      kind: "skip",
      code: "order_cancelled",
    });
    expect(earlyExitGate({ category: "service", state: state({ refundedFully: true }), timeZone: null })).toMatchObject({
      kind: "skip",
      code: "order_refunded",
    });
  });

  it("skips a suppressed address", () => {
    const result = earlyExitGate({ category: "marketing", state: state({ suppression: { scope: "all", reason: "hard_bounce" } }), timeZone: null });
    expect(result).toMatchObject({ kind: "skip", code: "suppressed", reason: { suppression: "hard_bounce" } });
  });

  it("leaves a new order to the later exit rules", () => {
    const later = state({ customerOrderedAgainAt: minutes(-60) });
    expect(earlyExitGate({ category: "marketing", state: later, timeZone: null })).toEqual({ kind: "continue" });
  });
});

describe("flowOnGate", () => {
  it("skips a follow-up of a flow turned off, naming the flow", () => {
    expect(flowOnGate({ flow: { active: false, name: "Thank you" } })).toMatchObject({
      kind: "skip",
      code: "flow_turned_off",
      reason: { flowName: "Thank you" },
    });
    expect(flowOnGate({ flow: { active: true, name: "Thank you" } })).toEqual({ kind: "continue" });
  });
});

describe("sendWindowGate", () => {
  const weekdays = { days: ["mon", "tue", "wed", "thu", "fri"] as const, start: "09:00", end: "17:00" };

  it("lets a follow-up through with no window, or inside it", () => {
    expect(sendWindowGate({ window: null, now, shopTimeZone: "Europe/Warsaw" })).toEqual({ kind: "continue" });
    expect(sendWindowGate({ window: { ...weekdays, days: [...weekdays.days] }, now, shopTimeZone: "Europe/Warsaw" })).toEqual({ kind: "continue" });
  });

  it("holds until the window opens, in the shop's time zone", () => {
    const evening = { days: [...weekdays.days], start: "18:00", end: "20:00" };
    const result = sendWindowGate({ window: evening, now, shopTimeZone: "Europe/Warsaw" });
    // 18:00 in Warsaw (UTC+2 in May).
    expect(result).toMatchObject({ kind: "hold", until: new Date("2026-05-06T16:00:00Z"), event: "moved" });
  });
});

describe("conditionsGate", () => {
  const overFifty = { all: [{ field: "order_total" as const, op: "gte" as const, amount: "50" }] };

  it("lets every order through a flow without conditions", () => {
    expect(conditionsGate({ conditions: null, order: order() })).toEqual({ kind: "continue" });
  });

  it("lets an order that matches through", () => {
    expect(conditionsGate({ conditions: overFifty, order: order() })).toEqual({ kind: "continue" });
  });

  it("skips an order that does not match, with what failed", () => {
    const result = conditionsGate({ conditions: overFifty, order: order({ totalPriceShop: "20.00" }) });
    expect(result).toMatchObject({ kind: "skip", code: "conditions_not_met" });
    expect(result.kind === "skip" && result.reason.code === "conditions_not_met" && result.reason.failed.length).toBeGreaterThan(0);
  });
});

describe("exitRulesGate", () => {
  it("skips a marketing email without consent", () => {
    const result = exitRulesGate({ category: "marketing", exitOnNewOrder: true, state: state({ marketingConsent: "NOT_SUBSCRIBED" }), timeZone: null });
    expect(result).toMatchObject({ kind: "skip", code: "no_marketing_consent" });
  });

  it("skips when the customer ordered again, if the flow stops on a new order", () => {
    const again = state({ customerOrderedAgainAt: minutes(-60) });
    expect(exitRulesGate({ category: "marketing", exitOnNewOrder: true, state: again, timeZone: null })).toMatchObject({
      kind: "skip",
      code: "ordered_again",
    });
    expect(exitRulesGate({ category: "marketing", exitOnNewOrder: false, state: again, timeZone: null })).toEqual({ kind: "continue" });
  });
});

describe("frequencyCapGate", () => {
  const cap = { enabled: true, maxSends: 1, periodHours: 16 };

  it("lets a customer with no recent marketing email through", () => {
    expect(frequencyCapGate({ cap, recentMarketingSends: [], now, timeZone: null })).toEqual({ kind: "continue" });
  });

  it("skips a customer who got one within the period", () => {
    const result = frequencyCapGate({ cap, recentMarketingSends: [minutes(-120)], now, timeZone: null });
    expect(result).toMatchObject({ kind: "skip", code: "frequency_cap", reason: { sentInPeriod: 1 } });
  });
});

describe("senderGate", () => {
  it("fails a follow-up with no sender address, saying where to set one", () => {
    expect(senderGate({ fromEmail: null })).toEqual({
      kind: "fail",
      reason: "No sender address: set the shop's sender email (or AFTERGLOW_FROM_EMAIL).",
      code: "no_sender",
    });
    expect(senderGate({ fromEmail: "hello@shop.com" })).toEqual({ kind: "continue" });
  });
});
