// The shop's product types and tags, as the content editor suggests them: the Admin API adapter
// against the store simulator, which answers productTypes and productTags from its products.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminApiThrottle, createAdminClient, type AdminClient } from "../../app/adapters/shopify-admin/index.server";
import { fetchProductVocabulary } from "../../app/adapters/shopify-admin/product-vocabulary.server";
import { SHOP_PRODUCT_TYPES_QUERY } from "../../app/adapters/shopify-admin/queries";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";

let simulator: AdminSimulator;
let store: SeedStore;

beforeAll(async () => {
  simulator = await startAdminSimulator();
  store = simulator.stores[0]!;
});
afterAll(() => simulator.close());

function client(): AdminClient {
  return createAdminClient({ shop: SIMULATOR_SHOP, accessToken: SIMULATOR_ACCESS_TOKEN, urlTemplate: simulator.url, throttle: new AdminApiThrottle(), random: () => 0 });
}

const distinctSorted = (words: string[]) => [...new Set(words.filter((w) => w.trim()))].sort((a, b) => a.localeCompare(b));

describe("product types and tags from the Admin API", () => {
  it("are the distinct types and tags of the shop's products, sorted", async () => {
    const vocabulary = await fetchProductVocabulary({ client: client() });
    expect(vocabulary.productTypes).toEqual(distinctSorted(store.products.map((p) => p.productType)));
    expect(vocabulary.productTags).toEqual(distinctSorted(store.products.flatMap((p) => p.tags)));
    expect(vocabulary.productTypes).toContain("Candles");
    expect(vocabulary.productTags).toContain("beeswax");
  });

  it("follow the store's products: a new type and tag show at once", async () => {
    const before = { productType: store.products[0].productType, tags: [...store.products[0].tags] };
    store.products[0].productType = "Wick trimmers";
    store.products[0].tags.push("gift-idea");
    try {
      const vocabulary = await fetchProductVocabulary({ client: client() });
      expect(vocabulary.productTypes).toContain("Wick trimmers");
      expect(vocabulary.productTags).toContain("gift-idea");
    } finally {
      Object.assign(store.products[0], before);
    }
  });

  it("refuses a page larger than Shopify's, as Shopify does", async () => {
    await expect(client().request(SHOP_PRODUCT_TYPES_QUERY, { first: 1001 })).rejects.toThrow(/between 0 and 1000/);
  });
});
