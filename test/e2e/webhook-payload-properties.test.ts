// Generated, correctly signed order bodies against the built server: odd but signed payloads
// (lone surrogates, NUL bytes, dates in the year 275760, float and huge ids, wrong types) get a
// 2xx or a 4xx, never a 5xx (Shopify retries a 5xx for hours), and a 4xx leaves every table as
// it was. The direct path takes the larger run; the Remix routes (AFTERGLOW_DIRECT_WEBHOOKS=off)
// a smaller one. AFTERGLOW_PROPERTY_RUNS sets the larger run's size (the routes get a fifth).
import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, TEST_API_SECRET, type RunningApp } from "../../scripts/harness";
import { startTestStack, type TestStack } from "../helpers/stack";
import { SIMULATOR_SHOP } from "../../simulator/store";
import { orderCreatedPayload } from "../../simulator/orders";
import { webhookRequest } from "../../simulator/webhooks";
import { testDatabaseKind } from "../../scripts/databases";

// Sized to about a minute a run on two shared cores: each body is followed by a count of every table.
const RUNS = Number(process.env.AFTERGLOW_PROPERTY_RUNS ?? (testDatabaseKind() === "postgresql" ? 400 : 1000));
const SEED = process.env.AFTERGLOW_PROPERTY_SEED ? Number(process.env.AFTERGLOW_PROPERTY_SEED) : undefined;

let stack: TestStack;
let direct: RunningApp;
let routes: RunningApp;

beforeAll(async () => {
  stack = await startTestStack({ name: "webhook-properties", sendgrid: false, env: { AFTERGLOW_WORKER: "off", MAIL_TRANSPORT: "outbox", LOG_LEVEL: "error" } });
  direct = await startApp({ env: stack.env });
  routes = await startApp({ env: { ...stack.env, AFTERGLOW_DIRECT_WEBHOOKS: "off" } });
}, 120_000);

afterAll(async () => {
  await direct?.stop();
  await routes?.stop();
  await stack?.stop();
});

// Every table's row count in one query, so a 4xx can be shown to have stored nothing.
async function rowCounts(): Promise<Record<string, number>> {
  const tables = Object.values(Prisma.ModelName);
  const sql = `SELECT ${tables.map((t) => `(SELECT COUNT(*) FROM "${t}") AS "${t}"`).join(", ")}`;
  const [row] = await stack.prisma.$queryRawUnsafe<Record<string, number | bigint>[]>(sql);
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}

// Text Shopify would never send but a signed body can carry.
const oddText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }), // any code point, lone surrogates included
  fc.constantFrom("\u0000", "a\u0000b", "\ud800", "x\udfffy", "", " ", "\u202e", "𝒜", "'; DROP TABLE \"Order\"; --"),
  fc.string({ maxLength: 5000 }),
);
const oddDate = fc.oneof(
  fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom("+275760-09-13T00:00:00.000Z", "-271821-04-20T00:00:00.000Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2999-12-31T23:59:59Z", "2025-02-30T10:00:00Z", "yesterday", ""),
  oddText,
);
const oddNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(1.5, -1, 0, 1e21, 2 ** 53 + 1, Number.MAX_VALUE, Number("12345678901234567890")),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
);
const oddValue = fc.oneof(oddText, oddNumber, oddDate, fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));
// Mostly a Shopify-like value, sometimes something odd.
const mostly = <T,>(usual: T, odd: fc.Arbitrary<unknown> = oddValue) => fc.oneof({ weight: 3, arbitrary: fc.constant(usual) }, { weight: 2, arbitrary: odd });

const store = () => stack.store;

