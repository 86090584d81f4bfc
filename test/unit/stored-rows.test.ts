import { describe, expect, it } from "vitest";
import type { OrderFacts } from "~/domain/order-facts";
import {
  factsFromOrderRow,
  flowConditions,
  flowExitRules,
  orderLineItems,
  orderProductIds,
  orderRowFromFacts,
  shopDefaultSendWindow,
  shopFrequencyCap,
  shopPublishedLocales,
  stepContent,
  stepSendWindow,
  stepVariants,
  StoredValueError,
  triggerTime,
  type StoredOrder,
} from "~/domain/stored-rows";

// The error a malformed column gives: which table, which row, which column.
function failure(decode: () => unknown): StoredValueError {
  try {
    decode();
  } catch (err) {
    if (err instanceof StoredValueError) return err;
    throw err;
  }
  throw new Error("expected the stored value to be refused");
}

const facts: OrderFacts = {
  orderId: "gid://shopify/Order/1001",
  name: "#1001",
  customerId: "gid://shopify/Customer/7",
  email: "ana@example.com",
  firstName: "Ana",
  locale: "pl-PL",
  countryCode: "PL",
  currency: "PLN",
  totalPrice: "120.00",
  subtotalPrice: "100.00",
  shopCurrency: "EUR",
  totalPriceShop: "28.00",
  productIds: ["gid://shopify/Product/1", "gid://shopify/Product/2"],
  orderedAt: new Date("2026-05-01T10:00:00Z"),
  cancelledAt: null,
  lineItems: [
    { productId: "gid://shopify/Product/1", variantId: "gid://shopify/ProductVariant/11", title: "Mug", vendor: "Kiln", quantity: 2 },
    {
      productId: "gid://shopify/Product/2",
      variantId: null,
      title: "Tea",
      vendor: null,
      quantity: 1,
      productType: "Tea",
      productTags: ["loose"],
      collectionIds: ["gid://shopify/Collection/5"],
    },
  ],
  orderTags: ["gift"],
  customerTags: ["vip"],
  customerOrdersCount: 3,
  sourceName: "web",
  discountCodes: ["WELCOME10"],
  financialStatus: "paid",
};

const storedOrder = (over: Partial<StoredOrder> = {}): StoredOrder => ({ id: "ord_1", ...orderRowFromFacts("shop.myshopify.com", facts), ...over });

describe("order rows", () => {
  it("gives back the facts an order was stored with", () => {
    expect(factsFromOrderRow(storedOrder())).toEqual(facts);
  });

  it("reads absent lists as empty and absent customer tags as unknown", () => {
    const read = factsFromOrderRow(storedOrder({ lineItems: null, orderTags: null, customerTags: null, discountCodes: null }));
    expect(read.lineItems).toEqual([]);
    expect(read.orderTags).toEqual([]);
    expect(read.discountCodes).toEqual([]);
    expect(read.customerTags).toBeNull();
  });

  it("names the order and the column of a line item list that is not one", () => {
    const err = failure(() => orderLineItems({ id: "ord_9", lineItems: JSON.stringify({ productId: "x" }) }));
    expect(err).toMatchObject({ table: "Order", rowId: "ord_9", column: "lineItems" });
    expect(err.message).toMatch(/^Order ord_9: the stored lineItems is not valid/);
  });

  it("refuses a line item without a quantity or with tags that are not text", () => {
    const err = failure(() =>
      orderLineItems({ id: "ord_9", lineItems: JSON.stringify([{ productId: "p", title: "Mug", productTags: [1] }]) }),
    );
    expect(err.problems).toEqual(["/0/quantity: must be a number", "/0/productTags: must be a list of strings"]);
  });

  it("refuses product ids that are not JSON, saying so", () => {
    const err = failure(() => orderProductIds({ id: "ord_3", productIds: "gid://shopify/Product/1" }));
    expect(err).toMatchObject({ table: "Order", rowId: "ord_3", column: "productIds" });
    expect(err.problems[0]).toMatch(/^not JSON/);
  });

  it("refuses discount codes, order tags and customer tags that are not lists of text", () => {
    expect(failure(() => factsFromOrderRow(storedOrder({ discountCodes: '"WELCOME10"' }))).column).toBe("discountCodes");
    expect(failure(() => factsFromOrderRow(storedOrder({ orderTags: "[1,2]" }))).column).toBe("orderTags");
    expect(failure(() => factsFromOrderRow(storedOrder({ customerTags: "{}" }))).column).toBe("customerTags");
  });

  it("takes a trigger's time from its column, else the order's own", () => {
    const times = { orderedAt: new Date("2026-05-01T10:00:00Z"), paidAt: new Date("2026-05-01T11:00:00Z"), fulfilledAt: null, deliveredAt: null };
    expect(triggerTime("order_paid", times)).toEqual(times.paidAt);
    expect(triggerTime("order_fulfilled", times)).toEqual(times.orderedAt);
    expect(triggerTime("order_created", times)).toEqual(times.orderedAt);
  });

  it("takes a Shopify Flow start's time from its follow-up, written when the action ran", () => {
    const times = { orderedAt: new Date("2026-05-01T10:00:00Z"), paidAt: new Date("2026-05-01T11:00:00Z"), fulfilledAt: null, deliveredAt: null };
    const followUp = { createdAt: new Date("2026-05-03T08:30:00Z") };
    expect(triggerTime("shopify_flow", times, followUp)).toEqual(followUp.createdAt);
    expect(triggerTime("order_paid", times, followUp)).toEqual(times.paidAt);
  });
});

