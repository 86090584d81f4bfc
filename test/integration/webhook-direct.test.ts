// The server's direct webhook path against the Remix routes with authenticate.webhook: the same
// Shopify-signed (and mis-signed, unsigned, malformed) requests get the same status from both,
// store the same delivery, and a refused one stores nothing on either. Also what the direct path
// leaves to Remix, and the limits it keeps on its own (a body without Content-Length).
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The store simulator answers the Admin API reads that settle whose order a body is: the
// simulator's shop, and a second connected shop a captured body could be replayed against.
const ctx = await vi.hoisted(async () => {
  const { createSeedStore } = await import("../../simulator/store");
  const { startAdminSimulator } = await import("../../simulator/admin-api");
  const store = createSeedStore();
  const otherStore = createSeedStore({ shop: "other-boutique.myshopify.com", name: "Other Boutique", accessToken: "shpat_other_boutique" });
  otherStore.shop.primaryDomain = { ...otherStore.shop.primaryDomain, host: "other-boutique.example", url: "https://other-boutique.example" };
  const admin = await startAdminSimulator({ stores: [store, otherStore] });
  const env = (await import("../helpers/env")).appTestEnv({
    name: "webhook-direct",
    apiKey: "direct-test-key",
    secret: "direct-test-secret",
    env: { WEBHOOK_MAX_BYTES: String(64 * 1024), LOG_LEVEL: "error", SHOPIFY_ADMIN_API_URL: admin.url },
  });
  return { ...env, store, otherStore, admin };
});

import prisma from "~/db.server";
import { receiveWebhookDirect, directWebhookTopic } from "~/webhooks/direct.server";
import { verifyShopifyWebhook } from "~/webhooks/signature.server";
import { WEBHOOK_HANDLERS } from "~/webhooks/topics.server";
import { authenticate } from "~/shopify.server";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { action as ordersCreateRoute } from "~/routes/webhooks.orders.create";
import { action as ordersCancelledRoute } from "~/routes/webhooks.orders.cancelled";
import { action as ordersPaidRoute } from "~/routes/webhooks.orders.paid";
import { action as appUninstalledRoute } from "~/routes/webhooks.app.uninstalled";
import { action as consentRoute } from "~/routes/webhooks.customers.email_marketing_consent.update";
import { action as shopRedactRoute } from "~/routes/webhooks.shop.redact";
import { createSeedStore, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP } from "../../simulator/store";
import { appUninstalledPayload, orderCancelledPayload, orderCreatedPayload } from "../../simulator/orders";
import { signWebhookBody, webhookRequest } from "../../simulator/webhooks";
import { turnOnFlow } from "../helpers/flows";

const { store, otherStore } = ctx;
const OTHER_SHOP = otherStore.shop.myshopifyDomain;
const createSeedStoreFor = (shop: string) => createSeedStore({ shop });
const products = store.products.filter((p) => p.status === "ACTIVE");
let server: http.Server;
let base: string;
let passedOn: string[] = [];

