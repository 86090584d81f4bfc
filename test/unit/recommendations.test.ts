import { describe, expect, it } from "vitest";
import { exclusionReason, pickRecommendations, toProductGid } from "../../app/domain/recommendations";
import type { CandidateProduct } from "../../app/domain/recommendations.types";
import { TtlCache } from "../../app/adapters/shopify-admin/cache";
import type { AdminClient } from "../../app/adapters/shopify-admin/client.server";
import { operationName } from "../../app/adapters/shopify-admin/client.server";
import {
  createRecommendationCache,
  fetchRecommendations,
  pricingContext,
} from "../../app/adapters/shopify-admin/recommendations.server";

const gidOf = (n: number) => `gid://shopify/Product/${n}`;

function product(n: number, overrides: Partial<CandidateProduct> = {}): CandidateProduct {
  return {
    id: gidOf(n),
    title: `Product ${n}`,
    handle: `product-${n}`,
    status: "ACTIVE",
    onlineStoreUrl: `https://shop.example/products/product-${n}`,
    imageUrl: `https://cdn.example/${n}.jpg`,
    imageAlt: `Product ${n}`,
    price: { amount: `${n}.00`, currencyCode: "USD" },
    availableForSale: true,
    totalInventory: 10,
    tracksInventory: true,
    ...overrides,
  };
}

const ids = (picked: { id: string }[]) => picked.map((p) => Number(p.id.split("/").pop()));

