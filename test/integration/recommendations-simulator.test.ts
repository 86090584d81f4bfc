// The Admin API adapter against the store simulator: real schema validation, calculated
// query cost and throttling, and the seeded Juniper & Pine catalogue.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AdminApiError,
  AdminApiThrottle,
  adminClientForShop,
  createAdminClient,
  createRecommendationCache,
  fetchRecommendations,
  fetchShopProfile,
  ShopNotConnectedError,
  type AdminClient,
} from "../../app/adapters/shopify-admin/index.server";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { createSeedStore, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let simulator: AdminSimulator;
let store: SeedStore;

beforeAll(async () => {
  simulator = await startAdminSimulator();
  store = simulator.stores[0]!;
});
afterAll(() => simulator.close());

function client(overrides: Partial<Parameters<typeof createAdminClient>[0]> = {}): AdminClient {
  return createAdminClient({
    shop: SIMULATOR_SHOP,
    accessToken: SIMULATOR_ACCESS_TOKEN,
    urlTemplate: simulator.url,
    throttle: new AdminApiThrottle(),
    random: () => 0,
    ...overrides,
  });
}

// Seeded products by their title, so expectations read like the catalogue.
function productId(title: string): string {
  const product = store.products.find((p) => p.title === title);
  if (!product) throw new Error(`No seeded product titled ${title}`);
  return product.id;
}

function summary(picked: Awaited<ReturnType<typeof fetchRecommendations>>) {
  return picked.map((p) => {
    const seeded = store.products.find((s) => s.id === p.id);
    return [seeded?.title, p.source, Number(p.price.amount), p.price.currencyCode];
  });
}

function orderProducts(name: string): { productIds: string[]; currency: string; country: string | null } {
  const order = store.orders.find((o) => o.name === name);
  if (!order) throw new Error(`No seeded order ${name}`);
  return {
    productIds: order.lines.map((line) => line.productId),
    currency: order.presentmentCurrencyCode,
    country: order.shippingAddress?.countryCode ?? null,
  };
}

async function recommend(productIds: string[], currencyCode: string, countryCode: string | null, limit?: number) {
  return fetchRecommendations({
    client: client(),
    productIds,
    currencyCode,
    countryCode,
    shopCurrency: store.shop.currencyCode,
    cache: createRecommendationCache(),
    limit,
  });
}

describe("Admin API adapter against the store simulator", () => {
  it("reads the shop profile", async () => {
    const profile = await fetchShopProfile(client());
    expect(profile).toMatchObject({
      name: "Juniper & Pine",
      email: store.shop.contactEmail,
      currencyCode: "USD",
      ianaTimezone: "Europe/Warsaw",
      storefrontUrl: store.shop.primaryDomain.url,
      logoUrl: null,
    });
    expect(profile.address).toContain("ul. Złota 44");
    expect(profile.address).toContain("Warszawa");
    expect(profile.address).not.toContain("Sp. z o.o."); // the company name is not part of the postal line
  });

  it("recommends the merchant's complementary products first, in the customer's currency", async () => {
    const order = orderProducts("#1001"); // a candle and a mug, paid in PLN from Poland
    const picked = await recommend(order.productIds, order.currency, order.country);
    // Cedar & Smoke is sold out, Winter Solstice archived, one reference points at a deleted product.
    expect(summary(picked)).toEqual([
      ["Matchbox Trio", "complementary", 35, "PLN"],
      ["Evening Ritual Gift Set", "complementary", 369, "PLN"],
      ["Olive Wood Serving Board", "complementary", 239, "PLN"],
      ["Linen Napkins (Set of 4)", "complementary", 149, "PLN"],
    ]);
    for (const p of picked) expect(p.url).toMatch(/^https:\/\/juniperandpine\.example\/products\//);
  });

  it("shows shop prices when the order is in the shop's currency", async () => {
    const order = orderProducts("#1002"); // the merino throw, in USD
    const picked = await recommend(order.productIds, order.currency, order.country);
    // The alpaca socks oversell (tracked, 0 in stock), the felt coasters are unpublished.
    expect(summary(picked)).toEqual([
      ["Waffle Knit Pillow Cover", "complementary", 39, "USD"],
      ["Linen Napkins (Set of 4)", "complementary", 36, "USD"],
    ]);
  });

  it("falls back to shop prices when the customer's country is unknown", async () => {
    const order = orderProducts("#1001");
    const picked = await recommend(order.productIds, "PLN", null, 1);
    expect(summary(picked)).toEqual([["Matchbox Trio", "complementary", 9, "USD"]]);
  });

  it("adds related products after complementary ones", async () => {
    const order = orderProducts("#1004"); // a small planter and potting mix, PLN
    const picked = await recommend(order.productIds, order.currency, order.country);
    expect(summary(picked)).toEqual([
      ["Terracotta Planter — Large", "complementary", 155, "PLN"],
      ["Gardener's Gift Box", "related", 265, "PLN"],
    ]);
  });

  it("fills the rest with best sellers of the purchased products' collections", async () => {
    const order = orderProducts("#1005"); // the gift set, USD
    const picked = await recommend(order.productIds, order.currency, order.country);
    expect(summary(picked)).toEqual([
      ["Juniper Forest Soy Candle", "complementary", 28, "USD"],
      ["Stoneware Mug — Moss", "complementary", 24, "USD"],
      ["Gardener's Gift Box", "best_seller", 64, "USD"],
    ]);
  });

  it("recommends best sellers alone for a product Search & Discovery knows nothing about", async () => {
    const picked = await recommend([productId("Wildflower Beeswax Taper Set")], "EUR", "DE");
    // Best selling first: the archived Winter Solstice candle and the sold-out Cedar & Smoke are skipped.
    expect(summary(picked)).toEqual([
      ["Juniper Forest Soy Candle", "best_seller", 26, "EUR"],
      ["Matchbox Trio", "best_seller", 8.5, "EUR"],
    ]);
  });

  it("asks the API once per product while the cache is warm", async () => {
    const cache = createRecommendationCache();
    const c = client();
    const order = orderProducts("#1001");
    const before = simulator.requests.length;
    const options = { client: c, productIds: order.productIds, currencyCode: "PLN", countryCode: "PL", shopCurrency: "USD", cache };
    const first = await fetchRecommendations(options);
    const afterFirst = simulator.requests.length;
    const second = await fetchRecommendations(options);
    expect(second).toEqual(first);
    expect(afterFirst - before).toBe(1);
    expect(simulator.requests.length).toBe(afterFirst);
  });

  it("retries Shopify's 5xx answers", async () => {
    simulator.failNext(2, 502);
    const profile = await fetchShopProfile(client());
    expect(profile.name).toBe("Juniper & Pine");
    expect(simulator.requests.slice(-3).map((r) => r.status)).toEqual([502, 502, 200]);
  });

  it("gives up on an unreachable shop with a retryable error", async () => {
    await simulator.setDown(true);
    try {
      const error = await fetchShopProfile(client({ maxRetries: 1 })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AdminApiError);
      expect((error as AdminApiError).retryable).toBe(true);
      expect((error as AdminApiError).message).toContain(SIMULATOR_SHOP);
      expect((error as AdminApiError).message).toContain("ShopProfile");
    } finally {
      await simulator.setDown(false);
    }
  });

  it("does not retry a rejected token", async () => {
    const before = simulator.requests.length;
    const error = await fetchShopProfile(client({ accessToken: "shpat_revoked" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect((error as AdminApiError).status).toBe(401);
    expect((error as AdminApiError).retryable).toBe(false);
    expect(simulator.requests.length - before).toBe(1);
  });
});

describe("throttling against the simulator's leaky bucket", () => {
  let small: AdminSimulator;
  beforeAll(async () => {
    // Room for one recommendation query (about 360 requested points for two products) at a time.
    small = await startAdminSimulator({ stores: [createSeedStore()], bucketSize: 400, restoreRate: 100 });
  });
  afterAll(() => small.close());

  function pacedClient(sleeps: number[], throttle = new AdminApiThrottle()) {
    return createAdminClient({
      shop: SIMULATOR_SHOP,
      accessToken: SIMULATOR_ACCESS_TOKEN,
      urlTemplate: small.url,
      throttle,
      sleep: (ms) => {
        sleeps.push(ms);
        return new Promise((resolve) => setTimeout(resolve, ms));
      },
    });
  }

  const order = () => orderProducts("#1001");
  const run = (c: AdminClient) =>
    fetchRecommendations({
      client: c,
      productIds: order().productIds,
      currencyCode: "PLN",
      countryCode: "PL",
      shopCurrency: "USD",
      cache: createRecommendationCache(),
    });

  it("waits for the bucket before sending instead of being refused", async () => {
    const sleeps: number[] = [];
    const c = pacedClient(sleeps);
    const before = small.requests.length;
    for (let i = 0; i < 3; i++) expect(await run(c)).toHaveLength(4);
    expect(sleeps.length).toBeGreaterThan(0); // it had to wait for a refill
    // One request per run: none was refused and retried.
    expect(small.requests.length - before).toBe(3);
  });

  it("waits (cost - available) / restoreRate and retries when Shopify answers THROTTLED", async () => {
    await run(pacedClient([])); // another worker drains the bucket
    const sleeps: number[] = [];
    const fresh = pacedClient(sleeps); // knows nothing about the bucket yet
    const before = small.requests.length;
    expect(await run(fresh)).toHaveLength(4);
    expect(small.requests.length - before).toBe(2); // refused once, then served
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(0);
    expect(sleeps[0]).toBeLessThanOrEqual(Math.ceil((400 / 100) * 1000));
  });
});

describe("adminClientForShop", () => {
  let db: TestDatabase;
  beforeAll(() => {
    db = createTestDatabase("admin-client");
  });
  afterAll(() => db.cleanup());

  it("builds a client from the shop's stored offline token", async () => {
    await db.prisma.session.create({
      data: {
        id: `offline_${SIMULATOR_SHOP}`,
        shop: SIMULATOR_SHOP,
        state: "",
        isOnline: false,
        scope: "read_products",
        accessToken: SIMULATOR_ACCESS_TOKEN,
      },
    });
    const c = await adminClientForShop({ prisma: db.prisma, shop: SIMULATOR_SHOP, urlTemplate: simulator.url });
    expect(c.shop).toBe(SIMULATOR_SHOP);
    expect((await fetchShopProfile(c)).name).toBe("Juniper & Pine");
  });

  it("says how to connect a shop that has no stored token", async () => {
    const error = await adminClientForShop({ prisma: db.prisma, shop: "not-installed.myshopify.com" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ShopNotConnectedError);
    expect((error as Error).message).toContain("not-installed.myshopify.com");
    expect((error as Error).message).toMatch(/Install the app/);
    expect((error as Error).message).toMatch(/connect/);
  });
});
