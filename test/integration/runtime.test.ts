// The dispatcher as the app wires it: Admin API consent and recommendations from the store
// simulator, the real SendGrid client, and a merchant's own (encrypted) SendGrid key.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { createSeedStore, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP } from "../../simulator/store";
import { orderCreatedPayload } from "../../simulator/orders";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { importFlows } from "~/services/flows/flows.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { createRuntime } from "~/runtime/runtime.server";
import { loadConfig } from "~/platform/config.server";
import { setShopSendGridKey } from "~/services/shop/secrets.server";
import { defaultFlows } from "~/domain/flows";
import { turnOnFlow } from "../helpers/flows";

const db = createTestDatabase("runtime");
const prisma = db.prisma;
const store = createSeedStore();
const SHOP_KEY = "SG.merchant0000000000001.the-merchants-own-secret-value";
const env = {
  SENDGRID_API_KEY: "SG.afterglow-shared-key",
  SHOPIFY_APP_URL: "https://afterglow.example.com",
  SHOPIFY_API_SECRET: "runtime-test-secret",
  AFTERGLOW_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
  LOG_LEVEL: "error",
};
let admin: AdminSimulator;
let sendgrid: SendGridStandIn;

beforeAll(async () => {
  admin = await startAdminSimulator({ stores: [store] });
  // This SendGrid account only knows the merchant's key.
  sendgrid = await startSendGridStandIn({ apiKeys: [SHOP_KEY] });
  Object.assign(process.env, { AFTERGLOW_ENCRYPTION_KEYS: env.AFTERGLOW_ENCRYPTION_KEYS, SHOPIFY_API_SECRET: env.SHOPIFY_API_SECRET });
  await storeOfflineToken({ prisma, shop: SIMULATOR_SHOP, accessToken: SIMULATOR_ACCESS_TOKEN });
  await connectShop({ prisma, shop: SIMULATOR_SHOP, profile: { name: store.shop.name, email: store.shop.email } });
  const flow = defaultFlows()[0];
  flow.steps[0].delay = { amount: 0, unit: "minutes" };
  await importFlows(prisma, SIMULATOR_SHOP, { version: 1, flows: [flow] });
  await turnOnFlow({ prisma, shop: SIMULATOR_SHOP });
});
afterAll(async () => {
  await admin.close();
  await sendgrid.close();
  await db.cleanup();
});

async function orderFor(marketingState: string, nth = 0) {
  const customer = store.customers.filter((c) => c.defaultEmailAddress?.marketingState === marketingState && c.defaultEmailAddress.emailAddress)[nth];
  const product = store.products.find((p) => p.status === "ACTIVE" && p.onlineStoreUrl)!;
  const payload = orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: product.id, quantity: 1 }] });
  const outcome = await receiveOrderCreated({ prisma, delivery: { shop: SIMULATOR_SHOP, topic: "orders/create", webhookId: `rt-${payload.id}` }, payload });
  if (outcome.kind !== "scheduled") throw new Error(outcome.kind);
  return { id: outcome.followUps[0].id, customer };
}

