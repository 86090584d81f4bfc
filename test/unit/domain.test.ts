import { describe, expect, it } from "vitest";
import { InvalidOrderPayloadError, orderFactsFromWebhook, orderIdFromWebhook } from "~/domain/order-facts";
import { defaultFlows, parseFlowsDocument, stepDelay, type InvalidFlowsError } from "~/domain/flows";
import { scheduleFollowUps, type ScheduledFlow } from "~/domain/scheduling";
import { dueAt } from "~/domain/step-timing";
import { backoffDelayMs, DEFAULT_RETRY_POLICY, nextAttempt } from "~/domain/retry";
import { fillVariables } from "~/domain/content";

const payload = () => ({
  id: 5001,
  admin_graphql_api_id: "gid://shopify/Order/5001",
  name: "#1042",
  email: "Ada@Example.com",
  created_at: "2026-03-29T00:30:00+01:00",
  currency: "USD",
  presentment_currency: "EUR",
  total_price: "107.00",
  total_price_set: { shop_money: { amount: "107.00", currency_code: "USD" }, presentment_money: { amount: "99.50", currency_code: "EUR" } },
  subtotal_price_set: { shop_money: { amount: "100.00", currency_code: "USD" }, presentment_money: { amount: "93.00", currency_code: "EUR" } },
  customer_locale: "de",
  customer: { id: 77, first_name: "Ada", email: "ada@example.com", admin_graphql_api_id: "gid://shopify/Customer/77" },
  shipping_address: { country_code: "de", first_name: "Ada" },
  line_items: [
    { id: 1, product_id: 10, quantity: 1, price: "50.00" },
    { id: 2, product_id: 11, quantity: 2, price: "25.00" },
    { id: 3, product_id: 10, quantity: 1, price: "50.00" },
    { id: 4, product_id: null, title: "Gift wrap", quantity: 1, price: "0.00" },
  ],
  cancelled_at: null,
  // Fields we must not keep.
  billing_address: { address1: "Secret street 1", phone: "+49 123" },
  note: "leave at the door",
});

describe("orderFactsFromWebhook", () => {
  it("keeps only what sending needs", () => {
    const facts = orderFactsFromWebhook(payload());
    expect(facts).toEqual({
      orderId: "gid://shopify/Order/5001",
      name: "#1042",
      customerId: "gid://shopify/Customer/77",
      email: "ada@example.com",
      firstName: "Ada",
      locale: "de",
      countryCode: "DE",
      currency: "EUR",
      totalPrice: "99.50",
      subtotalPrice: "93.00",
      shopCurrency: "USD",
      totalPriceShop: "107.00",
      productIds: ["gid://shopify/Product/10", "gid://shopify/Product/11"],
      orderedAt: new Date("2026-03-28T23:30:00Z"),
      cancelledAt: null,
      lineItems: [
        { productId: "gid://shopify/Product/10", variantId: null, title: null, vendor: null, quantity: 1 },
        { productId: "gid://shopify/Product/11", variantId: null, title: null, vendor: null, quantity: 2 },
        { productId: "gid://shopify/Product/10", variantId: null, title: null, vendor: null, quantity: 1 },
        { productId: null, variantId: null, title: "Gift wrap", vendor: null, quantity: 1 },
      ],
      orderTags: [],
      customerTags: null,
      customerOrdersCount: null,
      sourceName: null,
      discountCodes: [],
      financialStatus: null,
      // The zone of the shipping address: all a flow in the customer's time needs of it.
      customerTimeZone: { timeZone: "Europe/Berlin", source: "shipping_address" },
    });
    expect(JSON.stringify(facts)).not.toContain("Secret street");
    expect(JSON.stringify(facts)).not.toContain("door");
  });

  it("falls back to contact_email and customer email", () => {
    const p = payload() as Record<string, unknown>;
    delete p.email;
    p.contact_email = "buyer@example.com";
    expect(orderFactsFromWebhook(p).email).toBe("buyer@example.com");
    delete p.contact_email;
    expect(orderFactsFromWebhook(p).email).toBe("ada@example.com");
  });

  it("treats an invalid email as no email, not as an error", () => {
    const p = { ...payload(), email: "not-an-email", customer: null };
    expect(orderFactsFromWebhook(p).email).toBeNull();
  });

  it("rejects what cannot be an order, naming every problem", () => {
    expect(() => orderFactsFromWebhook("nope")).toThrow(InvalidOrderPayloadError);
    try {
      orderFactsFromWebhook({ name: "#1", line_items: "x" });
      expect.unreachable();
    } catch (e) {
      const err = e as InvalidOrderPayloadError;
      expect(err.problems).toEqual(
        expect.arrayContaining([
          "id is missing or not numeric",
          "currency is missing",
          "line_items is not a list",
          "created_at is missing or not a date",
        ]),
      );
    }
  });

  it("reads the id of a cancelled order", () => {
    expect(orderIdFromWebhook({ id: 9 })).toBe("gid://shopify/Order/9");
    expect(() => orderIdFromWebhook({})).toThrow(InvalidOrderPayloadError);
  });
});

