import { describe, expect, it } from "vitest";
import {
  compareDecimals,
  evaluateConditions,
  InvalidConditionsError,
  validateConditions,
  type ConditionGroup,
  type LeafCondition,
  type OrderContext,
} from "~/domain/conditions";

const order = (over: Partial<OrderContext> = {}): OrderContext => ({
  productIds: ["gid://shopify/Product/10", "gid://shopify/Product/11"],
  totalPriceShop: "120.00",
  shopCurrency: "PLN",
  countryCode: "PL",
  locale: "pl-PL",
  lineItems: [
    {
      productId: "gid://shopify/Product/10",
      productType: "Candle",
      vendor: "Juniper & Pine",
      productTags: ["Autumn", "soy"],
      collectionIds: ["gid://shopify/Collection/500"],
    },
    {
      productId: "gid://shopify/Product/11",
      productType: "Gift Card",
      vendor: "Acme",
      productTags: [],
      collectionIds: ["gid://shopify/Collection/501", "gid://shopify/Collection/500"],
    },
  ],
  orderTags: ["wholesale"],
  customerTags: ["VIP"],
  customerOrdersCount: 1,
  sourceName: "web",
  discountCodes: ["WELCOME10"],
  ...over,
});

const one = (leaf: LeafCondition, o = order()) => evaluateConditions({ conditions: { all: [leaf] }, order: o });
const matched = (leaf: LeafCondition, o = order()) => one(leaf, o).matched;

describe("compareDecimals", () => {
  it("compares exactly where floating point would not", () => {
    expect(compareDecimals("0.30", "0.3")).toBe(0);
    expect(compareDecimals("99.999999999999999999", "100")).toBe(-1); // 1e2 as a double
    expect(compareDecimals("100.000000000000000001", "100")).toBe(1);
    expect(compareDecimals("1000", "999.99")).toBe(1);
    expect(compareDecimals("0050.10", "50.1")).toBe(0);
    expect(compareDecimals("9", "10")).toBe(-1);
    expect(compareDecimals("-5", "3")).toBe(-1);
    expect(compareDecimals("-5.5", "-5.25")).toBe(-1);
    expect(compareDecimals("-0.00", "0")).toBe(0);
    expect(compareDecimals("12345678901234567890.5", "12345678901234567890.49")).toBe(1);
  });

  it("refuses what is not a decimal", () => {
    expect(() => compareDecimals("1e3", "5")).toThrow(/decimals/);
    expect(() => compareDecimals("", "5")).toThrow();
  });
});

