import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { loadAdminSchema, supportedAdminVersions } from "../../simulator/schema";
import {
  createSeedStore,
  DELETED_PRODUCT_ID,
  RECOMMENDATION_NAMESPACE,
  SIMULATOR_ACCESS_TOKEN,
  SIMULATOR_SHOP,
  type SeedStore,
} from "../../simulator/store";

const CANDLE = "gid://shopify/Product/9101000000001";
const CANDLES_COLLECTION = "gid://shopify/Collection/470100000001";
const ADA = "gid://shopify/Customer/8201000000001";
const BEN = "gid://shopify/Customer/8201000000002";
const FRANK = "gid://shopify/Customer/8201000000006";

interface GraphqlBody {
  data?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  errors?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  extensions?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function call(
  sim: AdminSimulator,
  query: string,
  variables?: Record<string, unknown>,
  { token = SIMULATOR_ACCESS_TOKEN, version = "2025-10", shop = SIMULATOR_SHOP, method = "POST" } = {},
) {
  const url = sim.url.replace("{shop}", shop).replace("{version}", version);
  const response = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
    body: method === "POST" ? JSON.stringify({ query, variables }) : undefined,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as GraphqlBody };
}

describe("Admin GraphQL simulator: the seeded store", () => {
  let sim: AdminSimulator;
  let store: SeedStore;
  beforeAll(async () => {
    store = createSeedStore();
    sim = await startAdminSimulator({ stores: [store] });
  });
  afterAll(() => sim.close());

  it("publishes a URL template the app's SHOPIFY_ADMIN_API_URL can take", () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\{shop\}\/admin\/api\/\{version\}\/graphql\.json$/);
    expect(sim.url.startsWith(sim.origin)).toBe(true);
  });

  it("answers the shop profile with its cost", async () => {
    const { status, headers, body } = await call(
      sim,
      `query ShopProfile { shop { name email contactEmail currencyCode ianaTimezone myshopifyDomain
         primaryDomain { url } billingAddress { formatted(withCompany: false) countryCodeV2 } } }`,
    );
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(headers.get("x-shopify-api-version")).toBe("2025-10");
    // billingAddress is deprecated, and Shopify says so in a header.
    expect(headers.get("x-shopify-api-deprecated-reason")).toContain("deprecation");
    expect(body.errors).toBeUndefined();
    expect(body.data.shop).toEqual({
      name: "Juniper & Pine",
      email: store.shop.email,
      contactEmail: store.shop.contactEmail,
      currencyCode: "USD",
      ianaTimezone: "Europe/Warsaw",
      myshopifyDomain: SIMULATOR_SHOP,
      primaryDomain: { url: store.shop.primaryDomain.url },
      billingAddress: { formatted: ["ul. Złota 44", "lok. 7", "00-120 Warszawa", "Poland"], countryCodeV2: "PL" },
    });
    expect(body.extensions.cost).toEqual({
      requestedQueryCost: 3,
      actualQueryCost: 3,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: expect.any(Number), restoreRate: 100 },
    });
  });

  it("serves a product as the recommendation engine reads it", async () => {
    const { body } = await call(
      sim,
      `query Product($id: ID!) {
        product(id: $id) {
          id title handle status productType vendor tags onlineStoreUrl totalInventory tracksInventory
          featuredMedia { preview { image { url altText } } }
          priceRangeV2 { minVariantPrice { amount currencyCode } }
          de: contextualPricing(context: { country: DE }) { minVariantPricing { price { amount currencyCode } } }
          pl: contextualPricing(context: { country: PL }) { priceRange { minVariantPrice { amount currencyCode } maxVariantPrice { amount currencyCode } } }
          variants(first: 5) { nodes { id price availableForSale inventoryQuantity } }
          complementary: metafield(namespace: "${RECOMMENDATION_NAMESPACE}", key: "complementary_products") {
            type value
            references(first: 10) { nodes { ... on Product { id status onlineStoreUrl } } }
          }
          collections(first: 5) { nodes { id handle } }
        }
      }`,
      { id: CANDLE },
    );
    expect(body.errors).toBeUndefined();
    const product = body.data.product;
    expect(product).toMatchObject({
      id: CANDLE,
      title: "Juniper Forest Soy Candle",
      status: "ACTIVE",
      vendor: "Juniper & Pine",
      tags: ["bestseller", "candle", "soy"],
      onlineStoreUrl: "https://juniperandpine.example/products/juniper-forest-soy-candle",
      totalInventory: 60,
      tracksInventory: true,
      priceRangeV2: { minVariantPrice: { amount: "28.0", currencyCode: "USD" } },
      de: { minVariantPricing: { price: { amount: "26.0", currencyCode: "EUR" } } },
      pl: { priceRange: { minVariantPrice: { amount: "115.0", currencyCode: "PLN" }, maxVariantPrice: { amount: "179.0", currencyCode: "PLN" } } },
      collections: { nodes: [{ id: CANDLES_COLLECTION, handle: "candles" }] },
    });
    expect(product.featuredMedia.preview.image.url).toMatch(/^https:\/\/cdn\.shopify\.com\/.+\.jpg/);
    // The Money scalar keeps cents; MoneyV2.amount is a Decimal.
    expect(product.variants.nodes[0]).toMatchObject({ price: "28.00", availableForSale: true, inventoryQuantity: 42 });

    const value = JSON.parse(product.complementary.value) as string[];
    expect(product.complementary.type).toBe("list.product_reference");
    expect(value).toContain(DELETED_PRODUCT_ID);
    const referenced = product.complementary.references.nodes as Array<{ id: string; status: string; onlineStoreUrl: string | null }>;
    // A deleted product stays in the value but resolves to nothing; archived ones still come back.
    expect(referenced.map((p) => p.id)).not.toContain(DELETED_PRODUCT_ID);
    expect(referenced).toHaveLength(value.length - 1);
    expect(referenced.some((p) => p.status === "ARCHIVED" && p.onlineStoreUrl === null)).toBe(true);
  });

  it("tells sold-out, untracked and continue-selling variants apart", async () => {
    const { body } = await call(
      sim,
      `{ nodes(ids: ["gid://shopify/Product/9101000000002", "gid://shopify/Product/9101000000004", "gid://shopify/Product/9101000000014", "gid://shopify/Product/9101000000099"]) {
           ... on Product { handle totalInventory tracksInventory variants(first: 1) { nodes { availableForSale inventoryQuantity } } } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.nodes).toEqual([
      { handle: "cedar-smoke-candle", totalInventory: 0, tracksInventory: true, variants: { nodes: [{ availableForSale: false, inventoryQuantity: 0 }] } },
      { handle: "matchbox-trio", totalInventory: 0, tracksInventory: false, variants: { nodes: [{ availableForSale: true, inventoryQuantity: 0 }] } },
      { handle: "alpaca-blend-socks", totalInventory: 0, tracksInventory: true, variants: { nodes: [{ availableForSale: true, inventoryQuantity: 0 }] } },
      null,
    ]);
  });

  it("ranks a collection's products by units sold, whatever their status", async () => {
    const { body } = await call(
      sim,
      `query($id: ID!) { collection(id: $id) { title products(first: 10, sortKey: BEST_SELLING) { nodes { handle status } } } }`,
      { id: CANDLES_COLLECTION },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.collection.products.nodes).toEqual([
      { handle: "winter-solstice-candle", status: "ARCHIVED" },
      { handle: "juniper-forest-soy-candle", status: "ACTIVE" },
      { handle: "wildflower-beeswax-tapers", status: "ACTIVE" },
      { handle: "cedar-smoke-candle", status: "ACTIVE" },
      { handle: "matchbox-trio", status: "ACTIVE" },
    ]);
  });

  it("pages through products with cursors, edges and pageInfo", async () => {
    const page = `query($after: String) { products(first: 8, after: $after, sortKey: TITLE) {
      edges { cursor node { title } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    const titles: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const { body } = await call(sim, page, { after });
      expect(body.errors).toBeUndefined();
      const { edges, pageInfo } = body.data.products;
      titles.push(...edges.map((e: { node: { title: string } }) => e.node.title));
      expect(pageInfo.startCursor).toBe(edges[0].cursor);
      expect(pageInfo.hasPreviousPage).toBe(after !== null);
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(titles).toHaveLength(store.products.length);
    expect(titles).toEqual([...titles].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
  });

  it("filters with Shopify's search syntax and reports fields it ignores", async () => {
    const { body } = await call(
      sim,
      `{ products(first: 50, query: "tag:bestseller AND -status:archived colour:green") { nodes { handle } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.products.nodes.map((p: { handle: string }) => p.handle).sort()).toEqual(
      ["brass-plant-mister", "juniper-forest-soy-candle", "merino-throw-blanket", "stoneware-mug-moss"],
    );
    expect(body.extensions.search).toEqual([
      {
        path: ["products"],
        query: "tag:bestseller AND -status:archived colour:green",
        warnings: [{ field: "colour", message: "Invalid search field for this query.", code: "invalid_field" }],
      },
    ]);
  });

  it("reads customers with their consent and order count", async () => {
    const { body } = await call(
      sim,
      `query($id: ID!) { customer(id: $id) { id firstName locale tags numberOfOrders defaultEmailAddress { emailAddress marketingState } } }`,
      { id: ADA },
    );
    expect(body.errors).toBeUndefined();
    // UnsignedInt64 travels as a string.
    expect(body.data.customer).toEqual({
      id: ADA,
      firstName: "Ada",
      locale: "pl-PL",
      tags: ["vip"],
      numberOfOrders: "2",
      defaultEmailAddress: { emailAddress: "ada.kowalska@example.com", marketingState: "SUBSCRIBED" },
    });
    const states = store.customers.map((c) => c.defaultEmailAddress?.marketingState ?? null);
    expect(states).toEqual(expect.arrayContaining(["SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED", null]));
  });

  it("answers orders with shop and presentment money", async () => {
    const { body } = await call(
      sim,
      `{ orders(first: 10, query: "customer_id:8201000000001", sortKey: ORDER_NUMBER) { nodes {
          name currencyCode presentmentCurrencyCode customer { id }
          totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
          lineItems(first: 5) { nodes { title quantity product { id } } } } } }`,
    );
    expect(body.errors).toBeUndefined();
    const [first] = body.data.orders.nodes;
    expect(body.data.orders.nodes.map((o: { name: string }) => o.name)).toEqual(["#1001", "#1004"]);
    expect(first).toMatchObject({
      currencyCode: "USD",
      presentmentCurrencyCode: "PLN",
      customer: { id: ADA },
      totalPriceSet: { shopMoney: { amount: "76.0", currencyCode: "USD" }, presentmentMoney: { amount: "313.0", currencyCode: "PLN" } },
    });
    expect(first.lineItems.nodes[1]).toEqual({ title: "Stoneware Mug — Moss", quantity: 2, product: { id: "gid://shopify/Product/9101000000006" } });
  });

  it("updates email consent through customerEmailMarketingConsentUpdate", async () => {
    const mutation = `mutation Consent($input: CustomerEmailMarketingConsentUpdateInput!) {
      customerEmailMarketingConsentUpdate(input: $input) {
        customer { id defaultEmailAddress { marketingState marketingOptInLevel marketingUpdatedAt } }
        userErrors { field message code } } }`;
    const { body } = await call(sim, mutation, {
      input: { customerId: BEN, emailMarketingConsent: { marketingState: "SUBSCRIBED", consentUpdatedAt: "2025-10-01T12:00:00Z" } },
    });
    expect(body.extensions.cost.requestedQueryCost).toBe(10);
    expect(body.data.customerEmailMarketingConsentUpdate).toEqual({
      customer: { id: BEN, defaultEmailAddress: { marketingState: "SUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN", marketingUpdatedAt: "2025-10-01T12:00:00Z" } },
      userErrors: [],
    });
    expect(store.customers.find((c) => c.id === BEN)?.defaultEmailAddress?.marketingState).toBe("SUBSCRIBED");

    const readOnlyState = await call(sim, mutation, { input: { customerId: BEN, emailMarketingConsent: { marketingState: "NOT_SUBSCRIBED" } } });
    expect(readOnlyState.body.data.customerEmailMarketingConsentUpdate.userErrors).toEqual([
      { field: ["input", "emailMarketingConsent", "marketingState"], message: expect.any(String), code: "INCLUSION" },
    ]);
    const noEmail = await call(sim, mutation, { input: { customerId: FRANK, emailMarketingConsent: { marketingState: "SUBSCRIBED" } } });
    expect(noEmail.body.data.customerEmailMarketingConsentUpdate).toMatchObject({ customer: null, userErrors: [{ code: "INVALID" }] });
  });

  it("answers the same document on every API version dev-mcp ships", async () => {
    const versions = supportedAdminVersions();
    expect(versions).toEqual(expect.arrayContaining(["2025-10", "2026-01", "2026-10"]));
    expect(loadAdminSchema("2025-10")).toBe(loadAdminSchema("2025-10"));
    for (const version of versions) {
      const { status, headers, body } = await call(sim, `{ product(id: "${CANDLE}") { handle } }`, undefined, { version });
      expect(status, version).toBe(200);
      expect(headers.get("x-shopify-api-version")).toBe(version);
      expect(body.data.product.handle).toBe("juniper-forest-soy-candle");
    }
  });

  it("logs every request", async () => {
    const before = sim.requests.length;
    await call(sim, `query LogMe($id: ID!) { product(id: $id) { id } }`, { id: CANDLE });
    expect(sim.requests.slice(before)).toEqual([
      {
        shop: SIMULATOR_SHOP,
        version: "2025-10",
        operationName: "LogMe",
        query: expect.stringContaining("query LogMe"),
        variables: { id: CANDLE },
        status: 200,
        at: expect.any(Date),
      },
    ]);
  });
});

describe("Admin GraphQL simulator: refusing what Shopify refuses", () => {
  let sim: AdminSimulator;
  let store: SeedStore;
  beforeAll(async () => {
    store = createSeedStore();
    sim = await startAdminSimulator({ stores: [store] });
  });
  afterAll(() => sim.close());

  it("rejects a field the schema lacks with graphql-ruby's error shape", async () => {
    const { status, body } = await call(sim, `query Profile { shop { name colour } }`);
    expect(status).toBe(200);
    expect(body).toEqual({
      errors: [
        {
          message: "Field 'colour' doesn't exist on type 'Shop'",
          locations: [{ line: 1, column: 29 }],
          path: ["query Profile", "shop", "colour"],
          extensions: { code: "undefinedField", typeName: "Shop", fieldName: "colour" },
        },
      ],
    });
  });

  it("rejects missing arguments and wrong argument values", async () => {
    const missing = await call(sim, `{ product { id } }`);
    expect(missing.body.errors[0]).toMatchObject({
      message: "Field 'product' is missing required arguments: id",
      extensions: { code: "missingRequiredArguments" },
    });
    const wrong = await call(sim, `{ products(first: "ten") { nodes { id } } }`);
    expect(wrong.body.errors[0]).toMatchObject({
      message: `Argument 'first' on Field 'products' has an invalid value ("ten"). Expected type 'Int'.`,
      extensions: { code: "argumentLiteralsIncompatible", argumentName: "first" },
    });
    const noVariable = await call(sim, `query($id: ID!) { product(id: $id) { id } }`);
    expect(noVariable.body.errors[0]).toMatchObject({
      message: "Variable $id of type ID! was provided invalid value",
      extensions: { problems: [{ explanation: "Expected value to not be null" }] },
    });
    expect(missing.body.data).toBeUndefined();
  });

  it("rejects connections without a page size and malformed ids", async () => {
    const unbounded = await call(sim, `{ products { nodes { id } } }`);
    expect(unbounded.body.errors[0]).toMatchObject({ message: "you must provide one of first or last", path: ["products"] });
    const badId = await call(sim, `{ product(id: "9101000000001") { id } }`);
    expect(badId.body.errors[0]).toMatchObject({
      message: "Invalid global id '9101000000001'",
      extensions: { code: "argumentLiteralsIncompatible" },
    });
  });

  it("fails loudly on a field it does not model instead of answering null", async () => {
    const { status, body } = await call(sim, `{ product(id: "${CANDLE}") { title seo { title } } }`);
    expect(status).toBe(200);
    expect(body.data).toEqual({ product: null });
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("the store simulator does not model Product.seo"),
        path: ["product", "seo"],
        extensions: { code: "NOT_MODELLED_BY_SIMULATOR", typeName: "Product", fieldName: "seo" },
      }),
    ]);
    const deprecated = await call(sim, `{ customer(id: "${ADA}") { email } }`);
    expect(deprecated.body.errors[0].message).toMatch(/does not model Customer\.email .*deprecated/);
    const argument = await call(sim, `{ product(id: "${CANDLE}") { featuredMedia { preview { image { url(transform: { maxWidth: 200 }) } } } } }`);
    expect(argument.body.errors[0].message).toContain("does not model the transform argument of Image.url");
    const filter = await call(sim, `{ products(first: 5, query: "barcode:123") { nodes { id } } }`);
    expect(filter.body.errors[0].message).toContain("does not model the 'barcode' search filter of QueryRoot.products");
  });

  it("refuses a wrong or missing access token with Shopify's 401 body", async () => {
    for (const token of ["shpat_wrong", ""]) {
      const { status, body } = await call(sim, `{ shop { name } }`, undefined, { token });
      expect(status).toBe(401);
      expect(body).toEqual({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    }
  });

  it("answers 404 for unknown shops and versions, and serves retired versions as the oldest supported", async () => {
    expect((await call(sim, `{ shop { name } }`, undefined, { shop: "nope.myshopify.com" })).status).toBe(404);
    expect((await call(sim, `{ shop { name } }`, undefined, { version: "2025-11" })).status).toBe(404);
    expect((await call(sim, `{ shop { name } }`, undefined, { version: "2099-01" })).status).toBe(404);
    const retired = await call(sim, `{ shop { name } }`, undefined, { version: "2024-01" });
    expect(retired.status).toBe(200);
    expect(retired.headers.get("x-shopify-api-version")).toBe(supportedAdminVersions()[0]);
  });

  it("accepts only POST with a query", async () => {
    expect((await call(sim, "", undefined, { method: "GET" })).status).toBe(405);
    const url = sim.url.replace("{shop}", SIMULATOR_SHOP).replace("{version}", "2025-10");
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": SIMULATOR_ACCESS_TOKEN },
      body: JSON.stringify({ variables: {} }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errors: { query: "Required parameter missing or invalid" } });
  });

  it("refuses a query above Shopify's single-query cost limit", async () => {
    const { body } = await call(sim, `{ products(first: 100) { nodes { variants(first: 100) { nodes { id } } } } }`);
    expect(body.data).toBeUndefined();
    expect(body.extensions).toBeUndefined();
    expect(body.errors[0]).toMatchObject({
      message: expect.stringMatching(/^Query cost is 10302, which exceeds the single query max cost limit \(1000\)\./),
      extensions: { code: "MAX_COST_EXCEEDED", cost: 10302, maxCost: 1000 },
    });
  });

  it("denies fields outside the token's access scopes", async () => {
    store.accessScopes = store.accessScopes.filter((scope) => scope !== "read_orders");
    const { body } = await call(sim, `{ orders(first: 1) { nodes { id } } }`);
    expect(body.errors[0]).toMatchObject({
      message: "Access denied for orders field. Required access: `read_orders` access scope.",
      extensions: { code: "ACCESS_DENIED" },
    });
  });
});

describe("Admin GraphQL simulator: calculated query cost and throttling", () => {
  let sim: AdminSimulator;
  beforeAll(async () => {
    sim = await startAdminSimulator({ bucketSize: 50, restoreRate: 20 });
  });
  afterAll(() => sim.close());

  const twentyProducts = `{ products(first: 20) { nodes { id } } }`; // 2 + 20 × 1

  it("charges the requested cost up front and refunds what the answer did not use", async () => {
    const { body } = await call(sim, `{ collection(id: "${CANDLES_COLLECTION}") { products(first: 20) { nodes { id } } } }`);
    // Requested: collection 1 + connection 2 + 20 products; actually 5 products came back.
    expect(body.extensions.cost).toMatchObject({ requestedQueryCost: 23, actualQueryCost: 8 });
    expect(body.extensions.cost.throttleStatus).toEqual({ maximumAvailable: 50, currentlyAvailable: expect.any(Number), restoreRate: 20 });
    expect(body.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThanOrEqual(42);
  });

  it("throttles when the bucket lacks the requested cost, then recovers at the restore rate", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000)); // 42 + 20 points: back to the brim
    const first = await call(sim, twentyProducts);
    const second = await call(sim, twentyProducts);
    const third = await call(sim, twentyProducts);
    expect(first.body.extensions.cost.requestedQueryCost).toBe(22);
    expect(second.body.errors).toBeUndefined();
    expect(third.status).toBe(200);
    expect(third.body).toEqual({
      errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
      extensions: {
        cost: {
          requestedQueryCost: 22,
          actualQueryCost: null,
          throttleStatus: { maximumAvailable: 50, currentlyAvailable: expect.any(Number), restoreRate: 20 },
        },
      },
    });
    const { currentlyAvailable, restoreRate } = third.body.extensions.cost.throttleStatus;
    expect(currentlyAvailable).toBeLessThan(22);
    await new Promise((resolve) => setTimeout(resolve, ((22 - currentlyAvailable) / restoreRate) * 1000 + 100));
    const recovered = await call(sim, twentyProducts);
    expect(recovered.body.errors).toBeUndefined();
    expect(recovered.body.data.products.nodes).toHaveLength(20);
  });
});

describe("Admin GraphQL simulator: fault injection", () => {
  let sim: AdminSimulator;
  beforeAll(async () => {
    sim = await startAdminSimulator();
  });
  afterAll(() => sim.close());

  it("fails the next requests with the status asked for, then answers again", async () => {
    sim.failNext(2);
    sim.failNext(1, 429);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const { status, headers } = await call(sim, `{ shop { name } }`);
      statuses.push(status);
      if (status === 429) retryAfter = headers.get("retry-after");
    }
    expect(statuses).toEqual([503, 503, 429, 200]);
    expect(retryAfter).toBe("2.0");
    expect(sim.requests.slice(-4).map((r) => r.status)).toEqual([503, 503, 429, 200]);
  });

  it("goes down (connection refused) and comes back on the same port", async () => {
    await sim.setDown(true);
    await expect(call(sim, `{ shop { name } }`)).rejects.toThrow(TypeError);
    await sim.setDown(false);
    const { status } = await call(sim, `{ shop { name } }`);
    expect(status).toBe(200);
  });
});
