// What a signed body can say of its own shop and topic (app/domain/webhook-payloads.ts), and the
// odd payload text and dates order facts refuse or clean before anything is stored.
import { describe, expect, it } from "vitest";
import {
  assertCancelledOrder,
  assertComplianceShop,
  assertShopResource,
  assertTopicOfRoute,
  orderShopFromStatusUrl,
  RefusedWebhookPayloadError,
  shopProfileFromWebhook,
} from "~/domain/webhook-payloads";
import { InvalidOrderPayloadError, orderFactsFromWebhook } from "~/domain/order-facts";
import { consentFromWebhook } from "~/domain/consent";

const SHOP = "juniper.myshopify.com";

function refusal(fn: () => void): { reason: string; problems: string[] } | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof RefusedWebhookPayloadError || e instanceof InvalidOrderPayloadError) {
      return { reason: e instanceof RefusedWebhookPayloadError ? e.reason : "invalid_payload", problems: e.problems };
    }
    throw e;
  }
}

describe("binding a body to its topic and shop", () => {
  it("the route's topic must be the X-Shopify-Topic header, in any of Shopify's spellings", () => {
    expect(refusal(() => assertTopicOfRoute("orders/create", "ORDERS_CREATE"))).toBeNull();
    expect(refusal(() => assertTopicOfRoute("customers/email_marketing_consent/update", "CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE"))).toBeNull();
    expect(refusal(() => assertTopicOfRoute("app/uninstalled", "ORDERS_CREATE"))).toMatchObject({ reason: "topic_mismatch" });
  });

  it("app/uninstalled's myshopify_domain and the compliance bodies' shop_domain must be the shop", () => {
    expect(refusal(() => assertShopResource({ myshopify_domain: "Juniper.myshopify.com" }, SHOP))).toBeNull();
    expect(refusal(() => assertShopResource({ myshopify_domain: "other.myshopify.com" }, SHOP))).toMatchObject({ reason: "shop_mismatch" });
    for (const body of [null, [], { id: 1, line_items: [] }]) {
      expect(refusal(() => assertShopResource(body, SHOP))).toMatchObject({ reason: "wrong_shape" });
      expect(refusal(() => assertComplianceShop(body, SHOP))).toMatchObject({ reason: "wrong_shape" });
    }
    expect(refusal(() => assertComplianceShop({ shop_domain: "other.myshopify.com" }, SHOP))).toMatchObject({ reason: "shop_mismatch" });
  });

  it("an order that is not cancelled is not an orders/cancelled body", () => {
    expect(refusal(() => assertCancelledOrder({ id: 1, cancelled_at: null }))).toMatchObject({ reason: "wrong_shape" });
    expect(refusal(() => assertCancelledOrder({ id: 1, cancelled_at: "2025-10-01T10:00:00Z" }))).toBeNull();
  });

  it("order_status_url tells whose order it is only on a myshopify domain or the shop's known storefront", () => {
    const url = (host: string) => ({ order_status_url: `https://${host}/71234567890/orders/abc/authenticate?key=k` });
    const args = { shop: SHOP, storefrontUrl: "https://juniper.example" };
    expect(orderShopFromStatusUrl({ payload: url(SHOP), ...args })).toBe("this shop");
    expect(orderShopFromStatusUrl({ payload: url("juniper.example"), ...args })).toBe("this shop");
    expect(orderShopFromStatusUrl({ payload: url("other.myshopify.com"), ...args })).toBe("another shop");
    expect(orderShopFromStatusUrl({ payload: url("elsewhere.example"), ...args })).toBe("unknown");
    expect(orderShopFromStatusUrl({ payload: url("juniper.example"), shop: SHOP, storefrontUrl: null })).toBe("unknown");
    expect(orderShopFromStatusUrl({ payload: { order_status_url: "not a url" }, ...args })).toBe("unknown");
    expect(orderShopFromStatusUrl({ payload: {}, ...args })).toBe("unknown");
  });
});

