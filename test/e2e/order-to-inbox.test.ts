// End to end: the built server, Shopify-shaped signed webhooks, the operator CLI's dispatcher,
// the store simulator for the Admin API and the SendGrid stand-in for mail.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli, TEST_API_SECRET, type RunningApp } from "../../scripts/harness";
import type { SendGridStandIn } from "../../simulator/sendgrid";
import { SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { orderCancelledPayload, orderCreatedPayload } from "../../simulator/orders";
import { sendWebhook, webhookRequest } from "../../simulator/webhooks";
import type { createPrismaClient } from "~/db.server";
import { sendFirstStepAtOnce, startAppStack, type AppStack } from "../helpers/stack";

// A test may start the CLI dispatcher twice; on a busy machine each start takes seconds.
vi.setConfig({ testTimeout: 120_000 });

let stack: AppStack;
let env: Record<string, string>;
let store: SeedStore;
let sendgrid: SendGridStandIn;
let app: RunningApp;
let prisma: ReturnType<typeof createPrismaClient>;

const counts = async () => ({
  deliveries: await prisma.webhookDelivery.count(),
  orders: await prisma.order.count(),
  followUps: await prisma.followUp.count(),
});

async function cli(...args: string[]) {
  const r = await runCli(args, env);
  if (r.status !== 0) throw new Error(`afterglow ${args.join(" ")} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

beforeAll(async () => {
  // The default flow on, sending at once instead of after its hour.
  let delayBefore: unknown;
  stack = await startAppStack({
    name: "e2e",
    sendgridKey: "SG.e2e-key",
    env: { AFTERGLOW_WORKER: "off" },
    beforeApp: async (started) => void ({ delayBefore } = await sendFirstStepAtOnce(started.env)),
  });
  expect(delayBefore).toEqual({ amount: 1, unit: "hours" });
  ({ store, sendgrid, env, app, prisma } = stack);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe("webhook routes", () => {
  const url = () => `${app.url}/webhooks/orders/create`;
  const payload = () =>
    orderCreatedPayload({ store, customerId: store.customers[0].id, lines: [{ productId: store.products[0].id, quantity: 1 }], record: false });

  it("answers 401 to a bad HMAC and stores nothing", async () => {
    const before = await counts();
    const req = webhookRequest({ topic: "orders/create", shop: SIMULATOR_SHOP, payload: payload(), secret: "not-the-secret" });
    const res = await fetch(url(), { method: "POST", headers: req.headers, body: req.body });
    expect(res.status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it("answers 401 when the body was changed after signing", async () => {
    const before = await counts();
    const req = webhookRequest({ topic: "orders/create", shop: SIMULATOR_SHOP, payload: payload(), secret: TEST_API_SECRET });
    const res = await fetch(url(), { method: "POST", headers: req.headers, body: req.body.replace('"currency"', '"currenc\\u0079"') });
    expect(res.status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it("answers 400 to a signed body that is not JSON, or not an order, and stores nothing", async () => {
    const before = await counts();
    const req = webhookRequest({ topic: "orders/create", shop: SIMULATOR_SHOP, payload: {}, secret: TEST_API_SECRET });
    const { signWebhookBody } = await import("../../simulator/webhooks");
    for (const body of ["{not json", JSON.stringify({ id: "abc", line_items: 3 })]) {
      const headers = { ...req.headers, "X-Shopify-Hmac-Sha256": signWebhookBody(body, TEST_API_SECRET), "X-Shopify-Webhook-Id": randomUUID() };
      const res = await fetch(url(), { method: "POST", headers, body });
      expect(res.status).toBe(400);
    }
    expect(await counts()).toEqual(before);
  });

  it("answers 415 to a body that is not JSON by its content type, and 413 to an oversized one, storing nothing", async () => {
    const before = await counts();
    const req = webhookRequest({ topic: "orders/create", shop: SIMULATOR_SHOP, payload: payload(), secret: TEST_API_SECRET });
    const asForm = await fetch(url(), { method: "POST", headers: { ...req.headers, "Content-Type": "application/x-www-form-urlencoded" }, body: req.body });
    expect(asForm.status).toBe(415);
    const huge = JSON.stringify({ ...JSON.parse(req.body), note: "x".repeat(3 * 1024 * 1024) });
    const { signWebhookBody } = await import("../../simulator/webhooks");
    const big = await fetch(url(), {
      method: "POST",
      headers: { ...req.headers, "X-Shopify-Hmac-Sha256": signWebhookBody(huge, TEST_API_SECRET), "X-Shopify-Webhook-Id": randomUUID() },
      body: huge,
    });
    expect(big.status).toBe(413);
    expect(await counts()).toEqual(before);
  });

  it("answers 400 when Shopify's headers are missing", async () => {
    const req = webhookRequest({ topic: "orders/create", shop: SIMULATOR_SHOP, payload: payload(), secret: TEST_API_SECRET });
    const headers = { ...req.headers };
    delete (headers as Record<string, string>)["X-Shopify-Webhook-Id"];
    const res = await fetch(url(), { method: "POST", headers, body: req.body });
    expect(res.status).toBe(400);
  });

  it("acknowledges and records a compliance request, keeping none of the customer's ids once done", async () => {
    const res = await sendWebhook(`${app.url}/webhooks/customers/redact`, {
      topic: "customers/redact",
      shop: SIMULATOR_SHOP,
      payload: { shop_id: 1, shop_domain: SIMULATOR_SHOP, customer: { id: 42, email: "x@example.com" }, orders_to_redact: [7] },
      secret: TEST_API_SECRET,
    });
    expect(res.status).toBe(200);
    const recorded = await prisma.complianceRequest.findFirstOrThrow({ where: { topic: { contains: "REDACT" } } });
    expect(recorded).toMatchObject({ status: "completed", customerId: null, orderIds: null });
    expect(JSON.parse(recorded.report ?? "{}")).toHaveProperty("removed");
  });
});

describe("order to inbox", () => {
  it("sends exactly one email for a twice-delivered order and none for a cancelled one", async () => {
    const customer = store.customers.find((c) => c.defaultEmailAddress?.emailAddress)!;
    const purchased = store.products.filter((p) => p.status === "ACTIVE" && p.onlineStoreUrl).slice(0, 2);
    const orderA = orderCreatedPayload({ store, customerId: customer.id, lines: purchased.map((p) => ({ productId: p.id, quantity: 1 })) });
    const orderB = orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: purchased[0].id, quantity: 2 }] });
    const post = (topic: string, payload: unknown, webhookId = randomUUID()) =>
      sendWebhook(`${app.url}/webhooks/${topic}`, { topic, shop: SIMULATOR_SHOP, payload, secret: TEST_API_SECRET, webhookId });

    const webhookId = randomUUID();
    expect((await post("orders/create", orderA, webhookId)).status).toBe(200);
    expect((await post("orders/create", orderA, webhookId)).status).toBe(200); // redelivery
    expect((await post("orders/create", orderA)).status).toBe(200); // a second delivery of the same order
    expect((await post("orders/create", orderB)).status).toBe(200);
    expect((await post("orders/cancelled", orderCancelledPayload(orderB, { reason: "customer" }))).status).toBe(200);

    const dispatched = await cli("dispatch", "--once");
    expect(dispatched).toMatch(/1 sent/);
    expect(await cli("dispatch", "--once")).toMatch(/0 sent/);

    expect(sendgrid.messages).toHaveLength(1);
    const mail = sendgrid.messages[0];
    expect(mail.to).toEqual([{ email: customer.defaultEmailAddress!.emailAddress, name: customer.firstName }]);
    // The default flow keeps the template's own subject, so a pl-PL customer gets it in Polish.
    expect(customer.locale).toMatch(/^pl/);
    expect(mail.subject).toBe(`Dziękujemy za zamówienie ${orderA.name}`);
    expect(mail.from.email).toBeTruthy();
    expect(mail.text).toBeTruthy();

    const followUpA = await prisma.followUp.findFirstOrThrow({ where: { orderId: `gid://shopify/Order/${orderA.id}` } });
    expect(mail.customArgs).toMatchObject({ followUpId: followUpA.id, shop: SIMULATOR_SHOP, flow: "thank-you" });
    expect(followUpA).toMatchObject({ status: "sent", messageId: mail.messageId, transport: "sendgrid" });

    // Recommendations: real products of the store, never one that was bought.
    const links = [...mail.html!.matchAll(/href="([^"]+\/products\/[^"?]+)/g)].map((m) => new URL(m[1]).pathname);
    const handles = new Set(links.map((l) => l.split("/").pop()));
    expect(handles.size).toBeGreaterThan(0);
    expect(handles.size).toBeLessThanOrEqual(4);
    for (const p of purchased) expect(handles.has(p.handle)).toBe(false);
    for (const handle of handles) {
      const product = store.products.find((p) => p.handle === handle);
      expect(product?.status).toBe("ACTIVE");
    }
    expect(mail.html).toContain("utm_source=afterglow");

    const followUpB = await prisma.followUp.findFirstOrThrow({ where: { orderId: `gid://shopify/Order/${orderB.id}` } });
    expect(followUpB.status).toBe("cancelled");
    expect(followUpB.skipReason).toMatch(/cancelled/);

    const listed = await cli("follow-ups", "list", "--shop", SIMULATOR_SHOP);
    expect(listed).toContain(followUpA.id);
    expect(listed).toMatch(/cancelled/);
  });
});

describe("access tokens at rest", () => {
  // After the install (the CLI's connect, above) and a follow-up sent with recommendations read
  // through the Admin API with the shop's token, the database holds that token only encrypted.
  it("a dump of the database holds no access token, and the Admin API was called with it", async () => {
    expect(sendgrid.messages.length).toBeGreaterThan(0);
    expect(sendgrid.messages[0].html).toMatch(/\/products\//);
    const session = await prisma.session.findUniqueOrThrow({ where: { id: `offline_${SIMULATOR_SHOP}` } });
    expect(session.accessToken).toMatch(/^v1:[A-Za-z0-9_-]+:/);
    let dump: Buffer;
    if (stack.database.kind === "sqlite") {
      // The file and whatever of it still sits in the write-ahead log, byte for byte.
      const file = stack.database.url.slice("file:".length);
      dump = Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
    } else {
      dump = execFileSync("pg_dump", ["--data-only", stack.database.url], { maxBuffer: 256 * 1024 * 1024 });
    }
    expect(dump.length).toBeGreaterThan(10_000);
    expect(dump.includes(session.accessToken)).toBe(true); // the dump is of this database
    expect(dump.includes("shpat_")).toBe(false);
    expect(dump.includes(SIMULATOR_ACCESS_TOKEN)).toBe(false);
  });
});

describe("unsubscribe", () => {
  it("one click on List-Unsubscribe stops the next marketing email, with the reason kept", async () => {
    // Not the customer of the test above: smart sending allows one marketing email per 16 hours.
    const customer = store.customers.filter((c) => c.defaultEmailAddress?.marketingState === "SUBSCRIBED")[1]!;
    const product = store.products.find((p) => p.status === "ACTIVE" && p.onlineStoreUrl)!;
    const post = (payload: unknown) =>
      sendWebhook(`${app.url}/webhooks/orders/create`, { topic: "orders/create", shop: SIMULATOR_SHOP, payload, secret: TEST_API_SECRET });
    sendgrid.clear();

    const first = orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: product.id, quantity: 1 }] });
    expect((await post(first)).status).toBe(200);
    expect(await cli("dispatch", "--once")).toMatch(/1 sent/);
    const mail = sendgrid.messages[0];
    expect(mail.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const oneClick = /<(https?:[^>]+)>/.exec(mail.headers["List-Unsubscribe"])![1];
    expect(oneClick.startsWith(app.url)).toBe(true);
    expect(mail.html).toContain(oneClick.replace(/&/g, "&amp;"));
    expect(mail.categories).toContain("marketing");

    // What Gmail or Yahoo send when the customer clicks "Unsubscribe": no cookies, no login.
    const res = await fetch(oneClick, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
      redirect: "manual",
    });
    expect(res.status).toBe(200);
    // Written back: the shop's other tools see the customer unsubscribed too.
    expect(customer.defaultEmailAddress!.marketingState).toBe("UNSUBSCRIBED");

    const second = orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: product.id, quantity: 1 }] });
    expect((await post(second)).status).toBe(200);
    expect(await cli("dispatch", "--once")).toMatch(/0 sent.*1 skipped/);
    expect(sendgrid.messages).toHaveLength(1);
    const skipped = await prisma.followUp.findFirstOrThrow({ where: { orderId: `gid://shopify/Order/${second.id}` } });
    expect(skipped.status).toBe("skipped");
    expect(skipped.skipReason).toMatch(/unsubscribed/);
  });

  it("a customer not subscribed to email marketing gets no marketing follow-up, and the reason says so", async () => {
    const customer = store.customers.find((c) => c.defaultEmailAddress?.marketingState === "NOT_SUBSCRIBED" && c.defaultEmailAddress.emailAddress)!;
    const product = store.products.find((p) => p.status === "ACTIVE" && p.onlineStoreUrl)!;
    sendgrid.clear();
    const order = orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: product.id, quantity: 1 }] });
    const res = await sendWebhook(`${app.url}/webhooks/orders/create`, { topic: "orders/create", shop: SIMULATOR_SHOP, payload: order, secret: TEST_API_SECRET });
    expect(res.status).toBe(200);
    expect(await cli("dispatch", "--once")).toMatch(/1 skipped/);
    expect(sendgrid.messages).toHaveLength(0);
    const f = await prisma.followUp.findFirstOrThrow({ where: { orderId: `gid://shopify/Order/${order.id}` } });
    expect(f.skipReason).toMatch(/subscribe|consent/i);
  });
});