describe("pickRecommendations", () => {
  const none = { complementary: [], related: [], bestSellers: [] };

  it("recommends complementary products first, then related, then best sellers", () => {
    const picked = pickRecommendations({
      purchasedProductIds: [gidOf(1)],
      complementary: [product(10), product(11)],
      related: [product(20)],
      bestSellers: [product(30), product(31)],
      limit: 10,
    });
    expect(ids(picked)).toEqual([10, 11, 20, 30, 31]);
    expect(picked.map((p) => p.source)).toEqual(["complementary", "complementary", "related", "best_seller", "best_seller"]);
  });

  it("returns what an email card needs", () => {
    const [picked] = pickRecommendations({ ...none, purchasedProductIds: [], complementary: [product(7)] });
    expect(picked).toEqual({
      id: gidOf(7),
      title: "Product 7",
      url: "https://shop.example/products/product-7",
      imageUrl: "https://cdn.example/7.jpg",
      imageAlt: "Product 7",
      price: { amount: "7.00", currencyCode: "USD" },
      source: "complementary",
    });
  });

  it("stops at four by default and at the limit asked for", () => {
    const many = [1, 2, 3, 4, 5, 6].map((n) => product(100 + n));
    expect(pickRecommendations({ ...none, purchasedProductIds: [], related: many })).toHaveLength(4);
    expect(pickRecommendations({ ...none, purchasedProductIds: [], related: many, limit: 2 })).toHaveLength(2);
    expect(pickRecommendations({ ...none, purchasedProductIds: [], related: many, limit: 0 })).toEqual([]);
    expect(pickRecommendations({ ...none, purchasedProductIds: [], related: many, limit: -1 })).toEqual([]);
  });

  it("keeps a product once, under the first source that named it", () => {
    const picked = pickRecommendations({
      purchasedProductIds: [],
      complementary: [product(5)],
      related: [product(6), product(5)],
      bestSellers: [product(6), product(7), product(5)],
    });
    expect(ids(picked)).toEqual([5, 6, 7]);
    expect(picked.map((p) => p.source)).toEqual(["complementary", "related", "best_seller"]);
  });

  it("drops products that are in the order, whether the order names them by GID or numeric id", () => {
    const picked = pickRecommendations({
      ...none,
      purchasedProductIds: [gidOf(1), 2],
      complementary: [product(1), product(2), product(3)],
    });
    expect(ids(picked)).toEqual([3]);
  });

  it.each(["ARCHIVED", "DRAFT", "UNLISTED"])("drops %s products", (status) => {
    const picked = pickRecommendations({ ...none, purchasedProductIds: [], related: [product(1, { status }), product(2)] });
    expect(ids(picked)).toEqual([2]);
  });

  it("drops products not published to the Online Store (no onlineStoreUrl)", () => {
    const picked = pickRecommendations({
      ...none,
      purchasedProductIds: [],
      related: [product(1, { onlineStoreUrl: null }), product(2)],
    });
    expect(ids(picked)).toEqual([2]);
  });

  it("drops products with no variant available for sale", () => {
    const picked = pickRecommendations({
      ...none,
      purchasedProductIds: [],
      related: [product(1, { availableForSale: false }), product(2)],
    });
    expect(ids(picked)).toEqual([2]);
  });

  it("drops tracked products with no stock, even when they may be oversold", () => {
    const picked = pickRecommendations({
      ...none,
      purchasedProductIds: [],
      related: [
        product(1, { totalInventory: 0 }), // sold out
        product(2, { totalInventory: -3 }), // oversold, "continue selling" on
        product(3, { totalInventory: null }),
        product(4, { totalInventory: 1 }),
        product(5, { tracksInventory: false, totalInventory: 0 }), // not tracked: always in stock
      ],
    });
    expect(ids(picked)).toEqual([4, 5]);
  });

  it("fills from later sources when earlier ones are filtered out", () => {
    const picked = pickRecommendations({
      purchasedProductIds: [gidOf(1)],
      complementary: [product(1), product(2, { status: "DRAFT" })],
      related: [product(3, { availableForSale: false })],
      bestSellers: [product(4), product(5)],
      limit: 2,
    });
    expect(ids(picked)).toEqual([4, 5]);
    expect(picked.every((p) => p.source === "best_seller")).toBe(true);
  });

  it("drops products the customer bought in earlier orders, and fills from later sources", () => {
    const picked = pickRecommendations({
      purchasedProductIds: [gidOf(1)],
      boughtBeforeProductIds: ["2", gidOf(4)],
      complementary: [product(2), product(3)],
      related: [product(4)],
      bestSellers: [product(5)],
      limit: 2,
    });
    expect(ids(picked)).toEqual([3, 5]);
  });

  it("names why a product is left out", () => {
    const purchased = new Set([gidOf(1)]);
    expect(exclusionReason(product(1), purchased)).toBe("in_order");
    expect(exclusionReason(product(1), purchased, new Set([gidOf(1)]))).toBe("in_order");
    expect(exclusionReason(product(6), purchased, new Set([gidOf(6)]))).toBe("bought_before");
    expect(exclusionReason(product(2, { status: "ARCHIVED" }), purchased)).toBe("not_active");
    expect(exclusionReason(product(2, { onlineStoreUrl: null }), purchased)).toBe("not_on_online_store");
    expect(exclusionReason(product(2, { availableForSale: false }), purchased)).toBe("out_of_stock");
    expect(exclusionReason(product(2, { totalInventory: 0 }), purchased)).toBe("out_of_stock");
    expect(exclusionReason(product(2), purchased)).toBeNull();
  });

  it("turns numeric ids into product GIDs and leaves GIDs alone", () => {
    expect(toProductGid(42)).toBe("gid://shopify/Product/42");
    expect(toProductGid(" 42 ")).toBe("gid://shopify/Product/42");
    expect(toProductGid("gid://shopify/Product/42")).toBe("gid://shopify/Product/42");
  });
});