describe("flows documents", () => {
  it("accepts the default flow and its export round trip", () => {
    const doc = parseFlowsDocument({ version: 1, flows: defaultFlows() });
    expect(doc.flows[0].name).toBe("Thank you + recommendations");
    expect(stepDelay(doc.flows[0].steps[0].delay)).toEqual({ unit: "hours", amount: 1 });
  });

  it("fills defaults", () => {
    const flow = { ...defaultFlows()[0] } as Record<string, unknown>;
    delete flow.active;
    expect(parseFlowsDocument({ version: 1, flows: [flow] }).flows[0].active).toBe(true);
  });

  it("rejects bad documents with a path for each problem", () => {
    const bad = {
      version: 1,
      flows: [
        { key: "Bad Key", name: "", trigger: "order_paid_later", steps: [] },
        { ...defaultFlows()[0], steps: [{ ...defaultFlows()[0].steps[0], delay: { amount: -1, unit: "weeks" } }] },
      ],
    };
    try {
      parseFlowsDocument(bad);
      expect.unreachable();
    } catch (e) {
      const msg = (e as InvalidFlowsError).problems.join("\n");
      expect(msg).toContain("/flows/0/key");
      expect(msg).toContain("/flows/0/trigger");
      expect(msg).toContain("order_created");
      expect(msg).toContain("/flows/0/steps");
      expect(msg).toContain("/flows/1/steps/0/delay/amount");
      expect(msg).toContain("/flows/1/steps/0/delay/unit");
    }
  });

  it("rejects duplicate keys", () => {
    const f = defaultFlows()[0];
    expect(() => parseFlowsDocument({ version: 1, flows: [f, f] })).toThrow(/used by two flows/);
    expect(() =>
      parseFlowsDocument({ version: 1, flows: [{ ...f, steps: [f.steps[0], f.steps[0]] }] }),
    ).toThrow(/used by two steps/);
  });
});

