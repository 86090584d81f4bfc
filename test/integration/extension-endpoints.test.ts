// The endpoints the app's UI extensions call, as Shopify's pages call them: the Thank you page's
// sign-up with a checkout session token, the admin order block with the ID token Shopify adds to
// its fetch. Tokens signed right and wrong, expired, for another app or another shop; the sign-up
// written to the store simulator and our copy; and a buyer who signs up on the Thank you page gets
// the next marketing follow-up that was skipped for consent before, at the SendGrid stand-in.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const ctx = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({
    name: "extension-endpoints",
    apiKey: "extension-endpoints-client-id",
    secret: "extension-endpoints-secret",
    env: { LOG_LEVEL: "error" },
  }),
);

import prisma from "~/db.server";
import { sessionToken as embeddedSessionToken, signJwt } from "../helpers/embedded";
import { startExtensionShop, type ExtensionShop } from "../helpers/extension-shop";
import { action as settingsAction, loader as settingsLoader } from "~/routes/app.settings";
import type { AdminSimulator } from "../../simulator/admin-api";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { SIMULATOR_SHOP, type SeedCustomer, type SeedStore } from "../../simulator/store";
import { action as offerAction, loader as offerLoader } from "~/routes/extensions.thank-you.offer";
import { action as signUpAction } from "~/routes/extensions.thank-you.sign-up";
import { action as followUpsAction, loader as followUpsLoader } from "~/routes/extensions.order-follow-ups";
import { saveOfferEmailSignUp } from "~/services/shop/thank-you-settings.server";
import { createRuntime } from "~/runtime/runtime.server";
import { loadConfig } from "~/platform/config.server";

const APP = "https://afterglow.test";
const OTHER_SHOP = "other-boutique.myshopify.com";
const OTHER_TOKEN = "shpat_00000000000000000000000000other";
const SG_KEY = "SG.extension-endpoints-key";
const MINUTE = 60_000;
let shop: ExtensionShop;
let admin: AdminSimulator;
let sendgrid: SendGridStandIn;
let store: SeedStore;
// Each test starts from the seed's consent states: a sign-up changes the simulator's customer.
let consentAtStart: SeedCustomer["defaultEmailAddress"][] = [];

// Two marketing steps a day apart, and a care guide three days after delivery.
const FLOWS = {
  version: 1,
  flows: [
    {
      key: "after-purchase",
      name: "After purchase",
      trigger: "order_created",
      active: true,
      steps: [
        { key: "thanks", delay: { amount: 0, unit: "minutes" }, template: "thank-you", subject: "Thank you for {{ order.name }}" },
        { key: "more", delay: { amount: 1, unit: "days" }, template: "cross-sell", subject: "Something for you" },
      ],
    },
    {
      key: "care",
      name: "Care guide",
      trigger: "order_delivered",
      active: true,
      steps: [{ key: "care", delay: { amount: 3, unit: "days" }, template: "care-guide", subject: "Caring for what you bought" }],
    },
  ],
};

beforeAll(async () => {
  const other = { shop: OTHER_SHOP, accessToken: OTHER_TOKEN, profile: { name: "Other", email: "other@example.com" } };
  shop = await startExtensionShop({ prisma, apiKey: ctx.apiKey, secret: ctx.secret, flows: FLOWS, others: [other] });
  ({ store, admin } = shop);
  sendgrid = await startSendGridStandIn({ apiKeys: [SG_KEY] });
  consentAtStart = store.customers.map((c) => structuredClone(c.defaultEmailAddress));
  await prisma.shop.update({
    where: { domain: SIMULATOR_SHOP },
    data: { ianaTimezone: "America/New_York", frequencyCap: JSON.stringify({ enabled: false, maxSends: 1, periodHours: 16 }) },
  });
});
afterAll(async () => {
  await shop.close();
  await sendgrid.close();
  await ctx.cleanup();
});
beforeEach(async () => {
  sendgrid.clear();
  admin.requests.length = 0;
  store.customers.forEach((c, i) => (c.defaultEmailAddress = structuredClone(consentAtStart[i]!)));
  await prisma.followUpEvent.deleteMany();
  await prisma.followUp.deleteMany();
  await prisma.customerConsent.deleteMany();
  await prisma.consentWriteBack.deleteMany();
  await prisma.thankYouPageSetting.deleteMany();
});

