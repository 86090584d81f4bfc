// The pure parts of observability and reconciliation: log redaction, the failure-rate window,
// the reconciliation window and the Admin API order's facts.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, maskEmails } from "~/platform/logger.server";
import { FailureRateMonitor } from "~/domain/failure-rate";
import { loadConfig } from "~/platform/config.server";
import { orderFactsFromAdminOrder, ordersSearchQuery, reconcileDecision, reconciliationSince, type AdminOrderNode } from "~/domain/reconciliation";
import { orderFactsFromWebhook } from "~/domain/order-facts";
import { dispatchObserved, startMetricsServer } from "~/platform/metrics.server";
import { createFailureAlerts } from "~/services/dispatch/alerts.server";
import { freePort } from "../../scripts/harness";

describe("logs", () => {
  it("mask addresses in messages, fields, nested values, keys and errors, and keep ids", () => {
    const lines: string[] = [];
    const log = createLogger({ app: "t" }, { write: (l) => lines.push(l), level: "debug" }).child({ shop: "s.myshopify.com", owner: "owner@shop.example" });
    log.info("sent to ada.kowalska@example.com", {
      followUpId: "fu_1",
      orderId: "gid://shopify/Order/1",
      to: { email: "Ada.Kowalska+vip@Example.co.uk", list: ["x@y.io", "plain"] },
      url: "https://app.example/unsubscribe?e=ada%40example.com",
      "ben@example.com": 1,
      err: new Error("SendGrid refused ben.carter@example.com"),
    });
    log.debug("debug is on");
    expect(lines).toHaveLength(2);
    const text = lines.join("\n");
    expect(text).not.toMatch(/@|%40/);
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ level: "info", app: "t", shop: "s.myshopify.com", followUpId: "fu_1", orderId: "gid://shopify/Order/1", msg: "sent to [email]" });
    expect(entry.err).toEqual({ name: "Error", message: "SendGrid refused [email]" });
    expect(typeof entry.time).toBe("string");
  });

  it("honour the level", () => {
    const lines: string[] = [];
    const log = createLogger({}, { write: (l) => lines.push(l), level: "warn" });
    log.info("quiet");
    log.warn("loud");
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(["loud"]);
  });

  it("leave text without addresses alone", () => {
    expect(maskEmails("shop afterglow-demo.myshopify.com order #1001 gid://shopify/Order/5")).toBe(
      "shop afterglow-demo.myshopify.com order #1001 gid://shopify/Order/5",
    );
  });
});

describe("failure-rate window", () => {
  const policy = { threshold: 0.2, minAttempts: 5, windowMs: 60_000, cooldownMs: 600_000 };
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000);

  it("alerts once the rate is above the threshold with enough attempts, then waits out the cool-down", () => {
    const m = new FailureRateMonitor(policy);
    for (let i = 0; i < 3; i++) expect(m.record({ shop: "a", failed: false, at: at(i) })).toBeNull();
    expect(m.record({ shop: "a", failed: true, at: at(3) })).toBeNull(); // 4 attempts: too few
    const alert = m.record({ shop: "a", failed: true, at: at(4) });
    expect(alert).toMatchObject({ shop: "a", attempts: 5, failures: 2, rate: 0.4 });
    expect(m.record({ shop: "a", failed: true, at: at(5) })).toBeNull(); // cool-down
    expect(m.record({ shop: "b", failed: true, at: at(5) })).toBeNull(); // another shop, its own window
    // After the cool-down, still failing: alerts again.
    for (let i = 0; i < 5; i++) m.record({ shop: "a", failed: true, at: at(700 + i) });
    expect(m.record({ shop: "a", failed: true, at: at(706) })).toBeNull(); // alerted at 700+4
  });

  it("forgets attempts older than the window and does not alert at exactly the threshold", () => {
    const m = new FailureRateMonitor(policy);
    for (let i = 0; i < 5; i++) m.record({ shop: "a", failed: true, at: at(i) });
    const fresh = new FailureRateMonitor(policy);
    for (let i = 0; i < 4; i++) fresh.record({ shop: "a", failed: false, at: at(i) });
    expect(fresh.record({ shop: "a", failed: true, at: at(4) })).toBeNull(); // 1/5 = 20 %: not above
    // 100 s later the old attempts are gone: four successes and a failure start over.
    const later = new FailureRateMonitor(policy);
    for (let i = 0; i < 4; i++) later.record({ shop: "a", failed: true, at: at(i) });
    for (let i = 0; i < 4; i++) expect(later.record({ shop: "a", failed: false, at: at(100 + i) })).toBeNull();
    expect(later.record({ shop: "a", failed: false, at: at(105) })).toBeNull();
  });

  it("reads its policy from the environment, percent or fraction", () => {
    expect(loadConfig({ ALERT_FAILURE_RATE: "25", ALERT_MIN_ATTEMPTS: "3" }).alerts).toMatchObject({ threshold: 0.25, minAttempts: 3 });
    expect(loadConfig({ ALERT_FAILURE_RATE: "0.1" }).alerts.threshold).toBe(0.1);
  });
});

