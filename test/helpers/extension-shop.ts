// The shop the UI extensions' endpoints answer for: the seed store in the Admin API simulator
// (beside any other shops a test needs), its offline token and profile stored, the test's flows
// imported and on; buyers' orders placed through intake; and the session tokens Shopify's pages
// send, signed with the test app's key and secret.
import type { PrismaClient } from "@prisma/client";
import { adminExtensionToken, checkoutSessionToken } from "./embedded";
import { turnOnFlow } from "./flows";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { createSeedStore, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedCustomer, type SeedStore } from "../../simulator/store";
import { orderCreatedPayload } from "../../simulator/orders";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { importFlows } from "~/services/flows/flows.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";

export interface OtherShop {
  shop: string;
  accessToken: string;
  profile: { name: string; email: string };
}

export interface TokenOptions {
  shop?: string;
  secret?: string;
  claims?: Record<string, unknown>;
}

export interface ExtensionShop {
  store: SeedStore;
  admin: AdminSimulator;
  // The first seed customer in this email marketing state who has an email address.
  customerIn(state: string): SeedCustomer;
  // A fresh order of `customer` in the simulator, and Afterglow's follow-ups for it.
  placeOrder(customer: SeedCustomer): Promise<{ orderId: string; email: string; followUps: { id: string; dueAt: Date }[] }>;
  // What shopify.sessionToken.get() gives a checkout or customer-account extension.
  checkoutToken(options?: TokenOptions & { customerId?: string }): string;
  // The ID token Shopify adds to an admin extension's fetch() to the app.
  adminToken(options?: TokenOptions): string;
  close(): Promise<void>;
}

export async function startExtensionShop({
  prisma,
  apiKey,
  secret,
  flows,
  others = [],
}: {
  prisma: PrismaClient;
  apiKey: string;
  secret: string;
  flows: { version: number; flows: { key: string }[] };
  others?: OtherShop[];
}): Promise<ExtensionShop> {
  const store = createSeedStore();
  const admin = await startAdminSimulator({ stores: [store, ...others.map((o) => createSeedStore({ shop: o.shop, accessToken: o.accessToken }))] });
  // The routes build their Admin API client from the process's configuration, read on each call.
  process.env.SHOPIFY_ADMIN_API_URL = admin.url;
  await storeOfflineToken({ prisma, shop: SIMULATOR_SHOP, accessToken: SIMULATOR_ACCESS_TOKEN });
  for (const other of others) await storeOfflineToken({ prisma, shop: other.shop, accessToken: other.accessToken });
  await connectShop({ prisma, shop: SIMULATOR_SHOP, profile: { name: store.shop.name, email: "help@juniper.example" } });
  for (const other of others) await connectShop({ prisma, shop: other.shop, profile: other.profile });
  await importFlows(prisma, SIMULATOR_SHOP, flows);
  for (const { key } of flows.flows) await turnOnFlow({ prisma, shop: SIMULATOR_SHOP, key });

  let orders = 0;
  return {
    store,
    admin,
    customerIn: (state) => store.customers.find((c) => c.defaultEmailAddress?.marketingState === state && c.defaultEmailAddress.emailAddress)!,
    async placeOrder(customer) {
      const product = store.products.find((p) => p.status === "ACTIVE" && p.onlineStoreUrl)!;
      const payload = orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: product.id, quantity: 1 }] });
      const delivery = { shop: SIMULATOR_SHOP, topic: "orders/create", webhookId: `extension-order-${++orders}` };
      const outcome = await receiveOrderCreated({ prisma, delivery, payload });
      if (outcome.kind !== "scheduled") throw new Error(`the order was not scheduled: ${outcome.kind}`);
      return { orderId: payload.admin_graphql_api_id as string, email: String(payload.email), followUps: outcome.followUps };
    },
    checkoutToken: (options = {}) =>
      checkoutSessionToken({ shop: options.shop ?? SIMULATOR_SHOP, apiKey, secret: options.secret ?? secret, customerId: options.customerId, claims: options.claims }),
    adminToken: (options = {}) => adminExtensionToken({ shop: options.shop ?? SIMULATOR_SHOP, apiKey, secret: options.secret ?? secret, claims: options.claims }),
    close: () => admin.close(),
  };
}