async function post(handler: typeof offerAction, path: string, token: string | null, body: unknown) {
  const res = (await handler({
    request: new Request(`${APP}${path}`, {
      method: "POST",
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), "Content-Type": "application/json", Origin: "https://extensions.shopifycdn.com" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    params: {},
    context: {},
  }).catch((thrown: unknown) => thrown)) as Response;
  return { status: res.status, cors: res.headers.get("Access-Control-Allow-Origin"), body: (await res.json()) as Record<string, unknown> };
}

const offer = (token: string | null, body: unknown) => post(offerAction, "/extensions/thank-you/offer", token, body);
const signUp = (token: string | null, body: unknown) => post(signUpAction, "/extensions/thank-you/sign-up", token, body);

// Nothing of a sign-up anywhere: no consent copy, no write waiting, no mutation sent to Shopify.
async function nothingStored() {
  expect(await prisma.customerConsent.count()).toBe(0);
  expect(await prisma.consentWriteBack.count()).toBe(0);
  expect(admin.requests.filter((r) => r.operationName === "CustomerEmailConsentUpdate")).toEqual([]);
}

describe("the Thank you page's session token", () => {
  it("answers the browser's preflight from any origin", async () => {
    const res = (await offerLoader({ request: new Request(`${APP}/extensions/thank-you/offer`, { method: "OPTIONS" }), params: {}, context: {} })) as Response;
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Access-Control-Allow-Headers")).toContain("Authorization");
  });

  it("refuses a missing, forged, expired, early, other app's or unknown shop's token with 401 and stores nothing", async () => {
    const customer = shop.customerIn("NOT_SUBSCRIBED");
    const { orderId, email } = await shop.placeOrder(customer);
    const now = Math.floor(Date.now() / 1000);
    const refused: [string, string | null][] = [
      ["no token", null],
      ["signed with another secret", shop.checkoutToken({ secret: "not-the-app-secret" })],
      ["expired a minute ago", shop.checkoutToken({ claims: { exp: now - 60, nbf: now - 360 } })],
      ["not valid for another minute", shop.checkoutToken({ claims: { nbf: now + 60 } })],
      ["another app's", shop.checkoutToken({ claims: { aud: "another-client-id" } })],
      ["alg none", signJwt({ dest: SIMULATOR_SHOP, aud: ctx.apiKey, exp: now + 300, nbf: now }, ctx.secret, { alg: "none" })],
      ["a shop that never installed", shop.checkoutToken({ shop: "stranger.myshopify.com" })],
      ["no shop", shop.checkoutToken({ claims: { dest: "https://evil.example" } })],
    ];
    for (const [why, token] of refused) {
      const res = await signUp(token, { orderId, email });
      expect({ why, status: res.status, cors: res.cors }).toEqual({ why, status: 401, cors: "*" });
    }
    await nothingStored();
    expect(customer.defaultEmailAddress!.marketingState).toBe("NOT_SUBSCRIBED");
  });

  it("refuses a malformed body with 400 and an order of another shop, or another buyer's, with 404", async () => {
    const customer = shop.customerIn("NOT_SUBSCRIBED");
    const { orderId, email } = await shop.placeOrder(customer);
    expect((await signUp(shop.checkoutToken(), "not json")).status).toBe(400);
    expect((await signUp(shop.checkoutToken(), { orderId: "123", email })).status).toBe(400);
    expect((await signUp(shop.checkoutToken(), { orderId })).status).toBe(400);
    // The other shop is connected, but the order is not in its store.
    expect((await signUp(shop.checkoutToken({ shop: OTHER_SHOP }), { orderId, email })).status).toBe(404);
    expect((await signUp(shop.checkoutToken(), { orderId, email: "someone.else@example.com" })).status).toBe(404);
    expect((await signUp(shop.checkoutToken({ customerId: shop.customerIn("SUBSCRIBED").id }), { orderId, email })).status).toBe(404);
    expect((await signUp(shop.checkoutToken(), { orderId: "gid://shopify/Order/999999999", email })).status).toBe(404);
    await nothingStored();
  });
});

describe("when Shopify does not answer", () => {
  it("answers 503 and keeps nothing, so the buyer can tick again", async () => {
    const { orderId, email } = await shop.placeOrder(shop.customerIn("NOT_SUBSCRIBED"));
    admin.failFor(60_000);
    try {
      expect((await signUp(shop.checkoutToken(), { orderId, email })).status).toBe(503);
      expect((await offer(shop.checkoutToken(), { orderId, email })).status).toBe(503);
    } finally {
      admin.failFor(0);
    }
    await nothingStored();
  });
});

describe("what the block shows", () => {
  it("offers the sign-up to a buyer not subscribed, with when the care guide comes and where to ask", async () => {
    const { orderId, email } = await shop.placeOrder(shop.customerIn("NOT_SUBSCRIBED"));
    const res = await offer(shop.checkoutToken(), { orderId, email: email.toUpperCase() });
    expect(res).toMatchObject({ status: 200, cors: "*" });
    expect(res.body).toEqual({
      show: true,
      nextSteps: ["Your care guide arrives by email about 3 days after your order is delivered.", "Questions about your order? Write to help@juniper.example."],
    });
  });

  it("shows nothing to a subscribed buyer, nor when the shop turned the offer off", async () => {
    const subscribed = await shop.placeOrder(shop.customerIn("SUBSCRIBED"));
    expect((await offer(shop.checkoutToken(), { orderId: subscribed.orderId, email: subscribed.email })).body).toEqual({ show: false, nextSteps: [] });

    const { orderId, email } = await shop.placeOrder(shop.customerIn("NOT_SUBSCRIBED"));
    await saveOfferEmailSignUp({ prisma, shop: SIMULATOR_SHOP, actor: "merchant@test", offer: false });
    expect((await offer(shop.checkoutToken(), { orderId, email })).body).toEqual({ show: false, nextSteps: [] });
    const refused = await signUp(shop.checkoutToken(), { orderId, email });
    expect(refused.status).toBe(409);
    await nothingStored();
  });
});

describe("the Settings page's checkbox", () => {
  const form = (offer: boolean) => {
    const body = new URLSearchParams({ senderName: "Juniper & Pine", frequencyCapMaxSends: "1", frequencyCapPeriodHours: "16", frequencyCapEnabled: "on", marketingConsentRequired: "on" });
    if (offer) body.set("offerEmailSignUp", "on");
    return body;
  };
  const headers = () => ({ Authorization: `Bearer ${embeddedSessionToken({ shop: SIMULATOR_SHOP, apiKey: ctx.apiKey, secret: ctx.secret })}` });
  const save = async (offer: boolean) =>
    (await settingsAction({ request: new Request(`${APP}/app/settings`, { method: "POST", headers: headers(), body: form(offer) }), params: {}, context: {} })) as unknown as Response;
  const load = async () => (await settingsLoader({ request: new Request(`${APP}/app/settings`, { headers: headers() }), params: {}, context: {} })) as { offerEmailSignUp: boolean };

  it("is on by default, turns the offer off and on, and audits the change", async () => {
    expect((await load()).offerEmailSignUp).toBe(true);
    const off = await save(false);
    expect(((await off.json()) as { changed: string[] }).changed).toContain("offerEmailSignUp");
    expect((await load()).offerEmailSignUp).toBe(false);
    expect(await prisma.auditLog.findFirst({ where: { shop: SIMULATOR_SHOP, action: "settings.updated" }, orderBy: { at: "desc" } })).toMatchObject({
      detail: JSON.stringify({ changed: ["offerEmailSignUp"], offerEmailSignUp: false }),
    });
    await save(true);
    expect((await load()).offerEmailSignUp).toBe(true);
  });
});

describe("the sign-up", () => {
  it("subscribes the order's customer in Shopify (single opt-in, now) and in our copy", async () => {
    const customer = shop.customerIn("NOT_SUBSCRIBED");
    const { orderId, email } = await shop.placeOrder(customer);
    const before = Date.now();
    const res = await signUp(shop.checkoutToken(), { orderId, email });
    expect(res).toMatchObject({ status: 200, body: { subscribed: true, shopify: "done" } });

    const [mutation] = admin.requests.filter((r) => r.operationName === "CustomerEmailConsentUpdate");
    expect(mutation!.variables).toMatchObject({ input: { customerId: customer.id, emailMarketingConsent: { marketingState: "SUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN" } } });
    expect(customer.defaultEmailAddress).toMatchObject({ marketingState: "SUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN" });
    const consentAt = Date.parse(customer.defaultEmailAddress!.marketingUpdatedAt!);
    expect(consentAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(consentAt).toBeLessThanOrEqual(Date.now());

    const copy = await prisma.customerConsent.findUniqueOrThrow({ where: { shop_customerId: { shop: SIMULATOR_SHOP, customerId: customer.id } } });
    expect(copy).toMatchObject({ marketingState: "SUBSCRIBED", email: customer.defaultEmailAddress!.emailAddress });
    expect(await prisma.consentWriteBack.count()).toBe(0);
    expect(await prisma.auditLog.count({ where: { shop: SIMULATOR_SHOP, action: "consent.thank_you_page_subscribed" } })).toBe(1);

    // Subscribed now: the block has nothing more to offer.
    expect((await offer(shop.checkoutToken(), { orderId, email })).body).toEqual({ show: false, nextSteps: [] });
  });

  it("makes the next marketing follow-up go out where the first was skipped for consent", async () => {
    const customer = shop.customerIn("NOT_SUBSCRIBED");
    const { orderId, email, followUps } = await shop.placeOrder(customer);
    const [first, second] = await prisma.followUp.findMany({ where: { id: { in: followUps.map((f) => f.id) } }, orderBy: { dueAt: "asc" } });
    const runtime = createRuntime({
      prisma,
      config: loadConfig({ ...process.env, SENDGRID_API_KEY: SG_KEY, SENDGRID_API_URL: sendgrid.url, SHOPIFY_ADMIN_API_URL: admin.url, LOG_LEVEL: "error" }),
    });

    await runtime.dispatcher.drain();
    expect(await prisma.followUp.findUniqueOrThrow({ where: { id: first!.id } })).toMatchObject({ status: "skipped", skipCode: "no_marketing_consent" });
    expect(sendgrid.messages).toEqual([]);

    expect((await signUp(shop.checkoutToken(), { orderId, email })).status).toBe(200);

    // A day later the second step is due.
    await prisma.followUp.update({ where: { id: second!.id }, data: { dueAt: new Date(Date.now() - MINUTE), nextAttemptAt: new Date(Date.now() - MINUTE) } });
    await runtime.dispatcher.drain();
    expect(await prisma.followUp.findUniqueOrThrow({ where: { id: second!.id } })).toMatchObject({ status: "sent" });
    expect(sendgrid.messages.map((m) => ({ to: m.to.map((a) => a.email), followUpId: m.customArgs.followUpId }))).toEqual([{ to: [email], followUpId: second!.id }]);
  });
});

describe("the admin order block", () => {
  async function list(token: string | null, orderId: string) {
    const res = (await followUpsLoader({
      request: new Request(`${APP}/extensions/order-follow-ups?orderId=${encodeURIComponent(orderId)}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} }),
      params: {},
      context: {},
    }).catch((thrown: unknown) => thrown)) as Response;
    return { status: res.status, body: (await res.json()) as { order?: string; rows?: Record<string, unknown>[]; error?: string } };
  }
  const cancel = (token: string | null, followUpId: string) => post(followUpsAction, "/extensions/order-follow-ups", token, { followUpId });

  it("lists the order's follow-ups in the merchant's words and the shop's time zone, and cancels a scheduled one", async () => {
    const { orderId, followUps } = await shop.placeOrder(shop.customerIn("SUBSCRIBED"));
    const res = await list(shop.adminToken(), orderId);
    expect(res.status).toBe(200);
    const rows = res.body.rows!;
    expect(rows.map((r) => [r.flow, r.step, r.statusLabel, r.canCancel])).toEqual([
      ["After purchase", "Step 1", "Scheduled", true],
      ["After purchase", "Step 2", "Scheduled", true],
    ]);
    const due = followUps.map((f) => f.dueAt).sort((a, b) => a.getTime() - b.getTime())[1]!;
    const newYork = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "America/New_York" }).format(due);
    expect(rows[1]!.when).toBe(newYork);

    const cancelled = await cancel(shop.adminToken(), rows[1]!.id as string);
    expect(cancelled).toMatchObject({ status: 200, body: { cancelled: true } });
    const after = await list(shop.adminToken(), orderId);
    expect(after.body.rows![1]).toMatchObject({ status: "cancelled", statusLabel: "Cancelled", reason: "Cancelled by the merchant.", canCancel: false });
    expect(await prisma.auditLog.findFirst({ where: { action: "follow_up.cancelled" }, orderBy: { at: "desc" } })).toMatchObject({ actor: "staff:42" });
    expect((await cancel(shop.adminToken(), rows[1]!.id as string)).status).toBe(409);
  });

  it("keeps to the token's shop: another shop's order is 404, its cancel 404 and nothing changes", async () => {
    const { orderId } = await shop.placeOrder(shop.customerIn("SUBSCRIBED"));
    const [row] = (await list(shop.adminToken(), orderId)).body.rows!;
    expect((await list(shop.adminToken({ shop: OTHER_SHOP }), orderId)).status).toBe(404);
    expect((await cancel(shop.adminToken({ shop: OTHER_SHOP }), row!.id as string)).status).toBe(404);
    expect(await prisma.followUp.findUniqueOrThrow({ where: { id: row!.id as string } })).toMatchObject({ status: "scheduled" });
  });

  it("refuses forged, expired, checkout-shaped and missing tokens with 401, cancelling nothing", async () => {
    const { orderId } = await shop.placeOrder(shop.customerIn("SUBSCRIBED"));
    const [row] = (await list(shop.adminToken(), orderId)).body.rows!;
    const now = Math.floor(Date.now() / 1000);
    const refused: [string, string | null][] = [
      ["none", null],
      ["another secret", shop.adminToken({ secret: "wrong-secret" })],
      ["expired", shop.adminToken({ claims: { exp: now - 60 } })],
      ["another app", shop.adminToken({ claims: { aud: "someone-else" } })],
      ["issuer of another shop", shop.adminToken({ claims: { iss: `https://${OTHER_SHOP}/admin` } })],
      ["a checkout token", shop.checkoutToken()],
    ];
    for (const [why, token] of refused) {
      expect({ why, list: (await list(token, orderId)).status, cancel: (await cancel(token, row!.id as string)).status }).toEqual({ why, list: 401, cancel: 401 });
    }
    expect(await prisma.followUp.findUniqueOrThrow({ where: { id: row!.id as string } })).toMatchObject({ status: "scheduled" });
  });
});
