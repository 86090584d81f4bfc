import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  AdminApiError,
  AdminApiThrottle,
  createAdminClient,
  type AdminClientOptions,
} from "../../app/adapters/shopify-admin/client.server";

const SHOP = "glow-test.myshopify.com";
const TOKEN = "shpat_test_token";
const SHOP_QUERY = "#graphql\n query ShopName { shop { name } }";

interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: { query?: string; variables?: Record<string, unknown>; operationName?: string };
}

type Reply =
  | { status?: number; headers?: Record<string, string>; json?: unknown; text?: string }
  | "drop" // close the socket without answering
  | "hang"; // never answer

// Answers like Shopify's Admin GraphQL endpoint: POST JSON with an access token, or 401.
class ShopifyStandIn {
  private server = http.createServer((req, res) => this.handle(req, res));
  requests: Recorded[] = [];
  replies: Reply[] = [];
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get urlTemplate(): string {
    return `http://127.0.0.1:${this.port}/{shop}/admin/api/{version}/graphql.json`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      const body = raw ? JSON.parse(raw) : {};
      this.requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      if (req.method !== "POST" || !String(req.headers["content-type"]).includes("application/json")) {
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ errors: "Bad Request" }));
        return;
      }
      if (!req.headers["x-shopify-access-token"]) {
        res
          .writeHead(401, { "content-type": "application/json" })
          .end(JSON.stringify({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" }));
        return;
      }
      const reply = this.replies.shift() ?? { json: ok({ shop: { name: "Glow" } }) };
      if (reply === "drop") {
        req.socket.destroy();
        return;
      }
      if (reply === "hang") return;
      const headers = { "content-type": "application/json; charset=utf-8", "x-request-id": "req-123", ...reply.headers };
      res.writeHead(reply.status ?? 200, headers).end(reply.text ?? JSON.stringify(reply.json));
    });
  }
}

function cost(requested: number, available: number, { max = 1000, rate = 50, actual = requested as number | null } = {}) {
  return {
    cost: {
      requestedQueryCost: requested,
      actualQueryCost: actual,
      throttleStatus: { maximumAvailable: max, currentlyAvailable: available, restoreRate: rate },
    },
  };
}

function ok(data: unknown, extensions: unknown = cost(2, 998)) {
  return { data, extensions };
}

function throttled(requested: number, available: number) {
  return {
    errors: [
      {
        message: "Throttled",
        extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
      },
    ],
    extensions: cost(requested, available, { actual: null }),
  };
}

const standIn = new ShopifyStandIn();
beforeAll(() => standIn.start());
afterAll(() => standIn.stop());

let clock = 0;
let sleeps: number[] = [];

beforeEach(() => {
  standIn.requests = [];
  standIn.replies = [];
  clock = 1_000_000;
  sleeps = [];
});