describe("evaluateConditions", () => {
  it("lets every order in when the flow has no conditions", () => {
    expect(evaluateConditions({ conditions: null, order: order() })).toEqual({
      matched: true,
      explanation: ["The flow has no entry conditions: every order enters."],
    });
  });

  describe("order total (shop currency)", () => {
    it("compares with each operator, boundaries included where they should be", () => {
      expect(matched({ field: "order_total", op: "gt", amount: "119.99" })).toBe(true);
      expect(matched({ field: "order_total", op: "gt", amount: "120" })).toBe(false);
      expect(matched({ field: "order_total", op: "gte", amount: "120.0" })).toBe(true);
      expect(matched({ field: "order_total", op: "gte", amount: "120.01" })).toBe(false);
      expect(matched({ field: "order_total", op: "lt", amount: "120.01" })).toBe(true);
      expect(matched({ field: "order_total", op: "lt", amount: "120" })).toBe(false);
      expect(matched({ field: "order_total", op: "lte", amount: "120" })).toBe(true);
      expect(matched({ field: "order_total", op: "lte", amount: "119.999" })).toBe(false);
      expect(matched({ field: "order_total", op: "between", min: "120", max: "120" })).toBe(true);
      expect(matched({ field: "order_total", op: "between", min: "50", max: "119.99" })).toBe(false);
      expect(matched({ field: "order_total", op: "between", min: "120.01", max: "500" })).toBe(false);
    });

    it("has no floating point surprises", () => {
      // 0.1 + 0.2 in floating point is 0.30000000000000004.
      expect(matched({ field: "order_total", op: "lte", amount: "0.3" }, order({ totalPriceShop: "0.30" }))).toBe(true);
      expect(matched({ field: "order_total", op: "gte", amount: "100" }, order({ totalPriceShop: "99.999999999999999999" }))).toBe(false);
    });

    it("explains in the shop's currency", () => {
      expect(one({ field: "order_total", op: "gte", amount: "100" }).explanation).toEqual([
        "Order total: 120.00 PLN is at least 100 PLN.",
      ]);
      expect(one({ field: "order_total", op: "gt", amount: "200" }).explanation).toEqual([
        "Order total: 120.00 PLN is not more than 200 PLN.",
      ]);
      expect(one({ field: "order_total", op: "between", min: "150", max: "300" }).explanation).toEqual([
        "Order total: 120.00 PLN is not between 150 and 300 PLN.",
      ]);
    });

    it("does not match when the shop total is unknown", () => {
      const r = one({ field: "order_total", op: "lt", amount: "1000000" }, order({ totalPriceShop: null }));
      expect(r).toEqual({ matched: false, explanation: ["Order total: the order's total in the shop's currency is not known."] });
    });
  });

  describe("products, types, vendors, collections and tags", () => {
    it("matches product ids given as GIDs or plain numbers", () => {
      expect(matched({ field: "products", op: "includes_any", values: ["10"] })).toBe(true);
      expect(matched({ field: "products", op: "includes_any", values: ["gid://shopify/Product/11", "99"] })).toBe(true);
      expect(matched({ field: "products", op: "includes_any", values: ["99"] })).toBe(false);
      expect(matched({ field: "products", op: "includes_all", values: ["10", "11"] })).toBe(true);
      expect(matched({ field: "products", op: "includes_all", values: ["10", "12"] })).toBe(false);
      expect(matched({ field: "products", op: "includes_none", values: ["12"] })).toBe(true);
      expect(matched({ field: "products", op: "includes_none", values: ["12", "11"] })).toBe(false);
      // Products known only from OrderFacts still count.
      expect(matched({ field: "products", op: "includes_any", values: ["11"] }, order({ lineItems: [] }))).toBe(true);
    });

    it("matches product types and vendors ignoring case and spaces", () => {
      expect(matched({ field: "product_types", op: "includes_any", values: ["gift card"] })).toBe(true);
      expect(matched({ field: "product_types", op: "includes_all", values: ["Candle", " GIFT CARD "] })).toBe(true);
      expect(matched({ field: "product_types", op: "includes_any", values: ["Soap"] })).toBe(false);
      expect(matched({ field: "vendors", op: "includes_any", values: ["juniper & pine"] })).toBe(true);
      expect(matched({ field: "vendors", op: "includes_none", values: ["ACME"] })).toBe(false);
    });

    it("matches collections across all line items", () => {
      expect(matched({ field: "collections", op: "includes_all", values: ["500", "gid://shopify/Collection/501"] })).toBe(true);
      expect(matched({ field: "collections", op: "includes_any", values: ["502"] })).toBe(false);
    });

    it("keeps product tags and order tags apart", () => {
      expect(matched({ field: "product_tags", op: "includes_any", values: ["autumn"] })).toBe(true);
      expect(matched({ field: "order_tags", op: "includes_any", values: ["autumn"] })).toBe(false);
      expect(matched({ field: "order_tags", op: "includes_any", values: ["Wholesale"] })).toBe(true);
      expect(matched({ field: "product_tags", op: "includes_any", values: ["wholesale"] })).toBe(false);
    });

    it("matches customer tags", () => {
      expect(matched({ field: "customer_tags", op: "includes_any", values: ["vip"] })).toBe(true);
      expect(matched({ field: "customer_tags", op: "includes_none", values: ["vip"] })).toBe(false);
      expect(matched({ field: "customer_tags", op: "includes_any", values: ["vip"] }, order({ customerTags: [] }))).toBe(false);
    });

    it("says which values were found or missing", () => {
      expect(one({ field: "vendors", op: "includes_any", values: ["acme", "Other"] }).explanation).toEqual([
        'Vendors: found "Acme" (any of "acme", "Other").',
      ]);
      expect(one({ field: "product_types", op: "includes_any", values: ["Soap"] }).explanation).toEqual([
        'Product types: none of "Soap" found; the order has "Candle", "Gift Card".',
      ]);
      expect(one({ field: "collections", op: "includes_all", values: ["500", "502"] }).explanation).toEqual([
        'Collections: "502" not found; the flow needs all of "500", "502".',
      ]);
      expect(one({ field: "product_tags", op: "includes_all", values: ["autumn", "SOY"] }).explanation).toEqual([
        'Product tags: found all of "autumn", "SOY".',
      ]);
      expect(one({ field: "customer_tags", op: "includes_none", values: ["vip"] }).explanation).toEqual([
        'Customer tags: found "VIP", which the flow excludes.',
      ]);
      expect(one({ field: "customer_tags", op: "includes_any", values: ["b2b"] }, order({ customerTags: [] })).explanation).toEqual([
        'Customer tags: none of "b2b" found; the customer has none.',
      ]);
      expect(one({ field: "order_tags", op: "includes_none", values: ["test"] }).explanation).toEqual([
        'Order tags: none of "test" found.',
      ]);
    });
  });

  describe("customer type", () => {
    it("tells first from repeat customers by their order count", () => {
      expect(matched({ field: "customer_type", op: "is", value: "first" })).toBe(true);
      expect(matched({ field: "customer_type", op: "is", value: "repeat" })).toBe(false);
      expect(matched({ field: "customer_type", op: "is", value: "repeat" }, order({ customerOrdersCount: 2 }))).toBe(true);
      expect(matched({ field: "customer_type", op: "is", value: "first" }, order({ customerOrdersCount: 2 }))).toBe(false);
      expect(one({ field: "customer_type", op: "is", value: "first" }, order({ customerOrdersCount: 3 })).explanation).toEqual([
        "Customer: the customer has 3 orders; the flow is for first-time customers.",
      ]);
    });

    it("matches neither when the count is unknown (guest checkout)", () => {
      for (const value of ["first", "repeat"] as const) {
        const r = one({ field: "customer_type", op: "is", value }, order({ customerOrdersCount: null }));
        expect(r.matched).toBe(false);
        expect(r.explanation[0]).toMatch(/not known/);
      }
    });
  });

  describe("shipping country, language and sales channel", () => {
    it("matches the shipping country, ignoring case", () => {
      expect(matched({ field: "shipping_country", op: "in", values: ["pl", "DE"] })).toBe(true);
      expect(matched({ field: "shipping_country", op: "not_in", values: ["PL"] })).toBe(false);
      expect(matched({ field: "shipping_country", op: "not_in", values: ["DE"] })).toBe(true);
      expect(one({ field: "shipping_country", op: "not_in", values: ["PL"] }).explanation).toEqual([
        'Shipping country: "PL" is one of "PL", which the flow excludes.',
      ]);
    });

    it("matches a language to its regional locales, not the other way round", () => {
      expect(matched({ field: "customer_locale", op: "in", values: ["pl"] })).toBe(true);
      expect(matched({ field: "customer_locale", op: "in", values: ["pl-PL"] })).toBe(true);
      expect(matched({ field: "customer_locale", op: "in", values: ["pl_pl"] })).toBe(true);
      expect(matched({ field: "customer_locale", op: "in", values: ["pl-PL"] }, order({ locale: "pl" }))).toBe(false);
      expect(matched({ field: "customer_locale", op: "in", values: ["en"] }, order({ locale: "en-GB" }))).toBe(true);
      expect(matched({ field: "customer_locale", op: "in", values: ["en-US"] }, order({ locale: "en-GB" }))).toBe(false);
      // Whole subtags only: Finnish is not Filipino.
      expect(matched({ field: "customer_locale", op: "in", values: ["fi"] }, order({ locale: "fil-PH" }))).toBe(false);
      expect(matched({ field: "customer_locale", op: "in", values: ["fi"] }, order({ locale: "fi" }))).toBe(true);
      expect(matched({ field: "customer_locale", op: "not_in", values: ["de", "fr"] })).toBe(true);
    });

    it("matches the sales channel (source_name)", () => {
      expect(matched({ field: "sales_channel", op: "in", values: ["web", "pos"] })).toBe(true);
      expect(matched({ field: "sales_channel", op: "in", values: ["pos"] }, order({ sourceName: "shopify_draft_order" }))).toBe(false);
      expect(matched({ field: "sales_channel", op: "not_in", values: ["pos"] })).toBe(true);
    });

    it("does not guess when the order does not say", () => {
      for (const op of ["in", "not_in"] as const) {
        expect(matched({ field: "shipping_country", op, values: ["PL"] }, order({ countryCode: null }))).toBe(false);
        expect(matched({ field: "customer_locale", op, values: ["pl"] }, order({ locale: null }))).toBe(false);
        expect(matched({ field: "sales_channel", op, values: ["web"] }, order({ sourceName: null }))).toBe(false);
      }
      expect(one({ field: "shipping_country", op: "in", values: ["PL"] }, order({ countryCode: null })).explanation).toEqual([
        'Shipping country: the order does not say, so it cannot be checked against "PL".',
      ]);
    });
  });

  describe("discount codes", () => {
    it("checks whether any code was used", () => {
      expect(matched({ field: "discount_code", op: "used" })).toBe(true);
      expect(matched({ field: "discount_code", op: "not_used" })).toBe(false);
      expect(matched({ field: "discount_code", op: "used" }, order({ discountCodes: [] }))).toBe(false);
      expect(matched({ field: "discount_code", op: "not_used" }, order({ discountCodes: [] }))).toBe(true);
      expect(one({ field: "discount_code", op: "not_used" }).explanation).toEqual([
        'Discount codes: the order used "WELCOME10"; the flow is for orders without a discount code.',
      ]);
    });

    it("matches specific codes ignoring case", () => {
      expect(matched({ field: "discount_code", op: "includes_any", values: ["welcome10"] })).toBe(true);
      expect(matched({ field: "discount_code", op: "includes_any", values: ["SUMMER"] })).toBe(false);
      expect(matched({ field: "discount_code", op: "includes_none", values: ["Welcome10"] })).toBe(false);
      expect(matched({ field: "discount_code", op: "includes_none", values: ["SUMMER"] })).toBe(true);
    });
  });

  describe("groups", () => {
    const tree: ConditionGroup = {
      all: [
        { field: "order_total", op: "gte", amount: "100" },
        {
          any: [
            { field: "shipping_country", op: "in", values: ["DE"] },
            { field: "customer_tags", op: "includes_any", values: ["vip"] },
          ],
        },
      ],
    };

    it("explains every condition that made an order match", () => {
      expect(evaluateConditions({ conditions: tree, order: order() })).toEqual({
        matched: true,
        explanation: ["Order total: 120.00 PLN is at least 100 PLN.", 'Customer tags: found "VIP" (any of "vip").'],
      });
    });

    it("names only the conditions that failed", () => {
      const r = evaluateConditions({ conditions: tree, order: order({ totalPriceShop: "80.00" }) });
      expect(r).toEqual({ matched: false, explanation: ["Order total: 80.00 PLN is less than 100 PLN."] });
    });

    it("lists the alternatives when none of an any-group matched", () => {
      const r = evaluateConditions({ conditions: tree, order: order({ customerTags: [] }) });
      expect(r).toEqual({
        matched: false,
        explanation: [
          "None of these matched:",
          '  Shipping country: "PL" is not one of "DE".',
          '  Customer tags: none of "vip" found; the customer has none.',
        ],
      });
    });

    it("reports a failure in every failing branch", () => {
      const r = evaluateConditions({ conditions: tree, order: order({ totalPriceShop: "5", customerTags: [] }) });
      expect(r.matched).toBe(false);
      expect(r.explanation).toHaveLength(4);
      expect(r.explanation[0]).toMatch(/^Order total/);
    });

    it("matches a top-level any-group on one branch", () => {
      const r = evaluateConditions({
        conditions: { any: [{ field: "vendors", op: "includes_any", values: ["Nobody"] }, { field: "discount_code", op: "used" }] },
        order: order(),
      });
      expect(r.matched).toBe(true);
      expect(r.explanation).toEqual(['Discount codes: the order used "WELCOME10"; the flow is for orders with a discount code.']);
    });

    it("refuses invalid conditions rather than guessing", () => {
      expect(() =>
        evaluateConditions({ conditions: { all: [{ field: "weather", op: "is", value: "sunny" }] } as never, order: order() }),
      ).toThrow(InvalidConditionsError);
    });
  });
});

