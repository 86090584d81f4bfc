// A customer's second order is never offered what they bought in the first: the dispatcher as the
// app wires it, the customer's orders from the store simulator and our own order rows.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { createSeedStore, gid, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedCustomer } from "../../simulator/store";
import { orderCreatedPayload } from "../../simulator/orders";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { importFlows } from "~/services/flows/flows.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { createRuntime } from "~/runtime/runtime.server";
import { loadConfig } from "~/platform/config.server";
import { defaultFlows } from "~/domain/flows";
import { turnOnFlow } from "../helpers/flows";

const db = createTestDatabase("recommendations-history");
const prisma = db.prisma;
const store = createSeedStore();
const env = {
  SENDGRID_API_KEY: "SG.afterglow-shared-key",
  SHOPIFY_APP_URL: "https://afterglow.example.com",
  SHOPIFY_API_SECRET: "history-test-secret",
  AFTERGLOW_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
  LOG_LEVEL: "error",
};
let admin: AdminSimulator;
let sendgrid: SendGridStandIn;

// The candle's complementary products, as the merchant set them in Search & Discovery.
const candle = store.products.find((p) => p.title === "Juniper Forest Soy Candle")!;
const matches = store.products.find((p) => p.title === "Matchbox Trio")!;
const tapers = store.products.find((p) => p.title === "Wildflower Beeswax Taper Set")!;
// New subscribed customers in the US market with no orders yet, so each history is the test's own.
const template = store.customers.find((c) => c.address?.countryCode === "US" && c.defaultEmailAddress)!;
const subscribed: SeedCustomer[] = [1, 2, 3].map((n) => {
  const email = `history-${n}@example.com`;
  const customer: SeedCustomer = {
    ...template,
    id: gid("Customer", 880_000 + n),
    firstName: `Hist${n}`,
    email,
    tags: [],
    defaultEmailAddress: { emailAddress: email, marketingState: "SUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN", marketingUpdatedAt: "2025-01-01T00:00:00Z" },
  };
  store.customers.push(customer);
  return customer;
});

beforeAll(async () => {
  admin = await startAdminSimulator({ stores: [store] });
  sendgrid = await startSendGridStandIn({ apiKeys: [env.SENDGRID_API_KEY] });
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

const runtime = () =>
  createRuntime({ prisma, config: loadConfig({ ...process.env, ...env, SENDGRID_API_URL: sendgrid.url, SHOPIFY_ADMIN_API_URL: admin.url }) });

// The thank-you email of a candle order, delivered through the webhook intake and sent.
async function candleEmailFor(customer: SeedCustomer): Promise<string> {
  const payload = orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: candle.id, quantity: 1 }] });
  const outcome = await receiveOrderCreated({ prisma, delivery: { shop: SIMULATOR_SHOP, topic: "orders/create", webhookId: `hist-${payload.id}` }, payload });
  if (outcome.kind !== "scheduled") throw new Error(outcome.kind);
  sendgrid.clear();
  expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 1 });
  const mail = sendgrid.messages.find((m) => m.customArgs.followUpId === outcome.followUps[0].id);
  if (!mail) throw new Error("the thank-you email did not reach SendGrid");
  return mail.html ?? "";
}

const offered = (html: string, product: { handle: string }) => html.includes(`/products/${product.handle}`);

describe("recommendations leave out what the customer already has", () => {
  it("a first-time buyer of the candle is offered the matches and the taper set", async () => {
    const html = await candleEmailFor(subscribed[0]);
    expect(offered(html, matches)).toBe(true);
    expect(offered(html, tapers)).toBe(true);
  });

  it("a customer whose earlier order in Shopify had the matches is not offered them again", async () => {
    const customer = subscribed[1];
    // Bought before Afterglow was installed: Shopify knows the order, we never saw it.
    orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: matches.id, quantity: 1 }], createdAt: new Date(Date.now() - 20 * 86_400_000) });
    const before = admin.requests.length;
    const html = await candleEmailFor(customer);
    expect(offered(html, matches)).toBe(false);
    expect(offered(html, tapers)).toBe(true);
    const historyReads = admin.requests.slice(before).filter((r) => r.operationName === "CustomerPurchaseHistory");
    expect(historyReads.map((r) => (r.variables as { id: string }).id)).toEqual([customer.id]);
  });

  it("an earlier order only our own rows know (older than Shopify shows) counts too", async () => {
    const customer = subscribed[2];
    // Shopify shows an app the last 60 days of orders without read_all_orders; this one is older.
    await prisma.order.create({
      data: {
        shop: SIMULATOR_SHOP,
        orderId: gid("Order", 990_001),
        name: "#0990",
        customerId: customer.id,
        email: customer.defaultEmailAddress!.emailAddress,
        currency: "USD",
        totalPrice: "28.00",
        productIds: JSON.stringify([tapers.id]),
        orderedAt: new Date(Date.now() - 200 * 86_400_000),
      },
    });
    const html = await candleEmailFor(customer);
    expect(offered(html, tapers)).toBe(false);
    expect(offered(html, matches)).toBe(true);
  });
});