describe("the alert hook", () => {
  let server: http.Server;
  let url: string;
  const received: { body: Record<string, unknown>; type?: string }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push({ body: JSON.parse(body), type: req.headers["content-type"] });
        res.end();
      });
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${port}/hook`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it("POSTs one JSON alert per shop per cool-down, counting only send attempts", async () => {
    const lines: string[] = [];
    const alerts = createFailureAlerts({
      settings: loadConfig({ ALERT_WEBHOOK_URL: url, ALERT_MIN_ATTEMPTS: "4", ALERT_FAILURE_RATE: "20" }).alerts,
      logger: createLogger({}, { write: (l) => lines.push(l) }),
    });
    const now = new Date();
    const feed = (shop: string, outcome: "sent" | "failed" | "retried" | "skipped") => alerts.observe({ shop, outcome, dueAt: now, at: now });
    for (let i = 0; i < 10; i++) await feed("quiet.myshopify.com", "skipped"); // skips are not failures
    await feed("busy.myshopify.com", "sent");
    await feed("busy.myshopify.com", "sent");
    await feed("busy.myshopify.com", "sent");
    expect(received).toHaveLength(0);
    await feed("busy.myshopify.com", "retried"); // 1 of 4 = 25 %
    for (let i = 0; i < 5; i++) await feed("busy.myshopify.com", "failed");
    expect(received).toHaveLength(1);
    expect(received[0].type).toBe("application/json");
    expect(received[0].body).toMatchObject({ type: "afterglow.failure_rate", shop: "busy.myshopify.com", attempts: 4, failures: 1, rate: 0.25, threshold: 0.2 });
    expect(String(received[0].body.text)).toContain("busy.myshopify.com");
    expect(lines.filter((l) => l.includes("failure rate above threshold"))).toHaveLength(1);
  });

  it("logs and carries on when the receiver is down", async () => {
    const lines: string[] = [];
    const alerts = createFailureAlerts({
      settings: loadConfig({ ALERT_WEBHOOK_URL: `http://127.0.0.1:${await freePort()}/nothing`, ALERT_MIN_ATTEMPTS: "1" }).alerts,
      logger: createLogger({}, { write: (l) => lines.push(l) }),
    });
    await alerts.observe({ shop: "x.myshopify.com", outcome: "failed", dueAt: new Date(), at: new Date() });
    expect(lines.some((l) => l.includes("alert webhook unreachable"))).toBe(true);
  });
});

