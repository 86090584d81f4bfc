// Marketing consent: the pure decisions, the check just before a send (Shopify first, our copy
// when the Admin API is down), and the customers_email_marketing_consent/update webhook route.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

// The webhook route imports app/db.server.ts and app/shopify.server.ts, which read these on import.
const env = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({ name: "consent", apiKey: "afterglow-test-key", secret: "afterglow-consent-test-secret" }),
);

import { randomUUID } from "node:crypto";
import prisma from "~/db.server";
import {
  consentFromWebhook,
  InvalidConsentPayloadError,
  marketingAllowed,
  normalizeMarketingState,
  toCustomerGid,
} from "~/domain/consent";
import { action as consentWebhook } from "~/routes/webhooks.customers.email_marketing_consent.update";
import { checkMarketingConsent } from "~/services/consent/consent.server";
import { connectShop } from "~/services/shop/shops.server";
import { createAdminClient, type AdminClient } from "~/adapters/shopify-admin/client.server";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { createSeedStore, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { webhookRequest } from "../../simulator/webhooks";

describe("consent decisions", () => {
  it("allows marketing only to SUBSCRIBED", () => {
    expect(marketingAllowed("SUBSCRIBED")).toBe(true);
    for (const state of ["NOT_SUBSCRIBED", "UNSUBSCRIBED", "PENDING", "INVALID", "REDACTED", null, undefined, "subscribed"]) {
      expect(marketingAllowed(state), String(state)).toBe(false);
    }
    expect(normalizeMarketingState("subscribed")).toBe("SUBSCRIBED");
    expect(normalizeMarketingState("opted_in")).toBeNull();
  });

  it("reads Shopify's webhook payload: numeric customer id, lower-case state, timestamp with offset", () => {
    expect(
      consentFromWebhook({
        customer_id: 8201000000007,
        email_address: "Greta.Schmidt@Example.com",
        email_marketing_consent: { state: "unsubscribed", opt_in_level: "single_opt_in", consent_updated_at: "2025-10-01T12:00:00+02:00" },
      }),
    ).toEqual({
      customerId: "gid://shopify/Customer/8201000000007",
      email: "greta.schmidt@example.com",
      state: "UNSUBSCRIBED",
      optInLevel: "SINGLE_OPT_IN",
      consentUpdatedAt: new Date("2025-10-01T10:00:00Z"),
    });
    expect(consentFromWebhook({ customer_id: "42", email_address: null, email_marketing_consent: { state: "pending", opt_in_level: null, consent_updated_at: null } }))
      .toMatchObject({ customerId: "gid://shopify/Customer/42", email: null, state: "PENDING", consentUpdatedAt: null });
    expect(() => consentFromWebhook({ customer_id: "abc", email_marketing_consent: { state: "maybe" } })).toThrow(InvalidConsentPayloadError);
    expect(() => consentFromWebhook([])).toThrow(/not a JSON object/);
    expect(toCustomerGid(0)).toBeNull();
  });
});

describe("with the store simulator and a database", () => {
  let admin: AdminSimulator;
  let store: SeedStore;
  let client: AdminClient;
  const customer = (n: number) => store.customers[n - 1]!;

  beforeAll(async () => {
    store = createSeedStore();
    admin = await startAdminSimulator({ stores: [store] });
    client = createAdminClient({
      shop: SIMULATOR_SHOP,
      accessToken: SIMULATOR_ACCESS_TOKEN,
      urlTemplate: admin.url,
      maxRetries: 0,
      sleep: async () => {},
    });
    await connectShop({ prisma, shop: SIMULATOR_SHOP });
  });

  afterAll(async () => {
    await admin?.close();
    await env.cleanup();
  });

  beforeEach(async () => {
    await prisma.customerConsent.deleteMany();
    await prisma.webhookDelivery.deleteMany();
  });

  const check = (n: number | null, email?: string | null, c: AdminClient | null = client) =>
    checkMarketingConsent({
      prisma,
      client: c,
      shop: SIMULATOR_SHOP,
      customerId: n === null ? null : customer(n).id,
      email: email === undefined ? (n === null ? "guest@example.com" : customer(n).email) : email,
    });

  describe("checkMarketingConsent", () => {
    it("allows SUBSCRIBED and keeps our copy current", async () => {
      const result = await check(1);
      expect(result).toMatchObject({ allowed: true, state: "SUBSCRIBED", source: "shopify" });
      expect(await prisma.customerConsent.findFirst()).toMatchObject({
        shop: SIMULATOR_SHOP,
        customerId: customer(1).id,
        email: "ada.kowalska@example.com",
        marketingState: "SUBSCRIBED",
        consentUpdatedAt: new Date("2024-06-01T10:00:00Z"),
      });
      // The current field, never the deprecated Customer.email / emailMarketingConsent.
      const query = admin.requests.at(-1)!.query!;
      expect(query).toContain("defaultEmailAddress");
      expect(query).not.toMatch(/emailMarketingConsent|\bemail\b/);
    });

    it("refuses NOT_SUBSCRIBED, UNSUBSCRIBED and PENDING, saying why", async () => {
      expect(await check(2)).toMatchObject({ allowed: false, state: "NOT_SUBSCRIBED", reason: expect.stringMatching(/never subscribed/) });
      expect(await check(3)).toMatchObject({ allowed: false, state: "UNSUBSCRIBED", reason: expect.stringMatching(/unsubscribed/) });
      expect(await check(5)).toMatchObject({ allowed: false, state: "PENDING", reason: expect.stringMatching(/not confirmed/) });
      expect(await prisma.customerConsent.count()).toBe(3);
    });

    it("refuses a guest order without asking Shopify", async () => {
      const before = admin.requests.length;
      expect(await check(null)).toMatchObject({ allowed: false, state: null, source: "none", reason: expect.stringMatching(/Guest order/) });
      expect(admin.requests.length).toBe(before);
    });

    it("refuses a customer without an email address, and an order sent to another address", async () => {
      expect(await check(6, null)).toMatchObject({ allowed: false, reason: expect.stringMatching(/no email address/) });
      expect(await check(1, "someone.else@example.com")).toMatchObject({ allowed: false, state: "SUBSCRIBED", reason: expect.stringMatching(/not the customer's email/) });
      expect(await check(1, "ADA.Kowalska@example.com")).toMatchObject({ allowed: true });
    });

    it("falls back to our copy when the Admin API is down, and says so", async () => {
      await check(1);
      await check(3);
      await admin.setDown(true);
      try {
        const subscribed = await check(1);
        expect(subscribed).toMatchObject({ allowed: true, state: "SUBSCRIBED", source: "afterglow_copy" });
        expect(subscribed.reason).toMatch(/Shopify Admin API unavailable.*network error/);
        expect(await check(3)).toMatchObject({ allowed: false, state: "UNSUBSCRIBED", source: "afterglow_copy" });
        expect(await check(7)).toMatchObject({
          allowed: false,
          state: null,
          source: "none",
          reason: expect.stringMatching(/no copy/),
          unavailable: { reason: expect.stringMatching(/network error/), retryAfterMs: null },
        });
      } finally {
        await admin.setDown(false);
      }
      // Throttled, or 429 with Retry-After: when Shopify could answer again goes with it.
      admin.throttleNext(1);
      expect((await check(7)).unavailable).toMatchObject({ reason: expect.stringMatching(/Throttled/), retryAfterMs: 10 });
      admin.failNext(1, 429);
      expect((await check(7)).unavailable).toMatchObject({ retryAfterMs: 2000 });
      // Shopify's own answer is not an outage.
      expect((await check(7)).unavailable).toBeUndefined();
      // No client at all (the shop's token is missing) is the same as the API being down.
      expect(await check(1, undefined, null)).toMatchObject({ allowed: true, source: "afterglow_copy" });
      const rejected = Promise.reject(new Error("not connected"));
      expect(
        await checkMarketingConsent({ prisma, client: rejected, shop: SIMULATOR_SHOP, customerId: customer(1).id, email: null }),
      ).toMatchObject({ allowed: true, source: "afterglow_copy", reason: expect.stringMatching(/not connected/) });
    });
  });

  describe("the customers_email_marketing_consent/update webhook", () => {
    const TOPIC = "customers_email_marketing_consent/update";
    const payload = (state: string, at: string | null, id: number | string = 8201000000007) => ({
      customer_id: id,
      email_address: "Greta.Schmidt@example.com",
      email_marketing_consent: { state, opt_in_level: "single_opt_in", consent_updated_at: at },
    });

    async function deliver(body: unknown, { webhookId = randomUUID(), secret = env.secret, shop = SIMULATOR_SHOP } = {}) {
      const { headers, body: raw } = webhookRequest({ topic: TOPIC, shop, payload: body, secret, webhookId });
      const request = new Request("https://afterglow.test/webhooks/customers/email_marketing_consent/update", { method: "POST", headers, body: raw });
      return consentWebhook({ request, params: {}, context: {} });
    }

    const stored = () => prisma.customerConsent.findMany({ select: { customerId: true, email: true, marketingState: true, consentUpdatedAt: true } });

    it("stores the consent, and a redelivery changes nothing", async () => {
      const webhookId = randomUUID();
      const response = await deliver(payload("unsubscribed", "2025-10-01T12:00:00+02:00"), { webhookId });
      expect(response.status).toBe(200);
      const expected = [
        {
          customerId: "gid://shopify/Customer/8201000000007",
          email: "greta.schmidt@example.com",
          marketingState: "UNSUBSCRIBED",
          consentUpdatedAt: new Date("2025-10-01T10:00:00Z"),
        },
      ];
      expect(await stored()).toEqual(expected);
      expect((await deliver(payload("unsubscribed", "2025-10-01T12:00:00+02:00"), { webhookId })).status).toBe(200);
      expect(await stored()).toEqual(expected);
      expect(await prisma.webhookDelivery.findMany({ select: { webhookId: true, outcome: true } })).toEqual([
        { webhookId, outcome: "consent UNSUBSCRIBED: created" },
      ]);
    });

    it("keeps the newest change when deliveries arrive out of order", async () => {
      await deliver(payload("subscribed", "2025-10-02T09:00:00Z"));
      await deliver(payload("unsubscribed", "2025-10-01T09:00:00Z"));
      expect(await stored()).toMatchObject([{ marketingState: "SUBSCRIBED", consentUpdatedAt: new Date("2025-10-02T09:00:00Z") }]);
      await deliver(payload("unsubscribed", "2025-10-03T09:00:00Z"));
      expect(await stored()).toMatchObject([{ marketingState: "UNSUBSCRIBED" }]);
    });

    it("answers 401 to a bad signature and stores nothing", async () => {
      const response = await deliver(payload("subscribed", null), { secret: "not-the-secret" });
      expect(response.status).toBe(401);
      expect(await prisma.customerConsent.count()).toBe(0);
    });

    it("refuses an unusable payload with 400, acknowledges a shop that is not connected, and stores nothing for either", async () => {
      const before = await prisma.webhookDelivery.count();
      const refused = await deliver({ customer_id: "abc" });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toMatch(/customer_id is missing or not a customer id/);
      expect((await deliver(null)).status).toBe(400);
      expect((await deliver([])).status).toBe(400);
      expect((await deliver(payload("subscribed", null), { shop: "other-shop.myshopify.com" })).status).toBe(200);
      expect(await prisma.customerConsent.count()).toBe(0);
      expect(await prisma.webhookDelivery.count()).toBe(before);
    });
  });
});
