// What the tests of the one render path share: the store simulator as the shop's Admin API, the
// simulator's shop connected with a brand, and the dispatcher wired as the runtime wires it
// (purchased products and discount codes from Shopify), its emails captured instead of sent.
import type { PrismaClient } from "@prisma/client";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import type { MailTransport, OutgoingEmail } from "~/adapters/mail/transport";
import { AdminApiThrottle, createAdminClient } from "~/adapters/shopify-admin/index.server";
import { createDispatcher } from "~/services/dispatch/dispatcher.server";
import type { RecommendedProduct } from "~/domain/recommendations.types";
import { discountCodesFromShopify, prepareFollowUp, purchasedFromShopify } from "~/email/prepare.server";
import { renderFollowUp } from "~/email/render.server";
import { unsubscribeLinks, unsubscribeSecrets } from "~/domain/unsubscribe";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { importFlows } from "~/services/flows/flows.server";
import { createLogger } from "~/platform/logger.server";

export const RENDER_APP_URL = "https://afterglow.example";
const ENV_NAMES = ["SHOPIFY_ADMIN_API_URL", "SHOPIFY_APP_URL"] as const;

// The simulator, with SHOPIFY_ADMIN_API_URL and SHOPIFY_APP_URL pointing at it and at
// RENDER_APP_URL: the preview's own Admin API client and unsubscribe link read them, as in
// production. stop() puts the variables back.
export async function startRenderStore(): Promise<{ simulator: AdminSimulator; store: SeedStore; stop(): Promise<void> }> {
  const saved = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
  const simulator = await startAdminSimulator();
  process.env.SHOPIFY_ADMIN_API_URL = simulator.url;
  process.env.SHOPIFY_APP_URL = RENDER_APP_URL;
  return {
    simulator,
    store: simulator.stores[0]!,
    async stop() {
      for (const name of ENV_NAMES) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
      await simulator.close();
    },
  };
}

// The simulator's shop, installed, with a brand, in `primaryLocale` and `ianaTimezone`, no
// frequency cap (a test sends several emails to one customer), and these flows.
export async function connectBrandedShop(
  prisma: PrismaClient,
  { primaryLocale, ianaTimezone, flows }: { primaryLocale: string; ianaTimezone: string; flows: Parameters<typeof importFlows>[2] },
): Promise<void> {
  await storeOfflineToken({ prisma, shop: SIMULATOR_SHOP, accessToken: SIMULATOR_ACCESS_TOKEN });
  await connectShop({ prisma, shop: SIMULATOR_SHOP, profile: { name: "Juniper & Pine", email: "hello@juniper.example" } });
  await prisma.shop.update({
    where: { domain: SIMULATOR_SHOP },
    data: {
      primaryLocale,
      ianaTimezone,
      brand: JSON.stringify({ accentColor: "#8a3b12", font: "Georgia" }),
      frequencyCap: JSON.stringify({ enabled: false, maxSends: 1, periodHours: 16 }),
    },
  });
  await importFlows(prisma, SIMULATOR_SHOP, flows);
}

// The dispatcher's render step as the runtime wires it: the products bought and a cross-sell's
// discount code from the simulator's Admin API, then the one renderer.
export function renderWithShopify({ prisma, simulator, now = () => new Date() }: { prisma: PrismaClient; simulator: AdminSimulator; now?: () => Date }) {
  const client = createAdminClient({
    shop: SIMULATOR_SHOP,
    accessToken: SIMULATOR_ACCESS_TOKEN,
    urlTemplate: simulator.url,
    throttle: new AdminApiThrottle(),
    maxRetries: 0,
  });
  return async (req: Parameters<typeof prepareFollowUp>[0]) =>
    renderFollowUp(
      await prepareFollowUp(req, {
        purchasedProducts: purchasedFromShopify(async () => client),
        issueDiscountCode: discountCodesFromShopify({ prisma, adminClient: async () => client, now }),
        now,
      }),
    );
}

// The dispatcher as the runtime wires it, with these recommendations, putting what it sends in `sent`.
export function runtimeDispatcher({
  prisma,
  simulator,
  recommendations,
  sent,
  now = () => new Date(),
}: {
  prisma: PrismaClient;
  simulator: AdminSimulator;
  recommendations: RecommendedProduct[];
  sent: OutgoingEmail[];
  now?: () => Date;
}) {
  const transport: MailTransport = {
    name: "capture",
    send: async (email) => {
      sent.push(email);
      return { transport: "capture", messageId: `m-${sent.length}` };
    },
  };
  return createDispatcher({
    prisma,
    transport,
    recommend: async () => recommendations,
    render: renderWithShopify({ prisma, simulator, now }),
    unsubscribe: (req) => unsubscribeLinks({ appUrl: RENDER_APP_URL, secrets: unsubscribeSecrets({ secret: "test-secret", previousSecrets: [] }), mailto: null, ...req }),
    now,
    logger: createLogger({}, { write: () => {} }),
  });
}