describe("validateConditions", () => {
  it("accepts every kind of condition", () => {
    const all: ConditionGroup = {
      all: [
        { field: "order_total", op: "gt", amount: "50" },
        { field: "order_total", op: "between", min: "10.5", max: "99.99" },
        { field: "products", op: "includes_any", values: ["gid://shopify/Product/1", "2"] },
        { field: "product_types", op: "includes_all", values: ["Candle"] },
        { field: "vendors", op: "includes_none", values: ["Acme"] },
        { field: "collections", op: "includes_any", values: ["gid://shopify/Collection/7"] },
        { field: "product_tags", op: "includes_any", values: ["sale"] },
        { field: "order_tags", op: "includes_any", values: ["b2b"] },
        { field: "customer_tags", op: "includes_none", values: ["staff"] },
        { field: "customer_type", op: "is", value: "repeat" },
        { field: "shipping_country", op: "in", values: ["PL"] },
        { field: "customer_locale", op: "not_in", values: ["pl", "en-US", "zh-Hant-TW"] },
        { field: "sales_channel", op: "in", values: ["web"] },
        { any: [{ field: "discount_code", op: "used" }, { field: "discount_code", op: "includes_any", values: ["X"] }] },
      ],
    };
    expect(validateConditions(all)).toEqual([]);
  });

  it("names every problem with its path", () => {
    const problems = validateConditions(
      {
        all: [
          { field: "order_total", op: "gte", amount: 50 },
          { field: "order_total", op: "between", min: "100", max: "10" },
          { field: "products", op: "includes_any", values: ["shirt"] },
          { field: "vendors", op: "in", values: [] },
          { field: "weather", op: "is" },
          { field: "customer_type", op: "is", value: "new" },
          { field: "shipping_country", op: "in", values: ["Poland"], extra: 1 },
          { any: [] },
          "vip",
          { field: "discount_code", op: "includes_all", values: ["X"] },
          { field: "customer_locale", op: "in", values: ["", "pl"] },
        ],
      },
      "/flows/0/conditions",
    );
    expect(problems).toEqual([
      '/flows/0/conditions/all/0/amount: must be an amount as a string, like "50" or "49.90"',
      "/flows/0/conditions/all/1/max: must not be below min (100)",
      '/flows/0/conditions/all/2/values/0: "shirt" is not a product id like gid://shopify/Product/123 or 123',
      "/flows/0/conditions/all/3/op: must be one of includes_any, includes_all, includes_none",
      "/flows/0/conditions/all/3/values: must be a non-empty list",
      expect.stringMatching(/^\/flows\/0\/conditions\/all\/4\/field: must be one of order_total, products/),
      "/flows/0/conditions/all/5/value: must be one of first, repeat",
      "/flows/0/conditions/all/6/extra: is not allowed here (allowed: field, op, values)",
      '/flows/0/conditions/all/6/values/0: "Poland" is not a two-letter country code like PL',
      "/flows/0/conditions/all/7/any: must be a non-empty list of conditions",
      "/flows/0/conditions/all/8: must be an object",
      "/flows/0/conditions/all/9/op: must be one of used, not_used, includes_any, includes_none",
      "/flows/0/conditions/all/10/values/0: must be a non-empty string",
    ]);
  });

  it("requires a group at the top, and one kind per group", () => {
    expect(validateConditions({ field: "discount_code", op: "used" })).toEqual([
      '(conditions): must be a group: { "all": [...] } or { "any": [...] }',
    ]);
    expect(validateConditions([])).toEqual(["(conditions): must be an object"]);
    expect(validateConditions({ all: [{ field: "discount_code", op: "used" }], any: [] })).toEqual([
      '(conditions): use either "all" or "any" in one group, not both',
      "/any: is not allowed here (allowed: all)",
    ]);
    expect(validateConditions({ all: [{ op: "used" }] })).toEqual([
      '/all/0: must be a group ({ "all": [...] } or { "any": [...] }) or a condition with a field',
    ]);
  });

  it("limits depth and size so a flow stays readable", () => {
    const leaf: LeafCondition = { field: "discount_code", op: "used" };
    const deep = { all: [{ any: [{ all: [{ any: [{ all: [leaf] }] }] }] }] };
    expect(validateConditions({ all: [{ any: [{ all: [{ any: [leaf] }] }] }] })).toEqual([]);
    expect(validateConditions(deep)).toEqual([
      "/all/0/any/0/all/0/any/0: groups nest more than 4 deep; simplify the conditions",
    ]);
    expect(validateConditions({ any: Array.from({ length: 51 }, () => leaf) })).toEqual([
      "(conditions): has 51 conditions; at most 50 are allowed",
    ]);
    expect(validateConditions({ any: [{ field: "order_tags", op: "includes_any", values: Array.from({ length: 251 }, (_, i) => `t${i}`) }] })).toEqual([
      "/any/0/values: has 251 entries; at most 250 are allowed",
    ]);
  });
});