beforeAll(async () => {
  await storeOfflineToken({ prisma, shop: SIMULATOR_SHOP, accessToken: SIMULATOR_ACCESS_TOKEN });
  await storeOfflineToken({ prisma, shop: OTHER_SHOP, accessToken: otherStore.accessToken });
  await connectShop({ prisma, shop: OTHER_SHOP, profile: { name: "Other", storefrontUrl: otherStore.shop.primaryDomain.url } });
  // As the CLI's connect stores it from the shop's profile: order_status_url is on this domain.
  await connectShop({ prisma, shop: SIMULATOR_SHOP, profile: { name: "Direct", ianaTimezone: "Europe/Warsaw", storefrontUrl: store.shop.primaryDomain.url } });
  await turnOnFlow({ prisma, shop: SIMULATOR_SHOP });
  // As server.ts mounts it; what the direct path does not take would go on to Express and Remix.
  server = http.createServer((req, res) => {
    if (receiveWebhookDirect(req, res)) return;
    passedOn.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(404).end("passed on");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await ctx.admin.close();
  await ctx.cleanup();
});

type Delivery = { headers: Record<string, string>; body: string };

const counts = async () => ({
  deliveries: await prisma.webhookDelivery.count(),
  orders: await prisma.order.count(),
  followUps: await prisma.followUp.count(),
});

let orderNumber = 0;
function newOrder() {
  orderNumber++;
  return orderCreatedPayload({
    store,
    customerId: store.customers[orderNumber % 3].id,
    lines: [{ productId: products[orderNumber % products.length].id, quantity: 1 }],
    record: false,
  }) as Record<string, unknown>;
}

const signed = (payload: unknown, topic = "orders/create"): Delivery =>
  webhookRequest({ topic, shop: SIMULATOR_SHOP, payload, secret: ctx.secret });

// The same request to both paths; each gets its own order id and webhook id (when it has them)
// so neither sees the other's delivery as a redelivery.
async function viaRoute(d: Delivery, route = ordersCreateRoute, path = "orders/create") {
  // As the Node adapter builds it, Content-Length included.
  const headers = { ...d.headers, "Content-Length": String(Buffer.byteLength(d.body)) };
  const request = new Request(`https://afterglow.test/webhooks/${path}`, { method: "POST", headers, body: d.body });
  const res = await route({ request, params: {}, context: {} });
  return { status: res.status, reason: res.headers.get("X-Afterglow-Reason") };
}

async function viaDirect(d: Delivery, path = "orders/create") {
  const res = await fetch(`${base}/webhooks/${path}`, { method: "POST", headers: d.headers, body: d.body });
  await res.arrayBuffer();
  return { status: res.status, reason: res.headers.get("X-Afterglow-Reason") };
}

function withoutHeader(d: Delivery, name: string): Delivery {
  const headers = { ...d.headers };
  delete headers[name];
  return { ...d, headers };
}

const resigned = (d: Delivery, body: string): Delivery => ({
  body,
  headers: { ...d.headers, "X-Shopify-Hmac-Sha256": signWebhookBody(body, ctx.secret), "X-Shopify-Webhook-Id": randomUUID() },
});

// Shopify's newer "events" deliveries: the same facts under headers without the X- prefix.
function asEvent(d: Delivery): Delivery {
  const h = d.headers;
  return {
    body: d.body,
    headers: {
      "Content-Type": "application/json",
      "shopify-hmac-sha256": h["X-Shopify-Hmac-Sha256"],
      "shopify-topic": h["X-Shopify-Topic"],
      "shopify-shop-domain": h["X-Shopify-Shop-Domain"],
      "shopify-api-version": h["X-Shopify-API-Version"],
      "shopify-webhook-id": randomUUID(),
      "shopify-triggered-at": h["X-Shopify-Triggered-At"],
    },
  };
}

// Each case builds a fresh request, so the two paths get different orders and webhook ids.
const REFUSED: [string, () => Delivery, number][] = [
  ["signed with another secret", () => webhookRequest({ topic: "orders/create", shop: SIMULATOR_SHOP, payload: newOrder(), secret: "not-the-secret" }), 401],
  [
    "body changed after signing",
    () => {
      const d = signed(newOrder());
      return { ...d, body: d.body.replace('"currency"', '"currenc\\u0079"') };
    },
    401,
  ],
  ["no HMAC header", () => withoutHeader(signed(newOrder()), "X-Shopify-Hmac-Sha256"), 400],
  ["an HMAC of the wrong length", () => ({ ...signed(newOrder()), headers: { ...signed(newOrder()).headers, "X-Shopify-Hmac-Sha256": "abc" } }), 401],
  ["no topic header", () => withoutHeader(signed(newOrder()), "X-Shopify-Topic"), 400],
  ["no shop header", () => withoutHeader(signed(newOrder()), "X-Shopify-Shop-Domain"), 400],
  ["no API version header", () => withoutHeader(signed(newOrder()), "X-Shopify-API-Version"), 400],
  ["no webhook id header", () => withoutHeader(signed(newOrder()), "X-Shopify-Webhook-Id"), 400],
  ["an empty body, signed", () => resigned(signed(newOrder()), ""), 400],
  ["a body that is not JSON, signed", () => resigned(signed(newOrder()), "{not json"), 400],
  ["JSON that is not an order, signed", () => resigned(signed(newOrder()), JSON.stringify({ id: "abc", line_items: 3 })), 400],
  ["a form body", () => ({ ...signed(newOrder()), headers: { ...signed(newOrder()).headers, "Content-Type": "application/x-www-form-urlencoded" } }), 415],
  ["a body over the size limit", () => resigned(signed(newOrder()), JSON.stringify({ ...newOrder(), note: "x".repeat(70 * 1024) })), 413],
];

describe("the direct path and the routes answer alike", () => {
  it.each(REFUSED)("%s: the same status and reason from both, nothing stored", async (_what, make, status) => {
    const before = await counts();
    const route = await viaRoute(make());
    const direct = await viaDirect(make());
    expect(route.status).toBe(status);
    expect(direct.status).toBe(status);
    // authenticate.webhook's own refusals carry no reason header; ours agree wherever ours do.
    if (route.reason) expect(direct.reason).toBe(route.reason);
    expect(await counts()).toEqual(before);
    expect(passedOn).toEqual([]);
  });

  it("a valid order: both acknowledge and store the same delivery, order and follow-ups", async () => {
    const routeOrder = newOrder();
    const directOrder = newOrder();
    const routeDelivery = signed(routeOrder);
    const directDelivery = signed(directOrder);
    expect(await viaRoute(routeDelivery)).toEqual({ status: 200, reason: null });
    expect(await viaDirect(directDelivery)).toEqual({ status: 200, reason: null });

    const stored = async (d: Delivery) => {
      const delivery = await prisma.webhookDelivery.findUniqueOrThrow({ where: { webhookId: d.headers["X-Shopify-Webhook-Id"] } });
      const followUps = await prisma.followUp.findMany({ where: { orderId: delivery.orderId! }, orderBy: { stepId: "asc" } });
      return {
        // The ids and times differ between the two requests; each must be the one its request carried.
        delivery: { ...delivery, id: undefined, webhookId: undefined, orderId: undefined, receivedAt: undefined, eventId: undefined, triggeredAt: undefined },
        eventIdKept: delivery.eventId === d.headers["X-Shopify-Event-Id"],
        triggeredAtKept: delivery.triggeredAt?.getTime() === new Date(d.headers["X-Shopify-Triggered-At"]).getTime(),
        followUps: followUps.map((f) => ({ flowId: f.flowId, stepId: f.stepId, status: f.status })),
      };
    };
    const viaRoutes = await stored(routeDelivery);
    const viaDirectPath = await stored(directDelivery);
    expect(viaRoutes.delivery).toMatchObject({ shop: SIMULATOR_SHOP, topic: "ORDERS_CREATE" });
    expect(viaRoutes.eventIdKept).toBe(true);
    expect(viaRoutes.triggeredAtKept).toBe(true);
    expect(viaRoutes.followUps.length).toBeGreaterThan(0);
    expect(viaDirectPath).toEqual(viaRoutes);
  });

  it("a redelivery is acknowledged by both and stored once", async () => {
    for (const send of [viaRoute, viaDirect]) {
      const d = signed(newOrder());
      expect((await send(d)).status).toBe(200);
      const before = await counts();
      expect((await send(d)).status).toBe(200);
      expect(await counts()).toEqual(before);
    }
  });

  it("Shopify's events-style headers are accepted by both", async () => {
    for (const send of [viaRoute, viaDirect]) {
      const d = asEvent(signed(newOrder()));
      expect(await send(d)).toEqual({ status: 200, reason: null });
      const delivery = await prisma.webhookDelivery.findUniqueOrThrow({ where: { webhookId: d.headers["shopify-webhook-id"] } });
      expect(delivery).toMatchObject({ topic: "ORDERS_CREATE", shop: SIMULATOR_SHOP, eventId: null });
    }
  });

  it("other topics take their own handler on both paths (orders/cancelled)", async () => {
    const cancellation = () => signed(orderCancelledPayload(newOrder() as never), "orders/cancelled");
    expect(await viaRoute(cancellation(), ordersCancelledRoute, "orders/cancelled")).toEqual({ status: 200, reason: null });
    expect(await viaDirect(cancellation(), "orders/cancelled")).toEqual({ status: 200, reason: null });
    const topics = await prisma.webhookDelivery.groupBy({ by: ["topic"], _count: true, where: { topic: "ORDERS_CANCELLED" } });
    expect(topics).toEqual([{ topic: "ORDERS_CANCELLED", _count: 2 }]);
  });
});

// Every table a webhook could write, and each shop's connection, to show a refusal kept nothing.
const TABLES = ["webhookDelivery", "order", "followUp", "followUpEvent", "customerConsent", "complianceRequest", "auditLog", "session", "shop", "flow"] as const;
async function everything() {
  const rows: Record<string, unknown> = {};
  for (const table of TABLES) rows[table] = await (prisma[table] as unknown as { count(): Promise<number> }).count();
  rows.connected = (await prisma.shop.findMany({ select: { domain: true, uninstalledAt: true }, orderBy: { domain: "asc" } })).map((r) => `${r.domain}:${r.uninstalledAt ? "off" : "on"}`);
  return rows;
}

const ROUTES = {
  "orders/create": ordersCreateRoute,
  "orders/paid": ordersPaidRoute,
  "orders/cancelled": ordersCancelledRoute,
  "app/uninstalled": appUninstalledRoute,
  "customers/email_marketing_consent/update": consentRoute,
  "shop/redact": shopRedactRoute,
} as const;
type RoutePath = keyof typeof ROUTES;

// The same delivery (a fresh webhook id for each path) through the Remix route and the direct path.
async function viaBoth(path: RoutePath, make: () => Delivery) {
  const route = await viaRoute(make(), ROUTES[path], path);
  const direct = await viaDirect(make(), path);
  expect(direct).toEqual(route);
  return route;
}

// A captured body, signed by Shopify, posted again with headers of the sender's choosing.
function replay(payload: unknown, { topic, shop }: { topic: string; shop: string }): Delivery {
  // Shopify's X-Shopify-Topic spells the consent topic with an underscore.
  const header = topic.replace("customers/email_marketing_consent/", "customers_email_marketing_consent/");
  return webhookRequest({ topic: header, shop, payload, secret: ctx.secret });
}

// An order the simulator's Admin API knows, as Shopify would send it.
function recordedOrder(statusUrlHost?: string) {
  orderNumber++;
  const order = orderCreatedPayload({ store, customerId: store.customers[orderNumber % 3].id, lines: [{ productId: products[orderNumber % products.length].id, quantity: 1 }] }) as Record<string, unknown>;
  if (statusUrlHost) order.order_status_url = String(order.order_status_url).replace(/^https:\/\/[^/]+/, `https://${statusUrlHost}`);
  return order;
}

describe("a signed body is bound to its shop and topic", () => {
  it("a body posted to a route of another topic than its X-Shopify-Topic is refused: 400, nothing stored", async () => {
    const before = await everything();
    const order = recordedOrder();
    expect(await viaBoth("orders/paid", () => replay(order, { topic: "orders/create", shop: SIMULATOR_SHOP }))).toEqual({ status: 400, reason: "topic_mismatch" });
    expect(await viaBoth("app/uninstalled", () => replay(order, { topic: "orders/create", shop: OTHER_SHOP }))).toEqual({ status: 400, reason: "topic_mismatch" });
    expect(await everything()).toEqual(before);
  });

  it("an orders/create body replayed as app/uninstalled for another shop does not disconnect it", async () => {
    const before = await everything();
    const order = recordedOrder();
    expect(await viaBoth("app/uninstalled", () => replay(order, { topic: "app/uninstalled", shop: OTHER_SHOP }))).toEqual({ status: 400, reason: "wrong_shape" });
    // Nor does the real uninstall of one shop, replayed under another's header.
    const uninstall = appUninstalledPayload(store);
    expect(await viaBoth("app/uninstalled", () => replay(uninstall, { topic: "app/uninstalled", shop: OTHER_SHOP }))).toEqual({ status: 400, reason: "shop_mismatch" });
    expect(await everything()).toEqual(before);
  });

  it("an orders/create body replayed as orders/cancelled cancels nothing", async () => {
    const order = recordedOrder();
    expect((await viaDirect(signed(order))).status).toBe(200);
    const before = await everything();
    expect(await viaBoth("orders/cancelled", () => replay(order, { topic: "orders/cancelled", shop: SIMULATOR_SHOP }))).toEqual({ status: 400, reason: "wrong_shape" });
    expect(await everything()).toEqual(before);
    expect(await prisma.followUp.count({ where: { orderId: String(order.admin_graphql_api_id), status: "cancelled" } })).toBe(0);
  });

  it("an order replayed under another shop's header is refused: by its myshopify order_status_url, or by that shop's Admin API", async () => {
    const before = await everything();
    // The shop has no custom domain: the URL names it.
    const onMyshopify = recordedOrder(SIMULATOR_SHOP);
    expect(await viaBoth("orders/create", () => replay(onMyshopify, { topic: "orders/create", shop: OTHER_SHOP }))).toEqual({ status: 400, reason: "shop_mismatch" });
    // On the shop's custom domain the URL cannot tell: the other shop's Admin API has no such order.
    const onCustomDomain = recordedOrder();
    const requests = ctx.admin.requests.length;
    expect(await viaBoth("orders/create", () => replay(onCustomDomain, { topic: "orders/create", shop: OTHER_SHOP }))).toEqual({ status: 400, reason: "shop_mismatch" });
    expect(ctx.admin.requests.length).toBe(requests + 2);
    expect(await viaBoth("orders/paid", () => replay(onCustomDomain, { topic: "orders/paid", shop: OTHER_SHOP }))).toEqual({ status: 400, reason: "shop_mismatch" });
    expect(await everything()).toEqual(before);
  });

  it("an order on a custom domain the shop's profile does not name is stored when the shop's Admin API has it, refused when not", async () => {
    const known = recordedOrder("www.juniper-shop.example");
    expect(await viaDirect(replay(known, { topic: "orders/create", shop: SIMULATOR_SHOP }))).toEqual({ status: 200, reason: null });
    expect(await prisma.order.count({ where: { shop: SIMULATOR_SHOP, orderId: String(known.admin_graphql_api_id) } })).toBe(1);
    const before = await everything();
    const unknown = { ...newOrder(), order_status_url: "https://www.juniper-shop.example/1/orders/abc/authenticate?key=x" };
    expect(await viaBoth("orders/create", () => replay(unknown, { topic: "orders/create", shop: SIMULATOR_SHOP }))).toEqual({ status: 400, reason: "shop_mismatch" });
    const noUrl = { ...newOrder(), order_status_url: undefined };
    expect(await viaBoth("orders/create", () => replay(noUrl, { topic: "orders/create", shop: SIMULATOR_SHOP }))).toEqual({ status: 400, reason: "shop_mismatch" });
    expect(await everything()).toEqual(before);
  });

  it("an order body on the consent or compliance topics is refused by its shape", async () => {
    const before = await everything();
    const order = recordedOrder();
    expect(await viaBoth("customers/email_marketing_consent/update", () => replay(order, { topic: "customers/email_marketing_consent/update", shop: SIMULATOR_SHOP }))).toEqual({ status: 400, reason: "wrong_shape" });
    expect(await viaBoth("shop/redact", () => replay(order, { topic: "shop/redact", shop: SIMULATOR_SHOP }))).toEqual({ status: 400, reason: "wrong_shape" });
    expect(await everything()).toEqual(before);
  });
});

describe("deliveries for a shop we do not know, and empty bodies", () => {
  const STRANGER = "never-installed.myshopify.com";

  it("an order for a shop that never installed is acknowledged and nothing is stored", async () => {
    const before = await everything();
    const order = recordedOrder();
    expect(await viaBoth("orders/create", () => replay(order, { topic: "orders/create", shop: STRANGER }))).toEqual({ status: 200, reason: null });
    expect(await viaBoth("orders/cancelled", () => replay(orderCancelledPayload(order as never), { topic: "orders/cancelled", shop: STRANGER }))).toEqual({ status: 200, reason: null });
    expect(await everything()).toEqual(before);
  });

  it("app/uninstalled and consent for a shop we never had: 200, nothing stored", async () => {
    const before = await everything();
    const stranger = createSeedStoreFor(STRANGER);
    expect(await viaBoth("app/uninstalled", () => replay(appUninstalledPayload(stranger), { topic: "app/uninstalled", shop: STRANGER }))).toEqual({ status: 200, reason: null });
    const consent = { customer_id: 1, email_address: "a@example.com", email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: null } };
    expect(await viaBoth("customers/email_marketing_consent/update", () => replay(consent, { topic: "customers/email_marketing_consent/update", shop: STRANGER }))).toEqual({ status: 200, reason: null });
    expect(await everything()).toEqual(before);
  });

  it.each(["app/uninstalled", "customers/email_marketing_consent/update", "shop/redact"] as const)("a null or [] body on %s is 400 and stores nothing", async (path) => {
    const before = await everything();
    for (const body of [null, []]) {
      expect((await viaBoth(path, () => replay(body, { topic: path, shop: SIMULATOR_SHOP }))).status).toBe(400);
    }
    expect(await everything()).toEqual(before);
  });
});

describe("the signature check against authenticate.webhook itself", () => {
  it("accepts and refuses the same requests and reads the same delivery facts", async () => {
    const cases: Delivery[] = [
      signed(newOrder()),
      asEvent(signed(newOrder())),
      webhookRequest({ topic: "orders/create", shop: SIMULATOR_SHOP, payload: newOrder(), secret: "other" }),
      withoutHeader(signed(newOrder()), "X-Shopify-Hmac-Sha256"),
      withoutHeader(signed(newOrder()), "X-Shopify-Webhook-Id"),
      resigned(signed(newOrder()), ""),
      resigned(signed(newOrder()), "[1,2"),
      { ...signed(newOrder()), headers: { ...signed(newOrder()).headers, "X-Shopify-Triggered-At": "" } },
    ];
    for (const d of cases) {
      const lower = Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const ours = verifyShopifyWebhook({ header: (n) => lower[n], rawBody: Buffer.from(d.body), secret: ctx.secret });
      const theirs = await authenticate
        .webhook(new Request("https://afterglow.test/webhooks/orders/create", { method: "POST", headers: d.headers, body: d.body }))
        .then(
          (r) => ({ ok: true as const, shop: r.shop, topic: String(r.topic), webhookId: r.webhookId, apiVersion: r.apiVersion, eventId: ("eventId" in r ? r.eventId : undefined) ?? null, triggeredAt: r.triggeredAt ?? null, payload: r.payload }),
          (e: unknown) => (e instanceof Response ? { ok: false as const, status: e.status } : e instanceof SyntaxError ? { ok: false as const, status: 400 } : Promise.reject(e)),
        );
      if (theirs.ok) expect(ours).toEqual(theirs);
      else expect(ours).toMatchObject({ ok: false, status: theirs.status });
    }
  });
});

describe("what the direct path leaves to Remix", () => {
  it("takes only POSTs to the Shopify topics it has handlers for", () => {
    expect(directWebhookTopic("POST", "/webhooks/orders/create")).toBe("orders/create");
    expect(directWebhookTopic("POST", "/webhooks/orders/create/?x=1")).toBe("orders/create");
    expect(directWebhookTopic("GET", "/webhooks/orders/create")).toBeNull();
    expect(directWebhookTopic("POST", "/webhooks/sendgrid")).toBeNull();
    expect(directWebhookTopic("POST", "/webhooks/bench/bare")).toBeNull();
    expect(directWebhookTopic("POST", "/webhooks/constructor")).toBeNull();
    expect(directWebhookTopic("POST", "/app/webhooks/orders/create")).toBeNull();
    for (const topic of Object.keys(WEBHOOK_HANDLERS)) expect(directWebhookTopic("POST", `/webhooks/${topic}`)).toBe(topic);
  });

  it("passes the rest on untouched", async () => {
    passedOn = [];
    await (await fetch(`${base}/webhooks/orders/create`)).arrayBuffer();
    await (await fetch(`${base}/webhooks/sendgrid`, { method: "POST", body: "[]" })).arrayBuffer();
    await (await fetch(`${base}/app`)).arrayBuffer();
    expect(passedOn).toEqual(["GET /webhooks/orders/create", "POST /webhooks/sendgrid", "GET /app"]);
    passedOn = [];
  });

  it("a refused oversized body is read to its end: the sender gets its 413 and the connection serves the next delivery", async () => {
    const before = await counts();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (d: Delivery, extra: Record<string, string> = {}) =>
      new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
        const req = http.request(`${base}/webhooks/orders/create`, { method: "POST", agent, headers: { ...d.headers, ...extra } }, (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0, socket: req.socket }));
        });
        req.on("error", reject);
        // In pieces, as a streaming sender would.
        for (let i = 0; i < d.body.length; i += 16 * 1024) req.write(d.body.slice(i, i + 16 * 1024));
        req.end();
      });
    try {
      // Refused by its Content-Length before a byte is read, then by counting a chunked body.
      const big = resigned(signed(newOrder()), JSON.stringify({ ...newOrder(), note: "x".repeat(300 * 1024) }));
      const first = await post(big, { "Content-Length": String(Buffer.byteLength(big.body)) });
      const second = await post(resigned(signed(newOrder()), JSON.stringify({ ...newOrder(), note: "x".repeat(300 * 1024) })), { "Transfer-Encoding": "chunked" });
      expect([first.status, second.status]).toEqual([413, 413]);
      expect(await counts()).toEqual(before);
      const fine = await post(signed(newOrder()));
      expect(fine.status).toBe(200);
      expect(second.socket).toBe(first.socket);
      expect(fine.socket).toBe(first.socket);
    } finally {
      agent.destroy();
    }
  });

  it("a refused body that goes on past the drain limit has its connection closed", async () => {
    const d = signed(newOrder());
    // A raw socket, so what the server does to the connection shows: 64 KB limit, drained up to
    // 8x more but at least 16 MiB; the sender writes on (up to 32 MB) until the server hangs up.
    const outcome = await new Promise<{ answer: string; written: number; closedByServer: boolean }>((resolve) => {
      const socket = net.connect(Number(new URL(base).port), "127.0.0.1");
      let answer = "";
      let written = 0;
      let finished = false;
      socket.setEncoding("utf8");
      socket.on("data", (text: string) => (answer += text));
      socket.on("error", () => undefined);
      socket.on("close", () => resolve({ answer, written, closedByServer: !finished }));
      const head = Object.entries({ ...d.headers, Host: "127.0.0.1", "Transfer-Encoding": "chunked" }).map(([k, v]) => `${k}: ${v}`);
      socket.write(`POST /webhooks/orders/create HTTP/1.1\r\n${head.join("\r\n")}\r\n\r\n`);
      const piece = "x".repeat(64 * 1024);
      const chunk = `${piece.length.toString(16)}\r\n${piece}\r\n`;
      const pump = () => {
        while (written < 32 * 1024 * 1024 && !socket.destroyed) {
          written += piece.length;
          if (!socket.write(chunk)) return void socket.once("drain", pump);
        }
        if (socket.destroyed) return;
        finished = true;
        socket.end("0\r\n\r\n");
      };
      pump();
    });
    expect(outcome.answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(outcome.closedByServer).toBe(true);
    expect(outcome.written).toBeLessThan(32 * 1024 * 1024);
  });

  it("a body sent without Content-Length is cut off at the limit: 413, nothing stored", async () => {
    const before = await counts();
    const d = resigned(signed(newOrder()), JSON.stringify({ ...newOrder(), note: "x".repeat(200 * 1024) }));
    const status = await new Promise<number>((resolve, reject) => {
      let answered = false;
      const req = http.request(`${base}/webhooks/orders/create`, { method: "POST", headers: { ...d.headers, "Transfer-Encoding": "chunked" } }, (res) => {
        answered = true;
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      // The server closes the connection after its answer; writing on into it may fail.
      req.on("error", (err) => {
        if (!answered) reject(err);
      });
      // In pieces, as a streaming sender would.
      for (let i = 0; i < d.body.length; i += 16 * 1024) req.write(d.body.slice(i, i + 16 * 1024));
      req.end();
    });
    expect(status).toBe(413);
    expect(await counts()).toEqual(before);
  });
});