describe("scheduleFollowUps", () => {
  const flows: ScheduledFlow[] = [
    {
      id: "flow1",
      key: "thank-you",
      trigger: "order_created",
      active: true,
      steps: [
        { id: "s2", key: "review", position: 1, delay: { amount: 14, unit: "days" }, template: "thank-you" },
        { id: "s1", key: "thanks", position: 0, delay: { amount: 1, unit: "hours" }, template: "thank-you" },
      ],
    },
    { id: "flow2", key: "off", trigger: "order_created", active: false, steps: [{ id: "s3", key: "x", position: 0, delay: { amount: 0, unit: "minutes" }, template: "thank-you" }] },
  ];
  const order = orderFactsFromWebhook(payload());

  it("plans each step of each active flow, chained from the previous step", () => {
    const planned = scheduleFollowUps({ order, flows, trigger: "order_created", triggeredAt: order.orderedAt, now: order.orderedAt, timeZone: "Europe/Warsaw" });
    expect(planned.map((p) => [p.stepKey, p.dueAt.toISOString(), p.recipient, p.skipReason])).toEqual([
      ["thanks", "2026-03-29T00:30:00.000Z", "ada@example.com", null],
      // 14 calendar days in Warsaw after 01:30 CET is 01:30 CEST, an hour less in UTC.
      ["review", "2026-04-11T23:30:00.000Z", "ada@example.com", null],
    ]);
  });

  it("never schedules into the past for a late webhook", () => {
    const now = new Date("2026-03-30T00:00:00Z");
    const [first] = scheduleFollowUps({ order, flows, trigger: "order_created", triggeredAt: order.orderedAt, now });
    expect(first.dueAt).toEqual(now);
  });

  it("records a reason instead of silently dropping an order without email", () => {
    const planned = scheduleFollowUps({ order: { ...order, email: null }, flows, trigger: "order_created", triggeredAt: order.orderedAt, now: order.orderedAt });
    expect(planned).toHaveLength(2);
    expect(planned[0].skipReason).toMatch(/no email/);
  });

  it("adds days as calendar days across the New York DST change", () => {
    const from = new Date("2026-03-07T15:00:00Z"); // 10:00 EST
    expect(dueAt({ from, delay: { amount: 1, unit: "days" }, timeZone: "America/New_York" }).toISOString()).toBe("2026-03-08T14:00:00.000Z");
    expect(dueAt({ from, delay: { amount: 90, unit: "minutes" }, timeZone: "UTC" }).toISOString()).toBe("2026-03-07T16:30:00.000Z");
  });

  it("schedules 'N days later at HH:MM', counts from the trigger when asked, and moves into the send window", () => {
    const at = (iso: string) => ({ ...order, orderedAt: new Date(iso) });
    const o = at("2026-10-23T16:00:00Z"); // Friday 18:00 in Warsaw
    const timed: ScheduledFlow[] = [
      {
        id: "f",
        key: "care",
        trigger: "order_created",
        active: true,
        steps: [
          // Due Friday 19:00, outside Mon-Fri 09:00-17:00: moved to Monday 09:00.
          { id: "a", key: "a", position: 0, delay: { amount: 1, unit: "hours" }, template: "thank-you", sendWindow: { days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "17:00" } },
          // 2 days after the trigger at 10:00 Warsaw time: Sunday 25 Oct, the day clocks go back (CET).
          { id: "b", key: "b", position: 1, delay: { amount: 2, unit: "days_at", at: "10:00", from: "trigger" }, template: "thank-you" },
        ],
      },
    ];
    const [a, b] = scheduleFollowUps({ order: o, flows: timed, trigger: "order_created", triggeredAt: o.orderedAt, now: o.orderedAt, timeZone: "Europe/Warsaw" });
    expect(a.dueAt.toISOString()).toBe("2026-10-26T08:00:00.000Z");
    expect(a.movedReason).toMatch(/send window/);
    expect(b.dueAt.toISOString()).toBe("2026-10-25T09:00:00.000Z");
    expect(b.movedReason).toBeNull();
  });

  it("rejects a send window that cannot open, with its path", () => {
    const flow = defaultFlows()[0];
    flow.steps[0] = { ...flow.steps[0], sendWindow: { days: ["mon"], start: "9:00", end: "17:00" } };
    expect(() => parseFlowsDocument({ version: 1, flows: [flow] })).toThrow(/sendWindow\/start/);
    const atMissing = { ...flow.steps[0], sendWindow: undefined, delay: { amount: 1, unit: "days_at" } };
    expect(() => parseFlowsDocument({ version: 1, flows: [{ ...flow, steps: [atMissing] }] })).toThrow(/at/);
  });
});

describe("retry policy", () => {
  const policy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 5000 };
  it("backs off exponentially with jitter, capped", () => {
    expect(backoffDelayMs(1, policy, () => 0)).toBe(500);
    expect(backoffDelayMs(1, policy, () => 1)).toBe(1000);
    expect(backoffDelayMs(3, policy, () => 1)).toBe(4000);
    expect(backoffDelayMs(10, policy, () => 1)).toBe(5000);
  });
  it("stops after the last attempt and honours a provider's reset time", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    expect(nextAttempt({ attempt: 4, now, policy })).toEqual({ retry: false, at: null });
    const reset = new Date("2026-01-01T00:01:00Z");
    expect(nextAttempt({ attempt: 1, now, policy, notBefore: reset, random: () => 0 }).at).toEqual(reset);
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBeGreaterThan(3);
  });
});

describe("fillVariables", () => {
  it("fills known variables and tidies missing ones", () => {
    const values = { "order.name": "#1042", "customer.first_name": null, "shop.name": "Juniper & Pine" };
    expect(fillVariables("Thanks {{ customer.first_name }}, for {{order.name}} at {{ shop.name }}!", values)).toBe(
      "Thanks, for #1042 at Juniper & Pine!",
    );
  });
});