// An order the simulator's store knows (so the shop's Admin API has it), bent in a few places.
const orderBody = fc
  .record({
    id: mostly<unknown>("keep", oddNumber),
    gid: mostly<unknown>("keep"),
    name: mostly<unknown>("keep", oddText),
    email: mostly<unknown>("keep", oddText),
    createdAt: mostly<unknown>("keep", oddDate),
    cancelledAt: mostly<unknown>("keep", oddDate),
    currency: mostly<unknown>("keep", oddText),
    totalPrice: mostly<unknown>("keep"),
    firstName: mostly<unknown>("keep", oddText),
    tags: mostly<unknown>("keep", oddText),
    financialStatus: mostly<unknown>("keep", oddText),
    cancelReason: mostly<unknown>("keep", oddText),
    lineItems: mostly<unknown>("keep", fc.array(fc.record({ product_id: oddValue, variant_id: oddValue, quantity: oddNumber, title: oddText, vendor: oddText }), { maxLength: 5 })),
    fulfillments: mostly<unknown>("keep", fc.array(fc.record({ created_at: oddDate, updated_at: oddDate }), { maxLength: 3 })),
    statusUrl: fc.oneof({ weight: 20, arbitrary: fc.constant("keep") }, { weight: 1, arbitrary: fc.constantFrom("https://other-shop.myshopify.com/1/orders/x", "not a url", null) }),
    extra: fc.option(fc.dictionary(fc.string({ unit: "binary", maxLength: 12 }), oddValue, { maxKeys: 3 }), { nil: undefined }),
    topic: fc.constantFrom("orders/create", "orders/paid", "orders/fulfilled", "orders/cancelled", "orders/updated"),
  })
  .map((bend) => {
    const s = store();
    const customer = s.customers[0];
    const product = s.products.find((p) => p.status === "ACTIVE")!;
    const order = orderCreatedPayload({ store: s, customerId: customer.id, lines: [{ productId: product.id, quantity: 1 }] }) as Record<string, unknown>;
    const set = (key: string, value: unknown) => {
      if (value !== "keep") order[key] = value;
    };
    set("id", bend.id);
    set("admin_graphql_api_id", bend.gid);
    set("name", bend.name);
    set("email", bend.email);
    set("created_at", bend.createdAt);
    set("currency", bend.currency);
    set("total_price", bend.totalPrice);
    set("tags", bend.tags);
    set("financial_status", bend.financialStatus);
    set("line_items", bend.lineItems);
    set("order_status_url", bend.statusUrl);
    if (bend.firstName !== "keep" && order.customer) (order.customer as Record<string, unknown>).first_name = bend.firstName;
    // The topic's own shape, then bent like the rest.
    if (bend.topic === "orders/cancelled") {
      order.cancelled_at = bend.cancelledAt === "keep" ? new Date().toISOString() : bend.cancelledAt;
      order.cancel_reason = bend.cancelReason === "keep" ? "customer" : bend.cancelReason;
    } else set("cancelled_at", bend.cancelledAt);
    if (bend.topic === "orders/fulfilled") {
      order.fulfillment_status = "fulfilled";
      order.fulfillments = bend.fulfillments === "keep" ? [{ created_at: new Date().toISOString() }] : bend.fulfillments;
    }
    Object.assign(order, bend.extra ?? {});
    return { topic: bend.topic, order };
  });

async function post(app: RunningApp, topic: string, payload: unknown) {
  const { headers, body } = webhookRequest({ topic, shop: SIMULATOR_SHOP, payload, secret: TEST_API_SECRET, webhookId: randomUUID() });
  const res = await fetch(`${app.url}/webhooks/${topic}`, { method: "POST", headers, body });
  return { status: res.status, text: await res.text() };
}

async function property(app: RunningApp, numRuns: number) {
  let counts = await rowCounts();
  const statuses: Record<number, number> = {};
  await fc.assert(
    fc.asyncProperty(orderBody, async ({ topic, order }) => {
      const res = await post(app, topic, order);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const after = await rowCounts();
      if (res.status >= 500) throw new Error(`${topic} answered ${res.status} ${res.text}; the app logged:\n${app.logs.slice(-3).join("\n")}`);
      if (res.status >= 400) expect(after, `${topic} answered ${res.status} (${res.text}) but stored rows`).toEqual(counts);
      counts = after;
    }),
    { numRuns, seed: SEED, endOnFailure: true },
  );
  return statuses;
}

describe(`signed order bodies of every odd shape (${testDatabaseKind()})`, () => {
  it(`the direct path answers ${RUNS} of them with 2xx or 4xx, and a 4xx stores nothing`, async () => {
    const statuses = await property(direct, RUNS);
    // Both answers must occur, or the generator tests nothing.
    expect(statuses[200]).toBeGreaterThan(0);
    expect(statuses[400]).toBeGreaterThan(0);
    console.info(`direct path, ${RUNS} bodies:`, statuses);
  }, 600_000);

  it(`the Remix routes answer ${Math.ceil(RUNS / 5)} of them the same way`, async () => {
    const statuses = await property(routes, Math.ceil(RUNS / 5));
    expect(statuses[200]).toBeGreaterThan(0);
    console.info(`Remix routes, ${Math.ceil(RUNS / 5)} bodies:`, statuses);
  }, 600_000);

  it("the bodies the probe found: each a 4xx naming the problem, or stored without the odd bytes", async () => {
    const s = store();
    const product = s.products.find((p) => p.status === "ACTIVE")!;
    const base = () => orderCreatedPayload({ store: s, customerId: s.customers[1].id, lines: [{ productId: product.id, quantity: 1 }] }) as Record<string, unknown>;
    const far = { ...base(), created_at: "+275760-09-13T00:00:00.000Z" };
    const farRes = await post(direct, "orders/create", far);
    expect(farRes).toMatchObject({ status: 400 });
    expect(farRes.text).toMatch(/created_at .* is not a date between 1970 and 2999/);
    expect((await post(direct, "orders/create", { ...base(), id: 1.5, admin_graphql_api_id: null })).status).toBe(400);

    const withNul = base();
    (withNul.customer as Record<string, unknown>).first_name = "Ada\u0000\ud800";
    withNul.name = "#10\u000001";
    expect((await post(direct, "orders/create", withNul)).status).toBe(200);
    const stored = await stack.prisma.order.findFirstOrThrow({ where: { orderId: String(withNul.admin_graphql_api_id) } });
    expect(stored.name).toBe("#1001");
    expect(stored.firstName).not.toContain("\u0000");
  });
});
