import "@shopify/shopify-api/adapters/web-api";
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import {
  appUninstalledPayload,
  customersDataRequestPayload,
  customersRedactPayload,
  orderCancelledPayload,
  orderCreatedPayload,
  shopRedactPayload,
  shopTimestamp,
} from "../../simulator/orders";
import { createSeedStore, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP } from "../../simulator/store";
import { sendWebhook, signWebhookBody, webhookRequest } from "../../simulator/webhooks";

const SECRET = "afterglow-test-client-secret";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ADA = "gid://shopify/Customer/8201000000001";
const BEN = "gid://shopify/Customer/8201000000002";
const CANDLE = "gid://shopify/Product/9101000000001";
const MUG = "gid://shopify/Product/9101000000006";

const shopify = shopifyApi({
  apiKey: "afterglow-test-key",
  apiSecretKey: SECRET,
  apiVersion: ApiVersion.October25,
  hostName: "afterglow.example",
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error },
});

function asRequest({ headers, body }: { headers: Record<string, string>; body: string }): Request {
  return new Request("https://afterglow.example/webhooks/orders/create", { method: "POST", headers, body });
}

describe("webhook signatures", () => {
  it("signs the raw body as base64 HMAC-SHA256 that node:crypto verifies", () => {
    const body = JSON.stringify({ id: 1, note: "żółć — unicode survives" });
    const signature = signWebhookBody(body, SECRET);
    const expected = createHmac("sha256", SECRET).update(Buffer.from(body, "utf8")).digest();
    expect(timingSafeEqual(Buffer.from(signature, "base64"), expected)).toBe(true);
    expect(signWebhookBody(body, "another-secret")).not.toBe(signature);
  });

  it("sends every header Shopify sends on an HTTPS delivery", () => {
    const store = createSeedStore();
    const payload = orderCreatedPayload({ store, customerId: ADA, lines: [{ productId: CANDLE, quantity: 1 }] });
    const { headers, body } = webhookRequest({ topic: "orders/create", shop: SIMULATOR_SHOP, payload, secret: SECRET });
    expect(body).toBe(JSON.stringify(payload));
    expect(headers).toEqual({
      "Content-Type": "application/json",
      "User-Agent": "Shopify-Captain-Hook",
      Accept: "*/*",
      "X-Shopify-Topic": "orders/create",
      "X-Shopify-Hmac-Sha256": signWebhookBody(body, SECRET),
      "X-Shopify-Shop-Domain": SIMULATOR_SHOP,
      "X-Shopify-API-Version": "2025-10",
      "X-Shopify-Webhook-Id": expect.stringMatching(UUID),
      "X-Shopify-Event-Id": expect.stringMatching(UUID),
      "X-Shopify-Triggered-At": expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/),
      "X-Shopify-Order-Id": String(payload.id),
    });
    expect(Number.isNaN(Date.parse(headers["X-Shopify-Triggered-At"]))).toBe(false);
    const again = webhookRequest({ topic: "orders/create", shop: SIMULATOR_SHOP, payload, secret: SECRET });
    expect(again.headers["X-Shopify-Webhook-Id"]).not.toBe(headers["X-Shopify-Webhook-Id"]);
  });

  it("refuses what Shopify would never send", () => {
    const base = { shop: SIMULATOR_SHOP, payload: {}, secret: SECRET };
    expect(() => webhookRequest({ ...base, topic: "ORDERS_CREATE" })).toThrow(/topic/);
    expect(() => webhookRequest({ ...base, topic: "orders/create", shop: "afterglow.example.com" })).toThrow(/myshopify/);
    expect(() => webhookRequest({ ...base, topic: "orders/create", apiVersion: "2023-01" })).toThrow(/supported API version/);
    expect(() => webhookRequest({ ...base, topic: "orders/create", secret: "" })).toThrow(/secret/);
  });

  it("is accepted by @shopify/shopify-api's own webhook validation", async () => {
    const store = createSeedStore();
    const payload = orderCreatedPayload({ store, customerId: ADA, lines: [{ productId: CANDLE, quantity: 2 }] });
    const delivery = webhookRequest({
      topic: "orders/create",
      shop: SIMULATOR_SHOP,
      payload,
      secret: SECRET,
      webhookId: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
      eventId: "98880550-7158-44d4-b7cd-2c97c8a091b5",
      triggeredAt: "2025-10-14T11:05:12.123456789Z",
    });
    const result = await shopify.webhooks.validate({ rawBody: delivery.body, rawRequest: asRequest(delivery) });
    expect(result).toEqual({
      valid: true,
      webhookType: "webhooks",
      hmac: delivery.headers["X-Shopify-Hmac-Sha256"],
      topic: "ORDERS_CREATE",
      domain: SIMULATOR_SHOP,
      apiVersion: "2025-10",
      webhookId: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
      eventId: "98880550-7158-44d4-b7cd-2c97c8a091b5",
      triggeredAt: "2025-10-14T11:05:12.123456789Z",
    });
  });

  it("is rejected by @shopify/shopify-api when tampered with or signed with another secret", async () => {
    const store = createSeedStore();
    const payload = orderCreatedPayload({ store, customerId: ADA, lines: [{ productId: CANDLE, quantity: 1 }] });
    const delivery = webhookRequest({ topic: "orders/create", shop: SIMULATOR_SHOP, payload, secret: SECRET });
    const tamperedBody = delivery.body.replace(`"total_price":"${payload.total_price}"`, `"total_price":"0.01"`);
    expect(tamperedBody).not.toBe(delivery.body);
    const tampered = await shopify.webhooks.validate({
      rawBody: tamperedBody,
      rawRequest: asRequest({ headers: delivery.headers, body: tamperedBody }),
    });
    expect(tampered).toEqual({ valid: false, reason: "invalid_hmac" });

    const foreign = webhookRequest({ topic: "orders/create", shop: SIMULATOR_SHOP, payload, secret: "someone-elses-secret" });
    const wrongSecret = await shopify.webhooks.validate({ rawBody: foreign.body, rawRequest: asRequest(foreign) });
    expect(wrongSecret).toEqual({ valid: false, reason: "invalid_hmac" });
  });

  describe("sendWebhook", () => {
    let server: http.Server;
    let url: string;
    const received: Array<{ valid: boolean; topic?: string; body: string }> = [];
    beforeAll(async () => {
      // A receiver that does what the app's webhook routes do: validate, then answer.
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", async () => {
          const body = Buffer.concat(chunks).toString("utf8");
          const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
          const result = await shopify.webhooks.validate({ rawBody: body, rawRequest: asRequest({ headers, body }) });
          received.push({ valid: result.valid, topic: result.valid ? result.topic : undefined, body });
          res.writeHead(result.valid ? 200 : 401).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("delivers signed webhooks over HTTP that a validating receiver accepts", async () => {
      const store = createSeedStore();
      const good = await sendWebhook(url, { topic: "app/uninstalled", shop: SIMULATOR_SHOP, payload: appUninstalledPayload(store), secret: SECRET });
      const bad = await sendWebhook(url, { topic: "shop/redact", shop: SIMULATOR_SHOP, payload: shopRedactPayload(store), secret: "wrong" });
      expect([good.status, bad.status]).toEqual([200, 401]);
      expect(received.map((r) => [r.valid, r.topic])).toEqual([
        [true, "APP_UNINSTALLED"],
        [false, undefined],
      ]);
    });
  });
});

describe("orders/create payloads", () => {
  it("agrees with the store's products, prices and customer", () => {
    const store = createSeedStore();
    const payload = orderCreatedPayload({
      store,
      customerId: ADA,
      lines: [
        { productId: CANDLE, quantity: 2 },
        { productId: MUG, quantity: 1 },
      ],
      createdAt: "2025-10-14T11:05:12Z",
    });
    const ada = store.customers.find((c) => c.id === ADA)!;
    // Ada lives in Poland: she pays in złoty, the shop books dollars.
    expect(payload).toMatchObject({
      admin_graphql_api_id: `gid://shopify/Order/${payload.id}`,
      name: "#1006",
      order_number: 1006,
      number: 6,
      email: ada.email,
      contact_email: ada.email,
      currency: "USD",
      presentment_currency: "PLN",
      customer_locale: "pl-PL",
      subtotal_price: "329.00",
      total_price: "329.00",
      total_price_set: { shop_money: { amount: "80.00", currency_code: "USD" }, presentment_money: { amount: "329.00", currency_code: "PLN" } },
      created_at: "2025-10-14T13:05:12+02:00",
      processed_at: "2025-10-14T13:05:12+02:00",
      cancelled_at: null,
      financial_status: "paid",
      source_name: "web",
      discount_codes: [],
      shipping_address: { country_code: "PL", city: "Warszawa" },
      customer: {
        id: 8201000000001,
        email: ada.email,
        first_name: "Ada",
        last_name: "Kowalska",
        admin_graphql_api_id: ADA,
        email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in" },
      },
    });
    expect(payload.line_items).toEqual([
      expect.objectContaining({
        product_id: 9101000000001,
        variant_id: 49101000000001,
        title: "Juniper Forest Soy Candle",
        variant_title: "8 oz",
        quantity: 2,
        price: "115.00",
        sku: "JP-001-1",
        vendor: "Juniper & Pine",
        price_set: { shop_money: { amount: "28.00", currency_code: "USD" }, presentment_money: { amount: "115.00", currency_code: "PLN" } },
      }),
      expect.objectContaining({ product_id: 9101000000006, quantity: 1, price: "99.00", vendor: "Kiln & Co." }),
    ]);
    expect(shopTimestamp("2025-01-14T11:05:12Z", "Europe/Warsaw")).toBe("2025-01-14T12:05:12+01:00");
  });

  it("gives each call its own ids and order number, and records the order for the Admin API", async () => {
    const store = createSeedStore();
    const first = orderCreatedPayload({ store, customerId: BEN, lines: [{ productId: MUG, quantity: 1 }] });
    const second = orderCreatedPayload({ store, customerId: BEN, lines: [{ productId: MUG, quantity: 1 }] });
    expect(second.id).not.toBe(first.id);
    expect(second.line_items[0].id).not.toBe(first.line_items[0].id);
    expect([first.name, second.name]).toEqual(["#1006", "#1007"]);
    expect(orderCreatedPayload({ store, customerId: BEN, lines: [{ productId: MUG, quantity: 1 }], orderId: 42, orderNumber: 5000 })).toMatchObject({
      id: 42,
      name: "#5000",
    });

    const sim: AdminSimulator = await startAdminSimulator({ stores: [store] });
    try {
      const url = sim.url.replace("{shop}", SIMULATOR_SHOP).replace("{version}", "2025-10");
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": SIMULATOR_ACCESS_TOKEN },
        body: JSON.stringify({
          query: `query($id: ID!, $customer: ID!) { order(id: $id) { name presentmentCurrencyCode totalPriceSet { presentmentMoney { amount } } }
                  customer(id: $customer) { numberOfOrders } }`,
          variables: { id: first.admin_graphql_api_id, customer: BEN },
        }),
      });
      const { data } = (await response.json()) as { data: Record<string, unknown> };
      expect(data).toEqual({
        order: { name: "#1006", presentmentCurrencyCode: "USD", totalPriceSet: { presentmentMoney: { amount: "24.0" } } },
        customer: { numberOfOrders: "4" },
      });
    } finally {
      await sim.close();
    }
  });

  it("prices a German guest in euros and applies discount codes", () => {
    const store = createSeedStore();
    const blanket = store.products.find((p) => p.handle === "merino-throw-blanket")!;
    const charcoal = blanket.variants.find((v) => v.title === "Charcoal")!;
    const payload = orderCreatedPayload({
      store,
      email: "guest@example.com",
      countryCode: "DE",
      lines: [{ productId: blanket.id, quantity: 1, variantId: charcoal.id }],
      discountCodes: ["WELCOME10"],
    });
    expect(payload).toMatchObject({
      customer: null,
      email: "guest@example.com",
      presentment_currency: "EUR",
      customer_locale: "de",
      total_line_items_price: "135.00",
      total_discounts: "13.50",
      total_price: "121.50",
      discount_codes: [{ code: "WELCOME10", amount: "13.50", type: "percentage" }],
      shipping_address: { country_code: "DE" },
    });
    expect(payload.line_items[0]).toMatchObject({ variant_title: "Charcoal", price: "135.00" });
  });

  it("refuses orders Shopify's checkout could not produce", () => {
    const store = createSeedStore();
    expect(() => orderCreatedPayload({ store, customerId: ADA, lines: [{ productId: "gid://shopify/Product/9101000000010", quantity: 1 }] })).toThrow(/DRAFT/);
    expect(() => orderCreatedPayload({ store, lines: [{ productId: CANDLE, quantity: 1 }] })).toThrow(/email/);
    expect(() => orderCreatedPayload({ store, customerId: ADA, lines: [{ productId: CANDLE, quantity: 0 }] })).toThrow(/Quantity/);
    expect(() => orderCreatedPayload({ store, customerId: ADA, currency: "GBP", lines: [{ productId: CANDLE, quantity: 1 }] })).toThrow(/GBP/);
  });

  it("cancels an order as orders/cancelled carries it", () => {
    const store = createSeedStore();
    const created = orderCreatedPayload({ store, customerId: ADA, lines: [{ productId: CANDLE, quantity: 1 }] });
    const cancelled = orderCancelledPayload(created, { store, reason: "inventory", cancelledAt: "2025-10-15T08:00:00Z" });
    expect(cancelled).toMatchObject({
      id: created.id,
      name: created.name,
      cancelled_at: "2025-10-15T10:00:00+02:00",
      cancel_reason: "inventory",
      financial_status: "refunded",
      current_total_price: "0.00",
    });
    expect(created.cancelled_at).toBeNull();
    expect(store.orders.find((o) => o.id === created.admin_graphql_api_id)).toMatchObject({ cancelReason: "INVENTORY", financialStatus: "REFUNDED" });
  });
});

describe("app and compliance payloads", () => {
  it("match Shopify's documented shapes", () => {
    const store = createSeedStore();
    expect(appUninstalledPayload(store)).toMatchObject({
      id: 71234567890,
      name: "Juniper & Pine",
      myshopify_domain: SIMULATOR_SHOP,
      domain: "juniperandpine.example",
      currency: "USD",
      iana_timezone: "Europe/Warsaw",
    });
    expect(shopRedactPayload(store)).toEqual({ shop_id: 71234567890, shop_domain: SIMULATOR_SHOP });
    expect(customersRedactPayload({ store, customerId: ADA })).toEqual({
      shop_id: 71234567890,
      shop_domain: SIMULATOR_SHOP,
      customer: { id: 8201000000001, email: "ada.kowalska@example.com", phone: null },
      orders_to_redact: [6101000000001, 6101000000004],
    });
    expect(customersDataRequestPayload({ store, customerId: ADA })).toEqual({
      shop_id: 71234567890,
      shop_domain: SIMULATOR_SHOP,
      orders_requested: [6101000000001, 6101000000004],
      customer: { id: 8201000000001, email: "ada.kowalska@example.com", phone: null },
      data_request: { id: expect.any(Number) },
    });
  });
});