describe("send-time conditions", () => {
  const VIP = "gid://shopify/Segment/1";
  const LAPSED = "gid://shopify/Segment/2";
  const segments = { [VIP]: { name: "VIP customers", member: true }, [LAPSED]: { name: "Lapsed", member: false } };
  const all = (...leaves: LeafCondition[]): ConditionGroup => ({ all: leaves });

  it("customer segments: in and not in, by id or number, named in the explanation", () => {
    const at = order({ sendTime: { segments } });
    expect(evaluateConditions({ conditions: all({ field: "customer_segment", op: "in", values: ["1"] }), order: at })).toEqual({
      matched: true,
      explanation: ['Customer segment: the customer is in "VIP customers".'],
    });
    expect(evaluateConditions({ conditions: all({ field: "customer_segment", op: "in", values: [LAPSED] }), order: at })).toEqual({
      matched: false,
      explanation: ['Customer segment: the customer is not in "Lapsed".'],
    });
    expect(evaluateConditions({ conditions: all({ field: "customer_segment", op: "not_in", values: [VIP, LAPSED] }), order: at }).explanation).toEqual([
      'Customer segment: the customer is in "VIP customers", which the flow excludes.',
    ]);
  });

  it("an unknown membership (not asked, or a guest) never matches", () => {
    for (const op of ["in", "not_in"] as const) {
      const result = evaluateConditions({ conditions: all({ field: "customer_segment", op, values: [VIP] }), order: order() });
      expect(result.matched).toBe(false);
      expect(result.explanation[0]).toMatch(/membership of "gid:\/\/shopify\/Segment\/1" is not known/);
    }
  });

  it("the previous step: opened or clicked, clicked, neither; not sent counts as neither", () => {
    const previous = (p: { sent?: boolean; opened?: boolean; clicked?: boolean } | null) =>
      order({ sendTime: { previousStep: p && { name: "Step 1", sent: p.sent ?? true, opened: p.opened ?? false, clicked: p.clicked ?? false } } });
    const check = (op: "opened_or_clicked" | "clicked" | "not_opened_or_clicked", o: OrderContext) =>
      evaluateConditions({ conditions: all({ field: "previous_step", op }), order: o, scope: "step" }).matched;
    expect(check("opened_or_clicked", previous({ opened: true }))).toBe(true);
    expect(check("clicked", previous({ opened: true }))).toBe(false);
    expect(check("clicked", previous({ clicked: true }))).toBe(true);
    expect(check("not_opened_or_clicked", previous({}))).toBe(true);
    expect(check("not_opened_or_clicked", previous({ sent: false }))).toBe(true);
    expect(check("opened_or_clicked", previous({ sent: false }))).toBe(false);
    expect(check("opened_or_clicked", previous(null))).toBe(false);
  });

  it("ordered again: no and yes", () => {
    const again = order({ sendTime: { orderedAgainAt: new Date("2026-12-02T10:00:00Z") } });
    const not = order({ sendTime: { orderedAgainAt: null } });
    const check = (op: "no" | "yes", o: OrderContext) => evaluateConditions({ conditions: all({ field: "ordered_again", op }), order: o, scope: "step" });
    expect(check("no", not).matched).toBe(true);
    expect(check("no", again)).toEqual({
      matched: false,
      explanation: ["Ordered again: the customer ordered again on 2026-12-02; this step is for customers who have not ordered since."],
    });
    expect(check("yes", again).matched).toBe(true);
    expect(check("yes", order()).matched).toBe(false);
  });

  it("step-only fields are refused in entry conditions; segments need segment ids", () => {
    expect(validateConditions(all({ field: "previous_step", op: "clicked" }))).toEqual([
      "/all/0/field: previous_step can only be used in a step's conditions, not the flow's entry conditions",
    ]);
    expect(validateConditions(all({ field: "previous_step", op: "clicked" }), "", "step")).toEqual([]);
    expect(validateConditions({ all: [{ field: "customer_segment", op: "in", values: ["VIP"] }] })).toEqual([
      '/all/0/values/0: "VIP" is not a segment id like gid://shopify/Segment/123 or 123',
    ]);
    expect(validateConditions({ all: [{ field: "ordered_again", op: "maybe" }] }, "", "step")).toEqual(["/all/0/op: must be one of no, yes"]);
  });
});