function client(overrides: Partial<AdminClientOptions> = {}) {
  return createAdminClient({
    shop: SHOP,
    accessToken: TOKEN,
    urlTemplate: standIn.urlTemplate,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0,
    throttle: new AdminApiThrottle(),
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<AdminApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AdminApiError);
  return error as AdminApiError;
}

describe("Admin API client", () => {
  it("posts to the URL template with the shop and version filled in and sends the access token", async () => {
    const data = await client({ apiVersion: "2025-10" }).request<{ shop: { name: string } }>(SHOP_QUERY);

    expect(data).toEqual({ shop: { name: "Glow" } });
    expect(standIn.requests).toHaveLength(1);
    const [request] = standIn.requests;
    expect(request!.method).toBe("POST");
    expect(request!.url).toBe(`/${SHOP}/admin/api/2025-10/graphql.json`);
    expect(request!.headers["x-shopify-access-token"]).toBe(TOKEN);
    expect(request!.body.query).toBe(SHOP_QUERY);
    expect(request!.body.operationName).toBe("ShopName");
  });

  it("sends variables", async () => {
    const query = "#graphql\n query P($id: ID!) { product(id: $id) { title } }";
    standIn.replies.push({ json: ok({ product: { title: "Mug" } }) });
    const data = await client().request(query, { id: "gid://shopify/Product/1" });
    expect(data).toEqual({ product: { title: "Mug" } });
    expect(standIn.requests[0]!.body.variables).toEqual({ id: "gid://shopify/Product/1" });
  });

  it("waits (cost - available) / restoreRate after THROTTLED and then succeeds", async () => {
    standIn.replies.push({ json: throttled(752, 666) }, { json: ok({ shop: { name: "Glow" } }, cost(752, 248)) });

    const data = await client().request(SHOP_QUERY);

    expect(data).toEqual({ shop: { name: "Glow" } });
    expect(standIn.requests).toHaveLength(2);
    expect(sleeps).toEqual([Math.ceil(((752 - 666) / 50) * 1000)]); // 1.72 s
  });

  it("also treats HTTP 429 with a THROTTLED body as throttling", async () => {
    standIn.replies.push({ status: 429, json: throttled(100, 40) }, { json: ok({ shop: { name: "Glow" } }) });
    await client().request(SHOP_QUERY);
    expect(sleeps).toEqual([1200]);
  });

  it("waits before a request whose last requested cost exceeds what the bucket holds", async () => {
    const c = client();
    standIn.replies.push({ json: ok({ shop: { name: "Glow" } }, cost(100, 10)) });
    await c.request(SHOP_QUERY);
    expect(sleeps).toEqual([]);

    standIn.replies.push({ json: ok({ shop: { name: "Glow" } }, cost(100, 0)) });
    await c.request(SHOP_QUERY);
    expect(sleeps).toEqual([1800]); // (100 - 10) / 50 points per second
    expect(standIn.requests).toHaveLength(2);
  });

  it("lets the bucket refill with time and keeps one bucket per shop", async () => {
    const throttle = new AdminApiThrottle();
    const a = client({ throttle });
    standIn.replies.push({ json: ok({ shop: { name: "Glow" } }, cost(100, 10)) });
    await a.request(SHOP_QUERY);

    // Another shop has its own bucket: no wait.
    await client({ throttle, shop: "other-shop.myshopify.com" }).request(SHOP_QUERY);
    expect(sleeps).toEqual([]);

    // Two seconds restore 100 points, so the same shop's next request goes straight out.
    clock += 2_000;
    await client({ throttle }).request(SHOP_QUERY);
    expect(sleeps).toEqual([]);
    expect(standIn.requests.map((r) => r.url.split("/")[1])).toEqual([SHOP, "other-shop.myshopify.com", SHOP]);
  });

  it("makes concurrent requests for one shop queue for the refill instead of all going at once", async () => {
    const throttle = new AdminApiThrottle();
    const c = client({ throttle });
    standIn.replies.push({ json: ok({ shop: { name: "Glow" } }, cost(100, 150)) });
    await c.request(SHOP_QUERY);
    standIn.replies.push(
      { json: ok({ shop: { name: "Glow" } }, cost(100, 50)) },
      { json: ok({ shop: { name: "Glow" } }, cost(100, 0)) },
      { json: ok({ shop: { name: "Glow" } }, cost(100, 0)) },
    );
    await Promise.all([c.request(SHOP_QUERY), c.request(SHOP_QUERY), c.request(SHOP_QUERY)]);
    // 150 available: the first fits, the second waits 1 s for 50 more points; the third is
    // booked behind it at once and waits 3 s: each goes out when its points are there.
    expect(sleeps).toEqual([1000, 3000]);
  });

  it("retries a 5xx with backoff and then succeeds", async () => {
    standIn.replies.push(
      { status: 502, headers: { "content-type": "text/html" }, text: "<html><body>Bad Gateway</body></html>" },
      { status: 503, json: { errors: "Service Unavailable" } },
    );
    const data = await client().request(SHOP_QUERY);
    expect(data).toEqual({ shop: { name: "Glow" } });
    expect(standIn.requests).toHaveLength(3);
    expect(sleeps).toEqual([250, 500]); // random() = 0: half of 500 ms, then half of 1 s
  });

  it("honours Retry-After on a 429", async () => {
    standIn.replies.push({ status: 429, headers: { "retry-after": "2" }, json: { errors: "Exceeded 2 calls per second" } });
    await client().request(SHOP_QUERY);
    expect(sleeps).toEqual([2000]);
  });

  it("retries a dropped connection", async () => {
    standIn.replies.push("drop");
    const data = await client().request(SHOP_QUERY);
    expect(data).toEqual({ shop: { name: "Glow" } });
    expect(standIn.requests).toHaveLength(2);
  });

  it("retries a request that gets no answer in time", async () => {
    standIn.replies.push("hang");
    const data = await client({ timeoutMs: 200 }).request(SHOP_QUERY);
    expect(data).toEqual({ shop: { name: "Glow" } });
    expect(standIn.requests).toHaveLength(2);
  });

  it("gives up after maxRetries and says the failure may pass", async () => {
    for (let i = 0; i < 5; i++) standIn.replies.push({ status: 500, json: { errors: "Internal Server Error" } });
    const error = await failure(client({ maxRetries: 2 }).request(SHOP_QUERY));
    expect(standIn.requests).toHaveLength(3);
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(500);
    expect(error.attempts).toBe(3);
    expect(error.message).toContain(SHOP);
    expect(error.message).toContain("ShopName");
  });

  it("says, when it gives up, how long Shopify asked to wait: the bucket's refill, or Retry-After", async () => {
    standIn.replies.push({ json: throttled(752, 666) });
    const throttledError = await failure(client({ maxRetries: 0 }).request(SHOP_QUERY));
    expect(throttledError).toMatchObject({ code: "THROTTLED", retryable: true, retryAfterMs: Math.ceil(((752 - 666) / 50) * 1000) });
    standIn.replies.push({ status: 429, headers: { "retry-after": "7" }, json: { errors: "Exceeded 2 calls per second" } });
    expect(await failure(client({ maxRetries: 0 }).request(SHOP_QUERY))).toMatchObject({ retryAfterMs: 7000 });
    standIn.replies.push({ status: 503, json: { errors: "Service Unavailable" } });
    expect(await failure(client({ maxRetries: 0 }).request(SHOP_QUERY))).toMatchObject({ retryable: true, retryAfterMs: null });
  });

  it("refuses a URL template that does not give a URL", () => {
    expect(() => createAdminClient({ shop: SHOP, accessToken: TOKEN, urlTemplate: "{shop}/graphql" })).toThrow(
      /SHOPIFY_ADMIN_API_URL/,
    );
  });

  it("refuses to build a client without a token", () => {
    expect(() => createAdminClient({ shop: SHOP, accessToken: "" })).toThrow(/needs an Admin API access token/);
  });

  it("does not retry 401, 403 or 404", async () => {
    for (const [status, hint] of [
      [401, /reinstall the app or reconnect/],
      [403, /access scope/],
      [404, /check the shop domain/],
    ] as const) {
      standIn.requests = [];
      standIn.replies.push({ status, json: { errors: "[API] Invalid API key or access token" } });
      const error = await failure(client().request(SHOP_QUERY));
      expect(standIn.requests, `HTTP ${status}`).toHaveLength(1);
      expect(error.status).toBe(status);
      expect(error.retryable).toBe(false);
      expect(error.shop).toBe(SHOP);
      expect(error.operation).toBe("ShopName");
      expect(error.message).toMatch(hint);
      expect(error.message).toContain("Invalid API key or access token");
      expect(error.requestId).toBe("req-123");
    }
    expect(sleeps).toEqual([]);
  });

  it("does not retry a GraphQL validation error", async () => {
    standIn.replies.push({
      json: {
        errors: [
          {
            message: "Field 'nmae' doesn't exist on type 'Shop'",
            locations: [{ line: 1, column: 22 }],
            path: ["query ShopName", "shop", "nmae"],
            extensions: { code: "undefinedField", typeName: "Shop", fieldName: "nmae" },
          },
        ],
      },
    });
    const error = await failure(client().request(SHOP_QUERY));
    expect(standIn.requests).toHaveLength(1);
    expect(error.retryable).toBe(false);
    expect(error.code).toBe("undefinedField");
    expect(error.graphqlErrors).toEqual(["Field 'nmae' doesn't exist on type 'Shop'"]);
    expect(error.message).toContain(`Shopify Admin API ShopName for ${SHOP} failed`);
  });

  it("does not retry a query over Shopify's maximum cost", async () => {
    standIn.replies.push({
      json: {
        errors: [
          {
            message: "Query cost is 1502, which exceeds the single query max cost limit (1000).",
            extensions: { code: "MAX_COST_EXCEEDED", cost: 1502, maxCost: 1000 },
          },
        ],
      },
    });
    const error = await failure(client().request(SHOP_QUERY));
    expect(error.retryable).toBe(false);
    expect(error.code).toBe("MAX_COST_EXCEEDED");
  });

  it("reads SHOPIFY_ADMIN_API_URL when no template is given", async () => {
    const before = process.env.SHOPIFY_ADMIN_API_URL;
    process.env.SHOPIFY_ADMIN_API_URL = standIn.urlTemplate;
    try {
      const c = createAdminClient({ shop: SHOP, accessToken: TOKEN, throttle: new AdminApiThrottle() });
      expect(c.url).toBe(`http://127.0.0.1:${standIn.port}/${SHOP}/admin/api/2025-10/graphql.json`);
      await c.request(SHOP_QUERY);
      expect(standIn.requests).toHaveLength(1);
    } finally {
      if (before === undefined) delete process.env.SHOPIFY_ADMIN_API_URL;
      else process.env.SHOPIFY_ADMIN_API_URL = before;
    }
  });

  it("defaults to Shopify's own address", () => {
    const before = process.env.SHOPIFY_ADMIN_API_URL;
    delete process.env.SHOPIFY_ADMIN_API_URL;
    try {
      expect(createAdminClient({ shop: SHOP, accessToken: TOKEN }).url).toBe(
        `https://${SHOP}/admin/api/2025-10/graphql.json`,
      );
    } finally {
      if (before !== undefined) process.env.SHOPIFY_ADMIN_API_URL = before;
    }
  });
});
