// Entry point for the rest of the app: an Admin API client for a connected shop, and what it reads.
import type { PrismaClient } from "@prisma/client";
import { createAdminClient, type AdminClient, type AdminClientOptions } from "./client.server";
import { encryptedSessionStorage } from "./session-storage.server";

export {
  AdminApiError,
  AdminApiThrottle,
  adminApiUrl,
  createAdminClient,
  DEFAULT_ADMIN_API_URL,
  DEFAULT_ADMIN_API_VERSION,
  sharedAdminApiThrottle,
} from "./client.server";
export type { AdminApiPacer, AdminClient, AdminClientOptions, AdminRequestOptions, QueryCost, ThrottleStatus } from "./client.server";
export { EncryptedSessionStorage, encryptedSessionStorage } from "./session-storage.server";
export { fetchShopAddresses, fetchShopProfile, type ShopProfile } from "./shop-profile.server";
export {
  createRecommendationCache,
  fetchCustomerPurchaseHistory,
  fetchRecommendations,
  type RecommendationCache,
} from "./recommendations.server";

export class ShopNotConnectedError extends Error {
  override readonly name = "ShopNotConnectedError";
  readonly shop: string;

  constructor(shop: string, problem: string) {
    super(
      `${shop} is not connected to Afterglow: ${problem}. Install the app on the shop from the Shopify admin, ` +
        `or store an Admin API access token with: npm run afterglow -- connect ${shop} --token <token>`,
    );
    this.shop = shop;
  }
}

export function offlineSessionId(shop: string): string {
  return `offline_${shop}`;
}

export async function adminClientForShop({
  prisma,
  shop,
  ...options
}: { prisma: PrismaClient; shop: string } & Omit<AdminClientOptions, "shop" | "accessToken">): Promise<AdminClient> {
  // Background sends have no merchant in the loop: they use the shop's offline token.
  const session = await encryptedSessionStorage(prisma).loadSession(offlineSessionId(shop));
  if (!session) throw new ShopNotConnectedError(shop, "no offline access token is stored for it");
  if (!session.accessToken) throw new ShopNotConnectedError(shop, "its stored offline access token is empty");
  if (session.expires && session.expires.getTime() <= Date.now()) {
    throw new ShopNotConnectedError(shop, `its offline access token expired at ${session.expires.toISOString()}`);
  }
  return createAdminClient({ ...options, shop, accessToken: session.accessToken });
}