describe("TtlCache", () => {
  it("forgets an entry once its time is up", () => {
    let now = 0;
    const cache = new TtlCache<string>({ ttlMs: 1000, now: () => now });
    cache.set("a", "apple");
    now = 999;
    expect(cache.get("a")).toBe("apple");
    now = 1000;
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("lets one entry live longer or shorter than the default", () => {
    let now = 0;
    const cache = new TtlCache<string>({ ttlMs: 1000, now: () => now });
    cache.set("short", "s", 10);
    cache.set("long", "l", 5000);
    now = 2000;
    expect(cache.get("short")).toBeUndefined();
    expect(cache.get("long")).toBe("l");
  });

  it("keeps at most maxEntries, dropping the least recently used", () => {
    const cache = new TtlCache<number>({ maxEntries: 2, now: () => 0 });
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1); // a is now more recent than b
    cache.set("c", 3);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(1);
    expect(cache.get("c")).toBe(3);
    expect(cache.size).toBe(2);
  });

  it("defaults to a few minutes", () => {
    let now = 0;
    const cache = new TtlCache<string>({ now: () => now });
    cache.set("a", "x");
    now = 60_000;
    expect(cache.get("a")).toBe("x");
    now = 60 * 60_000;
    expect(cache.get("a")).toBeUndefined();
  });

  it("refuses nonsense sizes", () => {
    expect(() => new TtlCache({ ttlMs: -1 })).toThrow(/0 \(off\) or more/);
    expect(() => new TtlCache({ ttlMs: Number.NaN })).toThrow();
    expect(() => new TtlCache({ maxEntries: 0 })).toThrow();
  });

  it("keeps nothing with a time to live of 0 (RECOMMENDATION_CACHE_MS=0 turns it off)", () => {
    const cache = new TtlCache<string>({ ttlMs: 0 });
    cache.set("a", "x");
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe("pricingContext", () => {
  it("asks for market prices only when the order's currency differs and the country is known", () => {
    expect(pricingContext({ currencyCode: "PLN", countryCode: "pl", shopCurrency: "USD" }).variables).toEqual({
      country: "PL",
      withContextualPricing: true,
    });
    expect(pricingContext({ currencyCode: "USD", countryCode: "PL", shopCurrency: "USD" }).variables).toEqual({
      country: null,
      withContextualPricing: false,
    });
    expect(pricingContext({ currencyCode: "PLN", countryCode: null, shopCurrency: "USD" }).variables).toEqual({
      country: null,
      withContextualPricing: false,
    });
    expect(pricingContext({ currencyCode: "PLN", countryCode: "Poland", shopCurrency: "USD" }).key).toBe("shop");
  });
});

// A stand-in for the Admin API adapter, answering each operation from a table.
function fakeClient(answers: Record<string, (variables: Record<string, unknown>) => unknown>) {
  const calls: { operation: string; variables: Record<string, unknown> }[] = [];
  const client: AdminClient = {
    shop: "fake.myshopify.com",
    apiVersion: "2025-10",
    url: "https://fake.myshopify.com/admin/api/2025-10/graphql.json",
    async request<TData>(document: string, variables?: object) {
      const operation = operationName(document);
      calls.push({ operation, variables: (variables ?? {}) as Record<string, unknown> });
      const answer = answers[operation];
      if (!answer) throw new Error(`unexpected ${operation}`);
      return answer((variables ?? {}) as Record<string, unknown>) as TData;
    },
  };
  return { client, calls };
}

function apiProduct(n: number, overrides: Record<string, unknown> = {}) {
  return {
    id: gidOf(n),
    title: `Product ${n}`,
    handle: `product-${n}`,
    status: "ACTIVE",
    onlineStoreUrl: `https://shop.example/products/product-${n}`,
    featuredMedia: { preview: { image: { url: `https://cdn.example/${n}.jpg`, altText: null } } },
    priceRangeV2: { minVariantPrice: { amount: `${n}.0`, currencyCode: "USD" } },
    totalInventory: 5,
    tracksInventory: true,
    variants: { nodes: [{ availableForSale: true }] },
    ...overrides,
  };
}

function inputsNode(n: number, { complementary = [] as unknown[], related = [] as unknown[], collections = [] as string[] } = {}) {
  return {
    id: gidOf(n),
    complementary: complementary.length ? { references: { nodes: complementary } } : null,
    related: related.length ? { references: { nodes: related } } : null,
    collections: { nodes: collections.map((id) => ({ id })) },
  };
}

describe("fetchRecommendations (adapter mapping)", () => {
  it("uses contextual prices when the order is in another currency and the country is known", async () => {
    const { client, calls } = fakeClient({
      RecommendationInputs: () => ({
        nodes: [
          inputsNode(1, {
            complementary: [
              apiProduct(2, {
                contextualPricing: { minVariantPricing: { price: { amount: "9.5", currencyCode: "PLN" } } },
              }),
            ],
          }),
        ],
      }),
    });
    const picked = await fetchRecommendations({
      client,
      productIds: [gidOf(1)],
      currencyCode: "PLN",
      countryCode: "PL",
      shopCurrency: "USD",
      cache: createRecommendationCache(),
    });
    expect(picked).toEqual([
      expect.objectContaining({ id: gidOf(2), price: { amount: "9.5", currencyCode: "PLN" }, imageAlt: null }),
    ]);
    expect(calls[0]!.variables).toEqual({ ids: [gidOf(1)], country: "PL", withContextualPricing: true });
  });

  it("uses the shop's price otherwise", async () => {
    const { client, calls } = fakeClient({
      RecommendationInputs: () => ({ nodes: [inputsNode(1, { related: [apiProduct(3)] })] }),
    });
    const picked = await fetchRecommendations({
      client,
      productIds: ["1"],
      currencyCode: "USD",
      shopCurrency: "USD",
      cache: createRecommendationCache(),
    });
    expect(picked.map((p) => [p.id, p.price, p.source])).toEqual([
      [gidOf(3), { amount: "3.0", currencyCode: "USD" }, "related"],
    ]);
    expect(calls[0]!.variables).toMatchObject({ country: null, withContextualPricing: false });
  });

  it("asks for best sellers only when the merchant's recommendations leave room", async () => {
    const { client, calls } = fakeClient({
      RecommendationInputs: () => ({
        nodes: [
          inputsNode(1, {
            complementary: [apiProduct(2), null, {}], // a deleted product and a non-product reference
            collections: ["gid://shopify/Collection/7", "gid://shopify/Collection/8"],
          }),
        ],
      }),
      CollectionBestSellers: ({ id }) => ({
        collection: {
          id,
          products: {
            nodes: id === "gid://shopify/Collection/7" ? [apiProduct(1), apiProduct(4)] : [apiProduct(5), apiProduct(6)],
          },
        },
      }),
    });
    const options = { client, productIds: [gidOf(1)], currencyCode: "USD", shopCurrency: "USD" };

    const two = await fetchRecommendations({ ...options, cache: createRecommendationCache(), limit: 1 });
    expect(ids(two)).toEqual([2]);
    expect(calls.map((c) => c.operation)).toEqual(["RecommendationInputs"]);

    calls.length = 0;
    const four = await fetchRecommendations({ ...options, cache: createRecommendationCache(), limit: 3 });
    expect(ids(four)).toEqual([2, 4, 5]);
    expect(four.map((p) => p.source)).toEqual(["complementary", "best_seller", "best_seller"]);
    expect(calls.map((c) => c.operation)).toEqual(["RecommendationInputs", "CollectionBestSellers", "CollectionBestSellers"]);
  });

  it("reads each product once per cache lifetime and batches large orders", async () => {
    const { client, calls } = fakeClient({
      RecommendationInputs: ({ ids: asked }) => ({
        nodes: (asked as string[]).map((id) => (id === gidOf(4) ? null : inputsNode(Number(id.split("/").pop())))),
      }),
    });
    let now = 0;
    const cache = createRecommendationCache({ ttlMs: 60_000, now: () => now });
    const options = { client, currencyCode: "USD", shopCurrency: "USD", cache };

    await fetchRecommendations({ ...options, productIds: [1, 2, 3, 4] });
    expect(calls.map((c) => c.variables.ids)).toEqual([[gidOf(1), gidOf(2), gidOf(3)], [gidOf(4)]]);

    calls.length = 0;
    await fetchRecommendations({ ...options, productIds: [2, 4, 5] });
    expect(calls.map((c) => c.variables.ids)).toEqual([[gidOf(5)]]);

    calls.length = 0;
    await fetchRecommendations({ ...options, productIds: [2], currencyCode: "EUR", countryCode: "DE" });
    expect(calls.map((c) => c.variables.ids)).toEqual([[gidOf(2)]]); // other prices, other entry

    calls.length = 0;
    now = 60_000;
    await fetchRecommendations({ ...options, productIds: [2] });
    expect(calls.map((c) => c.variables.ids)).toEqual([[gidOf(2)]]);
  });

  it("asks nothing for an order without products", async () => {
    const { client, calls } = fakeClient({});
    expect(await fetchRecommendations({ client, productIds: [], currencyCode: "USD", shopCurrency: "USD" })).toEqual([]);
    expect(calls).toEqual([]);
  });
});