describe("flow and step columns", () => {
  it("reads conditions and refuses a tree the conditions validator refuses", () => {
    const conditions = { all: [{ field: "order_total", op: "gte", amount: "50" }] };
    expect(flowConditions({ id: "flow_1", conditions: JSON.stringify(conditions) })).toEqual(conditions);
    expect(flowConditions({ id: "flow_1", conditions: null })).toBeNull();
    const err = failure(() => flowConditions({ id: "flow_1", conditions: JSON.stringify({ every: [] }) }));
    expect(err).toMatchObject({ table: "Flow", rowId: "flow_1", column: "conditions" });
  });

  it("reads exit rules and refuses unknown rules or a non-boolean", () => {
    expect(flowExitRules({ id: "flow_2", exitRules: '{"orderedAgain":false}' })).toEqual({ orderedAgain: false });
    expect(flowExitRules({ id: "flow_2", exitRules: "{}" })).toEqual({});
    expect(failure(() => flowExitRules({ id: "flow_2", exitRules: '{"orderedAgain":"yes"}' })).problems).toEqual([
      "/orderedAgain: must be true or false",
    ]);
    expect(failure(() => flowExitRules({ id: "flow_2", exitRules: '{"refunded":true}' })).column).toBe("exitRules");
  });

  it("reads a step's send window and refuses one without days", () => {
    const window = { days: ["mon", "tue"], start: "09:00", end: "18:00" };
    expect(stepSendWindow({ id: "step_1", sendWindow: JSON.stringify(window) })).toEqual(window);
    const err = failure(() => stepSendWindow({ id: "step_1", sendWindow: '{"days":[],"start":"09:00","end":"18:00"}' }));
    expect(err).toMatchObject({ table: "FlowStep", rowId: "step_1", column: "sendWindow" });
  });

  it("reads a step's content only as an object", () => {
    expect(stepContent({ id: "step_2", content: '{"heading":"Thanks"}' })).toEqual({ heading: "Thanks" });
    expect(stepContent({ id: "step_2", content: null })).toBeNull();
    expect(failure(() => stepContent({ id: "step_2", content: '["Thanks"]' })).column).toBe("content");
  });

  it("reads an A/B test with its variants' texts", () => {
    const test = { id: "t1", variants: [{ key: "a", weight: 50 }, { key: "b", weight: 50, subject: "Hi", content: { heading: "B" } }] };
    expect(stepVariants({ id: "step_3", variants: JSON.stringify(test) })).toEqual(test);
  });

  it("refuses an A/B test whose weights do not add up, or whose variant content is not an object", () => {
    const uneven = { id: "t1", variants: [{ key: "a", weight: 50 }, { key: "b", weight: 40 }] };
    const err = failure(() => stepVariants({ id: "step_3", variants: JSON.stringify(uneven) }));
    expect(err).toMatchObject({ table: "FlowStep", rowId: "step_3", column: "variants" });
    expect(err.message).toMatch(/add up to 90/);
    const badContent = { id: "t1", variants: [{ key: "a", weight: 50, content: "B" }, { key: "b", weight: 50 }] };
    expect(failure(() => stepVariants({ id: "step_3", variants: JSON.stringify(badContent) })).problems).toEqual([
      "/variants/0/content: must be an object",
    ]);
  });
});

describe("shop columns", () => {
  it("reads the frequency cap and refuses one out of range", () => {
    expect(shopFrequencyCap({ domain: "a.myshopify.com", frequencyCap: '{"enabled":false,"maxSends":1,"periodHours":16}' })).toEqual({
      enabled: false,
      maxSends: 1,
      periodHours: 16,
    });
    expect(shopFrequencyCap({ domain: "a.myshopify.com", frequencyCap: null })).toBeNull();
    const err = failure(() => shopFrequencyCap({ domain: "a.myshopify.com", frequencyCap: '{"enabled":true,"maxSends":0,"periodHours":16}' }));
    expect(err).toMatchObject({ table: "Shop", rowId: "a.myshopify.com", column: "frequencyCap" });
  });

  it("reads the published locales, the primary first, and refuses what is not a list of tags", () => {
    expect(shopPublishedLocales({ domain: "a.myshopify.com", publishedLocales: '["en","pl","pt-BR"]' })).toEqual(["en", "pl", "pt-BR"]);
    expect(shopPublishedLocales({ domain: "a.myshopify.com", publishedLocales: null })).toEqual([]);
    const err = failure(() => shopPublishedLocales({ domain: "a.myshopify.com", publishedLocales: '["en",3]' }));
    expect(err).toMatchObject({ table: "Shop", rowId: "a.myshopify.com", column: "publishedLocales" });
  });

  it("reads the default send window and refuses a malformed one", () => {
    const window = { days: ["sat", "sun"], start: "10:00", end: "14:00" };
    expect(shopDefaultSendWindow({ domain: "a.myshopify.com", defaultSendWindow: JSON.stringify(window) })).toEqual(window);
    const err = failure(() => shopDefaultSendWindow({ domain: "a.myshopify.com", defaultSendWindow: '{"days":["sat"],"start":"25:00","end":"14:00"}' }));
    expect(err).toMatchObject({ table: "Shop", rowId: "a.myshopify.com", column: "defaultSendWindow" });
  });
});