describe("reconciliation decisions", () => {
  const policy = { overlapMs: 15 * 60_000, maxLookbackMs: 3 * 86_400_000 };
  const now = new Date("2026-03-10T12:00:00.000Z");

  it("starts at the install (to the second), at most the lookback ago, then at the cursor minus the overlap", () => {
    expect(reconciliationSince({ cursor: null, installedAt: new Date("2026-03-10T09:30:05.750Z"), now, policy })).toEqual(new Date("2026-03-10T09:30:05.000Z"));
    expect(reconciliationSince({ cursor: null, installedAt: new Date("2025-01-01T00:00:00Z"), now, policy })).toEqual(new Date("2026-03-07T12:00:00.000Z"));
    expect(reconciliationSince({ cursor: new Date("2026-03-10T11:45:00Z"), installedAt: new Date("2025-01-01T00:00:00Z"), now, policy })).toEqual(new Date("2026-03-10T11:30:00.000Z"));
    // A cursor from before a long outage is held to the lookback.
    expect(reconciliationSince({ cursor: new Date("2026-01-01T00:00:00Z"), installedAt: new Date("2025-01-01T00:00:00Z"), now, policy })).toEqual(new Date("2026-03-07T12:00:00.000Z"));
    expect(ordersSearchQuery(new Date("2026-03-10T11:30:00Z"))).toBe("updated_at:>='2026-03-10T11:30:00.000Z'");
  });

  it("schedules only what is missing, nothing for cancelled orders or orders from before the window", () => {
    const since = new Date("2026-03-10T11:00:00Z");
    const planned = [{ flowId: "f", stepKey: "a" }, { flowId: "f", stepKey: "b" }];
    const order = { orderedAt: new Date("2026-03-10T11:10:00Z"), cancelledAt: null };
    expect(reconcileDecision({ order, since, planned, existing: [] })).toEqual({ action: "schedule", missing: 2 });
    expect(reconcileDecision({ order, since, planned, existing: [{ flowId: "f", stepKey: "a" }] })).toEqual({ action: "schedule", missing: 1 });
    expect(reconcileDecision({ order, since, planned, existing: planned })).toEqual({ action: "none", why: "complete" });
    expect(reconcileDecision({ order: { ...order, cancelledAt: new Date() }, since, planned, existing: [] })).toEqual({ action: "none", why: "cancelled" });
    expect(reconcileDecision({ order: { ...order, orderedAt: new Date("2026-03-10T10:59:59Z") }, since, planned, existing: [] })).toEqual({ action: "none", why: "before_window" });
  });

  it("reads the same facts from an Admin API order as from its webhook", () => {
    const node: AdminOrderNode = {
      id: "gid://shopify/Order/7",
      name: "#1007",
      email: "Ada@Example.com",
      createdAt: "2026-03-10T11:10:00Z",
      processedAt: "2026-03-10T11:10:00Z",
      cancelledAt: null,
      customerLocale: "pl_PL",
      currencyCode: "USD",
      presentmentCurrencyCode: "PLN",
      customer: { id: "gid://shopify/Customer/1", firstName: "Ada" },
      billingAddress: { firstName: "Ada", countryCodeV2: "PL", provinceCode: null, zip: "00-561" },
      shippingAddress: { countryCodeV2: "pl", provinceCode: null, zip: "00-561" },
      totalPriceSet: { shopMoney: { amount: "25.0" }, presentmentMoney: { amount: "99.0", currencyCode: "PLN" } },
      subtotalPriceSet: { presentmentMoney: { amount: "89.0" } },
      lineItems: { nodes: [{ product: { id: "gid://shopify/Product/1" } }, { product: null }, { product: { id: "gid://shopify/Product/1" } }, { product: { id: "gid://shopify/Product/2" } }] },
    };
    const webhook = {
      id: 7,
      admin_graphql_api_id: "gid://shopify/Order/7",
      name: "#1007",
      email: "Ada@Example.com",
      created_at: "2026-03-10T12:10:00+01:00",
      customer_locale: "pl_PL",
      currency: "USD",
      presentment_currency: "PLN",
      total_price: "25.0",
      total_price_set: { shop_money: { amount: "25.0", currency_code: "USD" }, presentment_money: { amount: "99.0", currency_code: "PLN" } },
      subtotal_price_set: { shop_money: { amount: "22.0", currency_code: "USD" }, presentment_money: { amount: "89.0", currency_code: "PLN" } },
      customer: { id: 1, admin_graphql_api_id: "gid://shopify/Customer/1", first_name: "Ada" },
      shipping_address: { country_code: "PL" },
      line_items: [{ product_id: 1 }, { product_id: null }, { product_id: 1 }, { product_id: 2 }],
      cancelled_at: null,
    };
    const fromWebhook = orderFactsFromWebhook(webhook);
    const fromAdmin = orderFactsFromAdminOrder(node);
    for (const key of ["orderId", "name", "customerId", "email", "firstName", "locale", "countryCode", "currency", "totalPrice", "subtotalPrice", "shopCurrency", "totalPriceShop", "productIds", "orderedAt", "cancelledAt", "customerTimeZone"] as const) {
      expect(fromAdmin[key], key).toEqual(fromWebhook[key]);
    }
  });
});

describe("a worker's own metrics endpoint", () => {
  it("serves the process's metrics behind the token, and counts what this process dispatched", async () => {
    const server = await startMetricsServer({ port: 0, host: "127.0.0.1", token: "worker-token" });
    try {
      const url = `http://127.0.0.1:${server.port}`;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      const read = async () => {
        const res = await fetch(`${url}/metrics`, { headers: { Authorization: "Bearer worker-token" } });
        expect(res.status).toBe(200);
        return Number(/^afterglow_follow_ups_sent_total (\S+)$/m.exec(await res.text())?.[1]);
      };
      const before = await read();
      const dueAt = new Date(Date.now() - 90_000);
      dispatchObserved({ shop: "w.myshopify.com", outcome: "sent", dueAt, at: new Date() });
      expect(await read()).toBe(before + 1);
    } finally {
      await server.close();
    }
  });
});