describe("shop/update's body as the shop's profile", () => {
  const body = {
    id: 1,
    name: "Juniper",
    email: "owner@juniper.example",
    customer_email: "hello@juniper.example",
    myshopify_domain: SHOP,
    iana_timezone: "Europe/Warsaw",
    currency: "PLN",
    address1: "ul. Złota 44",
    address2: "",
    city: "Warszawa",
    zip: "00-120",
    province: null,
    country_name: "Poland",
    primary_locale: "pl",
  };

  it("keeps the contact address for customers and the owner's apart, and the address on one line", () => {
    expect(shopProfileFromWebhook(body, SHOP)).toEqual({
      name: "Juniper",
      email: "hello@juniper.example",
      ownerEmail: "owner@juniper.example",
      currencyCode: "PLN",
      ianaTimezone: "Europe/Warsaw",
      primaryLocale: "pl",
      address: "ul. Złota 44, 00-120 Warszawa, Poland",
    });
    expect(shopProfileFromWebhook({ ...body, customer_email: null }, SHOP).email).toBe("owner@juniper.example");
  });

  it("leaves out what the body lacks, so a short body clears nothing", () => {
    expect(shopProfileFromWebhook({ myshopify_domain: SHOP, name: "Juniper" }, SHOP)).toEqual({ name: "Juniper" });
  });

  it("refuses another shop's body, an unknown time zone, a currency that is no ISO code and a name that is not text", () => {
    expect(refusal(() => shopProfileFromWebhook({ ...body, myshopify_domain: "other.myshopify.com" }, SHOP))?.reason).toBe("shop_mismatch");
    expect(refusal(() => shopProfileFromWebhook({ ...body, iana_timezone: "Mars/Olympus" }, SHOP))?.problems).toEqual(['iana_timezone "Mars/Olympus" is not an IANA time zone']);
    expect(refusal(() => shopProfileFromWebhook({ ...body, currency: "zloty" }, SHOP))?.reason).toBe("wrong_shape");
    expect(refusal(() => shopProfileFromWebhook({ ...body, name: 7 }, SHOP))?.problems).toEqual(["name is not a string"]);
  });
});

describe("odd but signed order payloads", () => {
  const order = (over: Record<string, unknown> = {}) => ({
    id: 1001,
    name: "#1001",
    email: "ada@example.com",
    currency: "EUR",
    total_price: "10.00",
    line_items: [{ product_id: 5, quantity: 1 }],
    created_at: "2025-10-01T10:00:00Z",
    ...over,
  });

  it("a date outside 1970-2999 is a problem named by its field", () => {
    for (const created_at of ["+275760-09-13T00:00:00.000Z", "3000-01-01T00:00:00Z", "1969-12-31T23:59:59Z"]) {
      expect(refusal(() => orderFactsFromWebhook(order({ created_at })))?.problems).toEqual([expect.stringMatching(/^created_at .* is not a date between 1970 and 2999$/)]);
    }
    expect(refusal(() => orderFactsFromWebhook(order({ cancelled_at: "+275760-09-13T00:00:00.000Z" })))?.problems).toEqual([expect.stringMatching(/^cancelled_at/)]);
  });

  it("an id that is not a 64-bit integer is no id", () => {
    for (const id of [1.5, 1e21, "12345678901234567890123", -3, Number.NaN]) {
      expect(refusal(() => orderFactsFromWebhook(order({ id })))?.problems).toContain("id is missing or not numeric");
    }
    expect(refusal(() => orderFactsFromWebhook(order({ id: null, admin_graphql_api_id: "gid://shopify/Order/abc" })))?.problems).toContain("id is missing or not numeric");
  });

  it("text keeps no NUL and no lone surrogate", () => {
    const facts = orderFactsFromWebhook(order({ name: "#10\u000001", customer: { first_name: "Ada\ud800", tags: "vip\u0000, x\udfff" } }));
    expect(facts.name).toBe("#1001");
    expect(facts.firstName).toBe("Ada\ufffd");
    expect(facts.customerTags).toEqual(["vip", "x\ufffd"]);
    expect(orderFactsFromWebhook(order({ name: "#1\ud83d\ude00" })).name).toBe("#1\ud83d\ude00");
  });

  it("a consent change's address keeps no NUL either", () => {
    const change = consentFromWebhook({ customer_id: 5, email_address: "Ada\u0000@Example.com", email_marketing_consent: { state: "subscribed" } });
    expect(change.email).toBe("ada@example.com");
  });

  it("an address longer than mail allows is no address", () => {
    expect(orderFactsFromWebhook(order({ email: `${"a".repeat(250)}@example.com` })).email).toBeNull();
  });
});
