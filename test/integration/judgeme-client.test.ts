// The Judge.me adapter against the strict stand-in (simulator/review-apps.ts): the reviews a
// customer wrote, found by address or Shopify customer id across pages; a wrong token, a shop
// Judge.me does not know and an unreachable API are errors that name what to do.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createJudgeMeClient } from "~/adapters/review-apps/judgeme.server";
import { ReviewAppError } from "~/adapters/review-apps/review-app";
import { startJudgeMeStandIn, type JudgeMeStandIn } from "../../simulator/review-apps";

const SHOP = "glow-store.myshopify.com";
const TOKEN = "jm-token-1234";
const product = (n: number) => `gid://shopify/Product/${n}`;
let judgeme: JudgeMeStandIn;

beforeAll(async () => {
  judgeme = await startJudgeMeStandIn();
});
afterAll(async () => {
  await judgeme.close();
});
beforeEach(() => {
  judgeme.clear();
  judgeme.addShop(SHOP, TOKEN);
});

describe("Judge.me: which products a customer already reviewed", () => {
  it("matches the reviewer by address (any case) or by Shopify customer id, only among the products asked about", async () => {
    judgeme.addReview(SHOP, { productExternalId: 11, reviewerEmail: "Ada@Example.com", rating: 5 });
    judgeme.addReview(SHOP, { productExternalId: 12, reviewerEmail: "old-address@example.com", reviewerExternalId: 777, rating: 4 });
    judgeme.addReview(SHOP, { productExternalId: 13, reviewerEmail: "someone@example.com", rating: 1 });
    judgeme.addReview(SHOP, { productExternalId: 99, reviewerEmail: "ada@example.com", rating: 3 });
    const client = createJudgeMeClient({ apiToken: TOKEN, baseUrl: judgeme.url });
    const reviewed = await client.reviewedProducts({
      shop: SHOP,
      email: "ada@example.com",
      customerId: "gid://shopify/Customer/777",
      productIds: [product(11), product(12), product(13)],
    });
    expect([...reviewed].sort()).toEqual([product(11), product(12)]);
    expect(judgeme.requests.map((r) => r.query)).toEqual([{ shop_domain: SHOP, api_token: TOKEN, per_page: "100", page: "1" }]);
  });

  it("reads further pages until one comes back short, and no more than maxPages", async () => {
    for (let i = 0; i < 230; i++) judgeme.addReview(SHOP, { productExternalId: 500 + i, reviewerEmail: `r${i}@example.com`, rating: 5 });
    // The oldest review, on the last page (newest first).
    const client = createJudgeMeClient({ apiToken: TOKEN, baseUrl: judgeme.url });
    const all = await client.reviewedProducts({ shop: SHOP, email: "r0@example.com", customerId: null, productIds: [product(500)] });
    expect([...all]).toEqual([product(500)]);
    expect(judgeme.requests.map((r) => r.query.page)).toEqual(["1", "2", "3"]);
    judgeme.requests.length = 0;
    const capped = createJudgeMeClient({ apiToken: TOKEN, baseUrl: judgeme.url, maxPages: 2 });
    expect([...(await capped.reviewedProducts({ shop: SHOP, email: "r0@example.com", customerId: null, productIds: [product(500)] }))]).toEqual([]);
    expect(judgeme.requests.map((r) => r.query.page)).toEqual(["1", "2"]);
  });

  it("refuses a wrong token and an unknown shop as Judge.me does, and says so", async () => {
    const wrong = createJudgeMeClient({ apiToken: "not-it", baseUrl: judgeme.url });
    const req = { shop: SHOP, email: "ada@example.com", customerId: null, productIds: [product(1)] };
    await expect(wrong.reviewedProducts(req)).rejects.toThrow(/Judge\.me refused the API token of glow-store\.myshopify\.com \(401\)/);
    const unknown = createJudgeMeClient({ apiToken: TOKEN, baseUrl: judgeme.url });
    await expect(unknown.reviewedProducts({ ...req, shop: "other.myshopify.com" })).rejects.toThrow(ReviewAppError);
    expect(judgeme.requests.map((r) => r.status)).toEqual([401, 404]);
    expect(() => createJudgeMeClient({ apiToken: " " })).toThrow(/private API token/);
  });

  it("the stand-in refuses a request without the token or the shop, or a page size Judge.me does not allow", async () => {
    const ask = async (query: string) => (await fetch(`${judgeme.url}/api/v1/reviews?${query}`)).status;
    expect(await ask(`shop_domain=${SHOP}`)).toBe(401);
    expect(await ask(`api_token=${TOKEN}`)).toBe(422);
    expect(await ask(`shop_domain=${SHOP}&api_token=${TOKEN}&per_page=101`)).toBe(422);
    expect(await ask(`shop_domain=${SHOP}&api_token=${TOKEN}&page=0`)).toBe(422);
    expect(await ask(`shop_domain=${SHOP}&api_token=${TOKEN}`)).toBe(200);
  });

  it("an API that is down or unreachable is a ReviewAppError; nothing asked for no product", async () => {
    judgeme.setDown();
    const client = createJudgeMeClient({ apiToken: TOKEN, baseUrl: judgeme.url });
    await expect(client.reviewedProducts({ shop: SHOP, email: "a@example.com", customerId: null, productIds: [product(1)] })).rejects.toMatchObject({
      name: "ReviewAppError",
      status: 503,
    });
    const nowhere = createJudgeMeClient({ apiToken: TOKEN, baseUrl: "http://127.0.0.1:1" });
    await expect(nowhere.reviewedProducts({ shop: SHOP, email: "a@example.com", customerId: null, productIds: [product(1)] })).rejects.toThrow(/could not be reached/);
    judgeme.requests.length = 0;
    expect(await client.reviewedProducts({ shop: SHOP, email: "a@example.com", customerId: null, productIds: [] })).toEqual(new Set());
    expect(judgeme.requests).toEqual([]);
  });
});