describe("runtime", () => {
  const runtime = () =>
    createRuntime({ prisma, config: loadConfig({ ...process.env, ...env, SENDGRID_API_URL: sendgrid.url, SHOPIFY_ADMIN_API_URL: admin.url }) });

  it("without the merchant's key the shared key is refused, and the follow-up fails with SendGrid's reason", async () => {
    const { id } = await orderFor("SUBSCRIBED");
    expect(await runtime().dispatcher.drain()).toMatchObject({ failed: 1 });
    const f = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(f.lastError).toMatch(/401|authoriz/i);
    expect(sendgrid.messages).toHaveLength(0);
  });

  it("with the merchant's key stored encrypted, mail goes out through it, with recommendations and unsubscribe links", async () => {
    await setShopSendGridKey(prisma, SIMULATOR_SHOP, SHOP_KEY, "staff:owner@example.com");
    const stored = await prisma.shop.findUniqueOrThrow({ where: { domain: SIMULATOR_SHOP } });
    expect(stored.sendgridApiKeyEnc).not.toContain(SHOP_KEY);
    const { id, customer } = await orderFor("SUBSCRIBED");
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 1 });
    expect(sendgrid.messages).toHaveLength(1);
    const mail = sendgrid.messages[0];
    expect(mail.customArgs.followUpId).toBe(id);
    expect(mail.to[0].email).toBe(customer.defaultEmailAddress!.emailAddress);
    expect(mail.headers["List-Unsubscribe"]).toMatch(/^<https:\/\/afterglow\.example\.com\/unsubscribe\/[^>]+>$/);
    expect(mail.html).toMatch(/\/products\//);
  });

  it("reads consent from Shopify just before sending: an unsubscribed customer is skipped", async () => {
    sendgrid.clear();
    const { id } = await orderFor("UNSUBSCRIBED");
    expect(await runtime().dispatcher.drain()).toMatchObject({ skipped: 1 });
    const f = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(f.skipReason).toMatch(/unsubscribed/i);
    expect(sendgrid.messages).toHaveLength(0);
  });

  it("asks Shopify once for the consent of every marketing email in a pass, and still decides each alone", async () => {
    sendgrid.clear();
    // Customers not sent to yet in this file, so smart sending does not hold any of them back.
    const subscribed = [await orderFor("SUBSCRIBED", 1), await orderFor("SUBSCRIBED", 2)];
    const refused = [await orderFor("UNSUBSCRIBED"), await orderFor("PENDING")];
    const before = admin.requests.length;
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 2, skipped: 2 });
    const consentReads = admin.requests.slice(before).filter((r) => r.operationName?.startsWith("CustomerEmailConsent"));
    expect(consentReads.map((r) => r.operationName)).toEqual(["CustomerEmailConsents"]);
    expect((consentReads[0].variables as { ids: string[] }).ids.sort()).toEqual([...subscribed, ...refused].map((o) => o.customer.id).sort());
    expect(sendgrid.messages.map((m) => m.customArgs.followUpId).sort()).toEqual(subscribed.map((o) => o.id).sort());
    const codes = await prisma.followUp.findMany({ where: { id: { in: refused.map((o) => o.id) } }, select: { id: true, status: true, skipCode: true } });
    expect(codes.sort((a, b) => refused.findIndex((o) => o.id === a.id) - refused.findIndex((o) => o.id === b.id))).toEqual([
      { id: refused[0].id, status: "skipped", skipCode: "unsubscribed" },
      { id: refused[1].id, status: "skipped", skipCode: "no_marketing_consent" },
    ]);
  });

  it("follows the shop's settings: consent policy off sends marketing to the unsubscribed-in-Shopify customer; service emails off skips service steps", async () => {
    sendgrid.clear();
    await prisma.shop.update({ where: { domain: SIMULATOR_SHOP }, data: { marketingConsentRequired: false } });
    const { id } = await orderFor("NOT_SUBSCRIBED");
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 1 });
    expect(sendgrid.messages.map((m) => m.customArgs.followUpId)).toEqual([id]);

    await prisma.shop.update({ where: { domain: SIMULATOR_SHOP }, data: { marketingConsentRequired: true, serviceEmailsAllowed: false } });
    await prisma.flowStep.updateMany({ data: { category: "service" } });
    const service = await orderFor("SUBSCRIBED");
    expect(await runtime().dispatcher.drain()).toMatchObject({ skipped: 1 });
    const f = await prisma.followUp.findUniqueOrThrow({ where: { id: service.id } });
    expect(f.skipReason).toMatch(/service/i);
    expect(sendgrid.messages).toHaveLength(1);
  });

  it("starts with RECOMMENDATION_CACHE_MS=0, which turns the recommendation cache off", async () => {
    const settings = loadConfig({ ...process.env, ...env, SENDGRID_API_URL: sendgrid.url, SHOPIFY_ADMIN_API_URL: admin.url, RECOMMENDATION_CACHE_MS: "0" });
    expect(settings.queue.recommendationCacheMs).toBe(0);
    const uncached = createRuntime({ prisma, config: settings });
    const { id } = await orderFor("SUBSCRIBED", 1);
    expect(await uncached.dispatcher.drain()).toMatchObject({ claimed: 1 });
    expect((await prisma.followUp.findUniqueOrThrow({ where: { id } })).status).not.toBe("scheduled");
  });
});
